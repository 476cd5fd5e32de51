// `lantern logits`: write float32 logits for every position of a token sequence (conformance).
//
// The one thing to know: this evaluates with a float32 KV cache, so float-weight models match the
// mathematical answer to rounding; the output is raw little-endian float32, [n_tokens][n_vocab].
#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

#include "command.h"
#include "lantern/engine/model.h"
#include "lantern/engine/model_store.h"
#include "lantern/engine/session.h"

namespace lantern::app {
namespace {

Result<std::vector<int32_t>> parse_tokens(const std::string& text) {
  std::vector<int32_t> ids;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    LT_ASSIGN_OR_RETURN(int64_t id, parse_int("--tokens", item, 0, INT32_MAX));
    ids.push_back(static_cast<int32_t>(id));
    start = comma + 1;
  }
  return ids;
}

int run_logits(Context& ctx) {
  const auto& a = ctx.args;
  if (!a.has("model")) return usage_error(ctx, "-m MODEL is required");
  if (!a.has("tokens")) return usage_error(ctx, "--tokens ID,ID,... is required");
  if (!a.has("out")) return usage_error(ctx, "--out FILE is required");
  auto tokens = parse_tokens(*a.get("tokens"));
  if (!tokens.ok()) return usage_error(ctx, tokens.status().message());
  auto threads = a.get_int("threads", 0, 0, 1024);
  if (!threads.ok()) return usage_error(ctx, threads.status().message());

  auto path = engine::resolve_model(*a.get("model"), ctx.home);
  if (!path.ok()) return runtime_error(ctx, path.status());
  engine::LoadOptions lo;
  lo.n_threads = static_cast<int32_t>(*threads);
  auto model = engine::Model::load(*path, lo);
  if (!model.ok()) return runtime_error(ctx, model.status());
  engine::SessionOptions so;
  so.n_ctx = static_cast<int32_t>(tokens->size());
  so.kv_type = engine::KvType::kF32;
  auto session = engine::Session::create(*model, so);
  if (!session.ok()) return runtime_error(ctx, session.status());
  auto logits = (*session)->logits_all(*tokens);
  if (!logits.ok()) return runtime_error(ctx, logits.status());

  const std::string out = *a.get("out");
  FILE* f = std::fopen(out.c_str(), "wb");
  if (!f) return runtime_error(ctx, Status::from_errno("open '" + out + "'", errno));
  const size_t n = logits->size();
  const bool wrote = std::fwrite(logits->data(), sizeof(float), n, f) == n;
  if (std::fclose(f) != 0 || !wrote) return runtime_error(ctx, Status::from_errno("write '" + out + "'", errno));
  if (ctx.verbose) {
    std::fprintf(stderr, "%zu tokens x %d vocab -> %s (%.1f ms)\n", tokens->size(), (*model)->info().n_vocab,
                 out.c_str(), (*session)->timings().prompt_ms);
  }
  return kExitOk;
}

}  // namespace

extern const CommandSpec kCmdLogits = {
    "logits",
    "write float32 logits for a token sequence",
    "logits -m MODEL --tokens ID,ID,... --out FILE [-t THREADS]",
    "Evaluates the token ids in one sequence (no BOS is added) and writes the logits of every position "
    "to FILE as little-endian float32, row-major [n_tokens][n_vocab], for conformance checks against "
    "other engines. The KV cache is float32 here.",
    {{"model", 'm', "MODEL", "GGUF path, file name in <home>/models, or Ollama name:tag"},
     {"tokens", 0, "IDS", "comma-separated token ids"},
     {"out", 'o', "FILE", "output file"},
     {"threads", 't', "N", "threads (default: one per core; 1 for models under 32 MiB)"}},
    run_logits,
};

}  // namespace lantern::app
