// `lantern ask`: answer a question from the knowledge base, citing sources.
//
// Streams the answer to stdout as it is generated (sanitized when stdout is a terminal), then the
// numbered sources; notices (cuts, budget, bad citations) go to stderr as they happen. With
// --json nothing streams: one JSON object is printed at the end. Without a model (-m or the config
// key `model`) the answer is extractive. Ctrl-C stops generation and keeps the partial answer.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <memory>

#include "answer.h"
#include "ask_output.h"
#include "command.h"
#include "engine_language_model.h"
#include "kb_knowledge_source.h"
#include "lantern/engine/model_store.h"
#include "lantern/ui/sanitize.h"
#include "paths.h"

namespace lantern::app {
namespace {

std::atomic<bool> g_cancel{false};
void on_sigint(int) { g_cancel.store(true); }

// Installs a SIGINT handler for the lifetime of the object, restoring the previous one after.
class SigintCancels {
 public:
  SigintCancels() {
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_);
  }
  ~SigintCancels() { sigaction(SIGINT, &old_, nullptr); }

 private:
  struct sigaction old_ {};
};

Result<AskRequest> request_from_args(const Context& ctx) {
  const ParsedArgs& a = ctx.args;
  AskRequest r;
  if (a.positional.empty()) return Status::invalid_argument("missing QUESTION");
  for (size_t i = 0; i < a.positional.size(); ++i) r.question += (i ? " " : "") + a.positional[i];
  LT_ASSIGN_OR_RETURN(auto kb_cfg, ctx.config.get_string("kb.default"));
  r.kb = a.get("kb").value_or(kb_cfg.value_or("default"));
  LT_ASSIGN_OR_RETURN(int64_t k, a.get_int("k", 6, 1, 100));
  r.k = static_cast<int>(k);
  r.use_kb = !a.has("no-kb");
  r.system_prompt = a.get("system").value_or("");
  LT_ASSIGN_OR_RETURN(auto temp_cfg, ctx.config.get_double("temp"));
  LT_ASSIGN_OR_RETURN(double temp, a.get_double("temp", temp_cfg.value_or(0.8), 0.0, 100.0));
  r.sampling.temperature = static_cast<float>(temp);
  if (temp <= 0.0) r.sampling.repeat_penalty = 1.0f;  // greedy means greedy, as in `lantern run`
  LT_ASSIGN_OR_RETURN(int64_t top_k, a.get_int("top-k", 40, 0, 1 << 20));
  r.sampling.top_k = static_cast<int32_t>(top_k);
  LT_ASSIGN_OR_RETURN(double top_p, a.get_double("top-p", 0.9, 0.0, 1.0));
  r.sampling.top_p = static_cast<float>(top_p);
  if (a.has("seed")) {
    LT_ASSIGN_OR_RETURN(int64_t seed, a.get_int("seed", 0, 0, INT64_MAX));
    r.sampling.seed = static_cast<uint64_t>(seed);
  }
  LT_ASSIGN_OR_RETURN(int64_t n, a.get_int("n", 512, 1, 1 << 20));
  r.max_tokens = static_cast<int32_t>(n);
  return r;
}

int run_ask(Context& ctx) {
  auto req = request_from_args(ctx);
  if (!req.ok()) return usage_error(ctx, req.status().message());
  const bool json_out = ctx.args.has("json");
  auto ctx_n = ctx.args.get_int("ctx", 0, 0, 1 << 24);
  auto threads = ctx.args.get_int("threads", 0, 0, 1024);
  if (!ctx_n.ok()) return usage_error(ctx, ctx_n.status().message());
  if (!threads.ok()) return usage_error(ctx, threads.status().message());

  // Knowledge base (unless --no-kb; the audit log lives there too).
  std::unique_ptr<KbKnowledgeSource> source;
  if (Status s = ensure_dir(ctx.home); !s.ok()) return runtime_error(ctx, s);
  auto opened = KbKnowledgeSource::open(ctx.home);
  if (!opened.ok()) return runtime_error(ctx, opened.status());
  source = std::move(*opened);

  // Model, if one is named.
  std::unique_ptr<EngineLanguageModel> model;
  auto cfg_model = ctx.config.get_string("model");
  if (!cfg_model.ok()) return runtime_error(ctx, cfg_model.status());
  std::optional<std::string> spec = ctx.args.get("model");
  if (!spec) spec = *cfg_model;
  if (spec && !spec->empty()) {
    auto path = engine::resolve_model(*spec, ctx.home);
    if (!path.ok()) return runtime_error(ctx, path.status());
    ModelOpenOptions mo;
    mo.n_ctx = static_cast<int32_t>(*ctx_n);
    mo.n_threads = static_cast<int32_t>(*threads);
    auto loaded = EngineLanguageModel::load(*path, mo);
    if (!loaded.ok()) return runtime_error(ctx, loaded.status());
    model = std::move(*loaded);
  } else if (!req->use_kb) {
    return usage_error(ctx, "--no-kb needs a model: give -m MODEL or set 'model' in the config");
  }

  // The source is given even with --no-kb: it holds the audit log (request.use_kb skips search).
  Conversation conversation(model.get(), source.get());
  ui::StreamSanitizer sanitizer;  // holds back a UTF-8 character split across pieces
  auto out = [&](std::string_view text) {
    std::string s = ctx.raw_output ? std::string(text) : sanitizer.push(text);
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fflush(stdout);
  };
  AskEvents events;
  bool reasoning_open = false;
  if (!json_out) {
    events.on_answer_piece = [&](std::string_view p) {
      if (reasoning_open) {
        std::fputs("\n", stderr);
        reasoning_open = false;
      }
      out(p);
    };
    if (ctx.verbose) {
      events.on_reasoning_piece = [&](std::string_view p) {
        if (!reasoning_open) std::fputs("thinking: ", stderr);
        reasoning_open = true;
        std::fputs(ui::sanitize(p).c_str(), stderr);
      };
    }
  }
  events.on_notice = [&](const std::string& n) {
    if (!ctx.quiet) std::fprintf(stderr, "lantern: ask: note: %s\n", ui::sanitize(n, {.keep_newlines = false}).c_str());
  };

  SigintCancels sigint;
  g_cancel.store(false);
  auto result = conversation.ask(*req, events, &g_cancel);
  if (!result.ok()) return runtime_error(ctx, result.status());

  if (json_out) {
    std::string doc = answer_json(*result).dump(2) + "\n";
    std::fwrite(doc.data(), 1, doc.size(), stdout);
    return kExitOk;
  }
  std::string tail = "\n";
  std::string sources = format_sources(*result);
  if (!sources.empty()) tail += "\n" + sources;
  out(tail);
  if (!ctx.raw_output) {
    const std::string held = sanitizer.finish();
    std::fwrite(held.data(), 1, held.size(), stdout);
  }
  if (ctx.verbose) {
    const AnswerTimings& t = result->timings;
    std::fprintf(stderr,
                 "lantern: ask: query '%s'; retrieval %.1f ms; prompt %lld tokens (%lld evaluated) in %.1f ms; "
                 "%lld tokens generated in %.1f ms; total %.1f ms\n",
                 ui::sanitize(result->query, {.keep_newlines = false}).c_str(), t.retrieval_ms,
                 static_cast<long long>(t.prompt_tokens), static_cast<long long>(t.evaluated_tokens), t.prompt_ms,
                 static_cast<long long>(t.generated_tokens), t.decode_ms, t.total_ms);
  }
  return kExitOk;
}

}  // namespace

