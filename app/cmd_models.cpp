// `lantern models`: list GGUF models (models dir, paths, Ollama store).
//
// The one thing to know: listing must never fail because of one bad file. Each file is opened
// (header only, weights are never touched) and either summarized or shown with its error.
#include <cstdio>

#include "command.h"
#include "lantern/engine/model_store.h"
#include "lantern/json.h"
#include "lantern/ui/sanitize.h"

namespace lantern::app {
namespace {

std::string format_bytes(uint64_t n) {
  static const char* kUnits[] = {"B", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, kUnits[u]);
  return buf;
}

struct Row {
  engine::ModelEntry entry;
  Result<engine::ModelSummary> summary = Status::internal("not read");
};

std::string quant_of(const engine::ModelSummary& s) {
  if (!s.quant_mix.empty()) return s.quant_mix;
  return s.file_type.empty() ? "-" : s.file_type;
}

int run_models(Context& ctx) {
  const std::string ollama_dir = engine::default_ollama_dir();
  std::vector<engine::ModelEntry> entries = engine::discover_models(ctx.home, ctx.args.positional, ollama_dir);
  bool missing_path = false;
  std::vector<Row> rows;
  for (auto& e : entries) {
    Row r{e, Status::internal("not read")};
    if (!e.error.ok()) {
      r.summary = e.error;
      if (e.source == "path") missing_path = true;
    } else {
      r.summary = engine::summarize_model(e.path);
    }
    rows.push_back(std::move(r));
  }

  if (ctx.args.has("json")) {
    json::Value out = json::Value::array();
    for (const Row& r : rows) {
      json::Value o = json::Value::object();
      o.set("name", r.entry.name);
      o.set("path", r.entry.path);
      o.set("source", r.entry.source);
      if (r.summary.ok()) {
        const auto& s = *r.summary;
        o.set("arch", s.arch);
        o.set("model_name", s.model_name);
        o.set("n_params", s.n_params);
        o.set("params", s.params);
        o.set("file_type", s.file_type);
        o.set("quant_mix", s.quant_mix);
        o.set("file_bytes", s.file_bytes);
        o.set("context_length", static_cast<int64_t>(s.n_ctx_train));
        o.set("runnable", s.problem.empty());
        if (!s.problem.empty()) o.set("problem", s.problem);
      } else {
        o.set("error", r.summary.status().message());
      }
      out.push(std::move(o));
    }
    std::printf("%s\n", out.dump(2).c_str());
    return missing_path ? kExitFailure : kExitOk;
  }

  if (rows.empty()) {
    std::fprintf(stderr, "%s\n",
                 ui::sanitize("lantern: models: no GGUF models found in '" + ctx.home + "/models'" +
                              (ollama_dir.empty() ? std::string() : " or the Ollama store '" + ollama_dir + "'") +
                              " (give paths to list other files)")
                     .c_str());
    return kExitOk;
  }

  // Cells are sanitized before measuring: names and metadata come from files.
  std::vector<std::vector<std::string>> table = {{"NAME", "ARCH", "PARAMS", "QUANT", "SIZE", "CTX", "PATH"}};
  std::vector<std::string> notes(1);  // printed under the row of the same index
  for (const Row& r : rows) {
    auto clean = [](const std::string& s) { return ui::sanitize(s, {false, false}); };
    notes.push_back(r.summary.ok() && !r.summary->problem.empty() ? "cannot run: " + clean(r.summary->problem) : "");
    if (r.summary.ok()) {
      const auto& s = *r.summary;
      table.push_back({clean(r.entry.name), clean(s.arch.empty() ? "-" : s.arch), s.n_params ? s.params : "-",
                       clean(quant_of(s)),
                       format_bytes(s.file_bytes), s.n_ctx_train ? std::to_string(s.n_ctx_train) : "-",
                       clean(r.entry.path)});
    } else {
      table.push_back({clean(r.entry.name), "error: " + clean(r.summary.status().message())});
    }
  }
  std::vector<size_t> width(7, 0);
  for (const auto& row : table) {
    if (row.size() != 7) continue;
    for (size_t c = 0; c < 6; ++c) width[c] = std::max(width[c], row[c].size());
  }
  for (size_t i = 0; i < table.size(); ++i) {
    const auto& row = table[i];
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - std::min(width[c], row[c].size()) + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
    if (!notes[i].empty()) std::printf("%s%s\n", std::string(width[0] + 2, ' ').c_str(), notes[i].c_str());
  }
  return missing_path ? kExitFailure : kExitOk;
}

}  // namespace

extern const CommandSpec kCmdModels = {
    "models",
    "list GGUF models (models dir, paths, Ollama store)",
    "models [PATH...] [--json]",
    "Lists the GGUF files in <home>/models, in the PATHs given (files, or folders searched for *.gguf) and in "
    "the Ollama store ($OLLAMA_MODELS, else ~/.ollama/models), with architecture, parameter count, weight "
    "types, file size and training context length. A file that cannot be read is listed with its error. "
    "-m MODEL elsewhere accepts a path, a file name in <home>/models or an Ollama name:tag.",
    {{"json", 0, "", "print a JSON array instead of a table"}},
    run_models,
};

}  // namespace lantern::app
