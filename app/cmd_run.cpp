// `lantern run`: generate text with a model, streaming the reply to stdout.
//
// The one thing to know: the prompt goes through the model's chat template (system + user turn,
// generation prompt added) unless --raw, in which case it is tokenized as plain text with BOS.
// The first Ctrl-C stops generation (the text so far stays printed); stdout gets only model
// text, everything else (timings with -v, errors) goes to stderr.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>
#include <unistd.h>

#include "command.h"
#include "lantern/engine/chat_template.h"
#include "lantern/engine/model.h"
#include "lantern/engine/model_store.h"
#include "lantern/engine/session.h"
#include "lantern/engine/tokenizer.h"
#include "lantern/ui/sanitize.h"

namespace lantern::app {
namespace {

std::atomic<bool> g_cancel{false};
extern "C" void on_sigint(int) { g_cancel.store(true); }

Result<std::string> read_all(FILE* f, const std::string& what) {
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  if (std::ferror(f)) return Status::io_error("read " + what + ": read error");
  return out;
}

Result<std::string> read_prompt(const Context& ctx) {
  const auto& a = ctx.args;
  if (a.has("prompt")) return *a.get("prompt");
  if (a.has("file")) {
    const std::string path = *a.get("file");
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return Status::from_errno("open '" + path + "'", errno);
    auto text = read_all(f, "'" + path + "'");
    std::fclose(f);
    return text;
  }
  return read_all(stdin, "standard input");
}

// Sampling options; --temp 0 means plain greedy decoding unless a penalty is asked for.
Result<engine::SamplerParams> sampler_params(const ParsedArgs& a) {
  engine::SamplerParams p;
  LT_ASSIGN_OR_RETURN(double temp, a.get_double("temp", p.temperature, 0.0, 100.0));
  LT_ASSIGN_OR_RETURN(int64_t top_k, a.get_int("top-k", p.top_k, 0, 1 << 24));
  LT_ASSIGN_OR_RETURN(double top_p, a.get_double("top-p", p.top_p, 0.0, 1.0));
  LT_ASSIGN_OR_RETURN(double min_p, a.get_double("min-p", p.min_p, 0.0, 1.0));
  const double default_penalty = temp <= 0.0 ? 1.0 : p.repeat_penalty;
  LT_ASSIGN_OR_RETURN(double penalty, a.get_double("repeat-penalty", default_penalty, 0.01, 100.0));
  LT_ASSIGN_OR_RETURN(int64_t last_n, a.get_int("repeat-last-n", p.repeat_last_n, -1, 1 << 24));
  // OpenAI's range; like the repeat penalty they look at the last --repeat-last-n tokens.
  LT_ASSIGN_OR_RETURN(double freq, a.get_double("frequency-penalty", p.frequency_penalty, -2.0, 2.0));
  LT_ASSIGN_OR_RETURN(double presence, a.get_double("presence-penalty", p.presence_penalty, -2.0, 2.0));
  p.temperature = static_cast<float>(temp);
  p.top_k = static_cast<int32_t>(top_k);
  p.top_p = static_cast<float>(top_p);
  p.min_p = static_cast<float>(min_p);
  p.repeat_penalty = static_cast<float>(penalty);
  p.repeat_last_n = static_cast<int32_t>(last_n);
  p.frequency_penalty = static_cast<float>(freq);
  p.presence_penalty = static_cast<float>(presence);
  if (a.has("seed")) {
    LT_ASSIGN_OR_RETURN(int64_t seed, a.get_int("seed", 0, 0, INT64_MAX));
    p.seed = static_cast<uint64_t>(seed);
  }
  for (const auto& s : a.get_all("stop")) p.stop.push_back(s);
  return p;
}

// The model's chat template, or the built-in one named by --template.
Result<engine::ChatTemplate> chosen_template(const Context& ctx, const engine::Model& model) {
  if (ctx.args.has("template")) return engine::ChatTemplate::from_name(*ctx.args.get("template"));
  return model.chat_template();
}

// The prompt's token ids: plain text after BOS (--raw), or the chat template's rendering of an
// optional system message and the user's prompt, ending with the opening of the assistant turn.
std::vector<int32_t> prompt_tokens(const Context& ctx, const engine::Model& model, const engine::ChatTemplate& tmpl,
                                   const std::string& prompt) {
  const engine::Tokenizer& tok = model.tokenizer();
  if (ctx.args.has("raw")) return tok.encode(prompt, /*add_special=*/true, /*parse_special=*/false);
  std::vector<engine::ChatMessage> messages;
  if (ctx.args.has("system")) messages.push_back({"system", *ctx.args.get("system")});
  messages.push_back({"user", prompt});
  // Special-token text typed in the prompt stays text: only the template's own markers are special.
  return tmpl.encode(tok, messages, /*add_generation_prompt=*/true);
}

int run_run(Context& ctx) {
  const auto& a = ctx.args;
  if (!a.has("model")) return usage_error(ctx, "-m MODEL is required");
  if (a.has("prompt") && a.has("file")) return usage_error(ctx, "give -p TEXT or -f FILE, not both");
  if (!a.has("prompt") && !a.has("file") && ctx.stdin_tty) {
    return usage_error(ctx, "no prompt: give -p TEXT, -f FILE, or pipe it on standard input");
  }
  auto sp = sampler_params(a);
  if (!sp.ok()) return usage_error(ctx, sp.status().message());
  auto n_predict = a.get_int("n", -1, -1, 1 << 24);
  if (!n_predict.ok()) return usage_error(ctx, n_predict.status().message());
  auto threads = a.get_int("threads", 0, 0, 1024);
  if (!threads.ok()) return usage_error(ctx, threads.status().message());
  auto ctx_size = a.get_int("ctx", 0, 1, 1 << 24);  // absent: 0, the default size below
  if (!ctx_size.ok()) return usage_error(ctx, ctx_size.status().message());
  engine::KvType kv_type = engine::KvType::kF16;
  if (auto kv = a.get("kv-type")) {
    if (*kv == "f32") {
      kv_type = engine::KvType::kF32;
    } else if (*kv != "f16") {
      return usage_error(ctx, "--kv-type: '" + *kv + "' is not a KV cache type (f16 or f32)");
    }
  }

  auto prompt = read_prompt(ctx);
  if (!prompt.ok()) return runtime_error(ctx, prompt.status());
  auto path = engine::resolve_model(*a.get("model"), ctx.home);
  if (!path.ok()) return runtime_error(ctx, path.status());
  engine::LoadOptions lo;
  lo.n_threads = static_cast<int32_t>(*threads);
  auto model = engine::Model::load(*path, lo);
  if (!model.ok()) return runtime_error(ctx, model.status());
  auto tmpl = chosen_template(ctx, **model);
  if (!tmpl.ok()) return usage_error(ctx, tmpl.status().message());
  const bool chat = !a.has("raw");
  if (chat && !tmpl->warning().empty() && !ctx.quiet) {
    std::fprintf(stderr, "lantern: run: %s\n", tmpl->warning().c_str());
  }
  if (chat) {
    for (const auto& stop : tmpl->stop_strings()) sp->stop.push_back(stop);
  }
  const std::vector<int32_t> ids = prompt_tokens(ctx, **model, *tmpl, *prompt);
  if (ids.empty()) return usage_error(ctx, "the prompt is empty");

  engine::SessionOptions so;
  so.n_ctx = static_cast<int32_t>(*ctx_size);
  so.kv_type = kv_type;
  if (so.n_ctx == 0) {
    // Default: 4096, or what this prompt and -n need, within the model's training context.
    const int64_t need = static_cast<int64_t>(ids.size()) + std::max<int64_t>(*n_predict, 0);
    so.n_ctx = static_cast<int32_t>(std::min<int64_t>((*model)->info().n_ctx_train, std::max<int64_t>(4096, need)));
  }
  auto session = engine::Session::create(*model, so);
  if (!session.ok()) return runtime_error(ctx, session.status());
  engine::Session& s = **session;
  const int32_t max_tokens = static_cast<int32_t>(*n_predict);
  if (max_tokens > 0 && ids.size() + static_cast<size_t>(max_tokens) > static_cast<size_t>(s.n_ctx())) {
    return runtime_error(ctx, Status::resource_limit("the prompt (" + std::to_string(ids.size()) + " tokens) plus " +
                                                     std::to_string(max_tokens) + " requested tokens exceed the context size of " +
                                                     std::to_string(s.n_ctx()) + " (raise it with --ctx or lower -n)"));
  }

  g_cancel = false;
  struct sigaction sa = {}, old_sa = {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_sa);
  Status st = s.eval(ids, &g_cancel);
  Result<engine::Generation> gen = Status::cancelled("cancelled during the prompt");
  bool ends_with_newline = true;
  // A stream sanitizer: a UTF-8 character split across tokens is held back, not replaced.
  ui::StreamSanitizer sanitizer;
  auto print = [&](std::string_view piece) {
    if (piece.empty()) return;
    const std::string out = ctx.raw_output ? std::string(piece) : sanitizer.push(piece);
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    ends_with_newline = piece.back() == '\n';
  };
  if (st.ok()) {
    // The generation prompt may already open the answer ("<think>\n" for DeepSeek-R1).
    if (chat) print(tmpl->assistant_prefix());
    gen = s.generate(*sp, max_tokens, print, &g_cancel);
  }
  sigaction(SIGINT, &old_sa, nullptr);
  if (!ctx.raw_output) {
    const std::string held = sanitizer.finish();  // an unfinished UTF-8 sequence at the end
    std::fwrite(held.data(), 1, held.size(), stdout);
  }
  if (!ends_with_newline) std::fputc('\n', stdout);
  std::fflush(stdout);
  if (!st.ok() && st.code() != StatusCode::kCancelled) return runtime_error(ctx, st);
  if (st.ok() && !gen.ok()) return runtime_error(ctx, gen.status());
  if (ctx.verbose) {
    const engine::Timings& t = s.timings();
    std::fprintf(stderr, "prompt: %lld tokens in %.1f ms (%.1f tokens/s)\n", static_cast<long long>(t.prompt_tokens),
                 t.prompt_ms, t.prompt_ms > 0 ? t.prompt_tokens * 1000.0 / t.prompt_ms : 0.0);
    std::fprintf(stderr, "generated: %lld tokens in %.1f ms (%.1f tokens/s), stop: %s\n",
                 static_cast<long long>(t.generated_tokens), t.decode_ms,
                 t.decode_ms > 0 ? t.generated_tokens * 1000.0 / t.decode_ms : 0.0,
                 gen.ok() ? std::string(engine::stop_reason_name(gen->stop)).c_str() : "cancelled");
  }
  return kExitOk;
}

}  // namespace

extern const CommandSpec kCmdRun = {
    "run",
    "generate text with a model, streaming to stdout",
    "run -m MODEL [-p TEXT | -f FILE] [-n N] [OPTIONS]",
    "Generates a reply to the prompt (-p, -f, or standard input) and streams it to standard output. The "
    "prompt is wrapped in the model's chat template (with --system as the system message) unless --raw. "
    "Sampling defaults follow Ollama: --temp 0.8, --top-k 40, --top-p 0.9, --repeat-penalty 1.1 over the "
    "last 64 tokens; --temp 0 is greedy decoding (no repeat penalty unless given). Generation stops at the "
    "model's end-of-turn token, a --stop string, -n tokens, a full context, or Ctrl-C. -v prints timings "
    "to standard error.",
    {{"model", 'm', "MODEL", "GGUF path, file name in <home>/models, or Ollama name:tag"},
     {"prompt", 'p', "TEXT", "the prompt"},
     {"file", 'f', "FILE", "read the prompt from FILE"},
     {"n", 'n', "N", "generate at most N tokens (default: until the end of the reply)"},
     {"temp", 0, "T", "temperature (default 0.8; 0: greedy)"},
     {"top-k", 0, "K", "keep the K most likely tokens (default 40; 0: all)"},
     {"top-p", 0, "P", "keep the most likely tokens up to probability P (default 0.9)"},
     {"min-p", 0, "P", "drop tokens below P times the top probability (default 0: off)"},
     {"repeat-penalty", 0, "R", "penalty for repeated tokens (default 1.1; 1: off)"},
     {"repeat-last-n", 0, "N", "how many recent tokens the penalty looks at (default 64)"},
     {"frequency-penalty", 0, "F", "subtract F times a token's count in the window, -2 to 2 (default 0)"},
     {"presence-penalty", 0, "F", "subtract F from tokens present in the window, -2 to 2 (default 0)"},
     {"seed", 0, "S", "random seed for reproducible output (default: random)"},
     {"stop", 0, "TEXT", "stop when TEXT is generated (repeatable)", true},
     {"threads", 't', "N", "threads (default: one per core; 1 for models under 32 MiB)"},
     {"ctx", 0, "N", "context size in tokens, 1 or more (default: 4096 or what -n needs, up to the model's)"},
     {"kv-type", 0, "TYPE", "KV cache element type: f16 (default) or f32"},
     {"system", 0, "TEXT", "system message for the chat template"},
     {"raw", 0, "", "no chat template: the prompt is plain text after BOS"},
     {"template", 0, "NAME", "use the built-in chat template NAME instead of the model's"}},
    run_run,
};

}  // namespace lantern::app