extern const CommandSpec kCmdAsk = {
    "ask",
    "answer a question from the knowledge base, citing sources",
    "ask QUESTION [--kb NAME] [-m MODEL] [-k K] [--json] [--no-kb] [OPTIONS]",
    "Retrieves the passages of the knowledge base that best match QUESTION, has the model answer "
    "from them with [n] citations, streams the answer, then lists the numbered sources (cited ones "
    "first). Passages are packed into the context (duplicates dropped, trimmed at sentences); every "
    "cut is reported on stderr. Without a model (-m or the config key 'model') the answer is the best "
    "matching sentences of the passages. Each question and answer is recorded (as SHA-256 hashes) in "
    "the audit log shown by 'lantern kb audit'. Reasoning of R1-style models is kept out of the "
    "answer (shown on stderr with -v, in \"reasoning\" with --json). Ctrl-C stops the answer.",
    {
        {"kb", 0, "NAME", "knowledge base to search (default: config kb.default, else 'default')"},
        {"model", 'm', "MODEL", "GGUF path, file in <home>/models, or Ollama name:tag (default: config 'model')"},
        {"k", 'k', "K", "passages to retrieve (default 6)"},
        {"json", 0, "", "print one JSON object: answer, reasoning, sources, timings"},
        {"no-kb", 0, "", "do not search; plain chat with the model"},
        {"system", 0, "TEXT", "your own system prompt, kept after the grounding rules"},
        {"temp", 0, "T", "sampling temperature (default 0.8; 0 = greedy)"},
        {"top-k", 0, "K", "top-k sampling (default 40)"},
        {"top-p", 0, "P", "top-p sampling (default 0.9)"},
        {"seed", 0, "S", "random seed for reproducible answers"},
        {"n", 'n', "N", "room for the answer in tokens, reasoning included (default 512)"},
        {"ctx", 0, "N", "context size in tokens (default: the model's, at most 4096)"},
        {"threads", 't', "N", "threads (default: one per core)"},
    },
    run_ask,
};

}  // namespace lantern::app
