// ChatServices over what engine/ and kb/ provide; see chat_services.h.
//
// SQLite connections are per thread of use: the knowledge source (KbKnowledgeSource, on the turn worker)
// and each import (on the import worker) open their own; the small lookups from any thread
// (counts, names, chunk context) share one connection behind a mutex.
#include "chat_services.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include "lantern/engine/model_store.h"
#include "lantern/kb/knowledge_base.h"
#include "engine_language_model.h"
#include "kb_knowledge_source.h"

namespace lantern::app {
namespace {

// One shared connection for quick lookups from any thread.
struct SharedKb {
  std::string home;
  std::mutex mu;
  std::unique_ptr<kb::KnowledgeBase> db;
  kb::KnowledgeBase* get() {
    if (!db) {
      auto opened = kb::KnowledgeBase::open(home);
      if (opened.ok()) db = std::move(opened).value();
    }
    return db.get();
  }
};

std::string import_summary(const kb::ImportReport& r) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "import done: %lld added, %lld updated, %lld unchanged, %lld skipped, %lld failed; %lld chunks in %.1f s",
                static_cast<long long>(r.added), static_cast<long long>(r.updated),
                static_cast<long long>(r.unchanged), static_cast<long long>(r.skipped),
                static_cast<long long>(r.failed), static_cast<long long>(r.chunks), r.seconds);
  std::string out = buf;
  for (const auto& f : r.files) {
    if (f.outcome == kb::ImportOutcome::kFailed) {
      out += " · failed: " + f.path + (f.reason.empty() ? "" : " (" + f.reason + ")");
      break;  // the first one; `lantern kb docs` lists them all
    }
  }
  return out;
}

}  // namespace

ChatServices make_chat_services(const Context& ctx) {
  ChatServices s;
  std::string home = ctx.home;
  auto shared = std::make_shared<SharedKb>();
  shared->home = home;

  s.open_source = [home]() -> Result<std::unique_ptr<KnowledgeSource>> {
    LT_ASSIGN_OR_RETURN(auto source, KbKnowledgeSource::open(home));
    return std::unique_ptr<KnowledgeSource>(std::move(source));
  };

  // A model for the answer pipeline: resolved like -m, loaded by the engine, wrapped with its own
  // conversation session (KV cache kept across turns). Loading is not interruptible; `cancel` is
  // honoured by the backend once it returns.
  s.load_model = [home](const std::string& spec, const ModelLoadOptions& options, const ProgressFn& progress,
                        const std::atomic<bool>*) -> Result<LoadedModel> {
    LT_ASSIGN_OR_RETURN(std::string path, engine::resolve_model(spec, home));
    ModelOpenOptions mo;
    mo.n_ctx = options.n_ctx;
    mo.n_threads = options.threads;
    if (progress) mo.progress = [&progress](float f) { progress(f, "loading model"); };
    LT_ASSIGN_OR_RETURN(auto model, EngineLanguageModel::load(path, mo));
    LoadedModel out;
    const engine::ModelInfo& info = model->model().info();
    out.name = info.name;
    out.arch = info.arch;
    out.quant = info.quant;
    out.threads = model->model().n_threads();
    out.model = std::move(model);
    return out;
  };

  s.list_models = [home]() -> Result<std::vector<ui::ModelEntry>> {
    std::vector<ui::ModelEntry> out;
    for (const auto& m : engine::discover_models(home, {}, engine::default_ollama_dir())) {
      ui::ModelEntry e;
      e.name = m.name;
      e.path = m.path;
      e.origin = m.source == "models" ? "models dir" : m.source;
      if (!m.error.ok()) {
        e.detail = "unusable: " + m.error.message();
      } else if (auto sum = engine::summarize_model(m.path); sum.ok()) {
        e.size_bytes = sum->file_bytes;
        e.detail = sum->arch;
        if (!sum->params.empty()) e.detail += " " + sum->params;
        if (!sum->file_type.empty()) e.detail += " " + sum->file_type;
      }
      out.push_back(std::move(e));
    }
    return out;
  };

  s.load_model = [home](const std::string& spec, const ModelLoadOptions& options, const ProgressFn& progress,
                         const std::atomic<bool>* cancel) -> Result<LoadedModel> {
    LT_ASSIGN_OR_RETURN(std::string path, engine::resolve_model(spec, home));
    ModelOpenOptions mo;
    mo.n_ctx = options.n_ctx;
    mo.n_threads = options.threads;
    std::string label = "loading " + spec;
    if (progress) mo.progress = [progress, label](float f) { progress(f, label); };
    LT_ASSIGN_OR_RETURN(auto lm, EngineLanguageModel::load(path, mo));
    // Loading cannot be interrupted part-way; a cancel asked meanwhile drops the result.
    if (cancel && *cancel) return Status::cancelled("model load cancelled");
    LoadedModel out;
    const engine::ModelInfo& info = lm->model().info();
    // Named as the user knows it: the file name without .gguf, or the Ollama name:tag.
    std::string shown = spec;
    if (path == spec || spec.find('/') != std::string::npos || (spec.size() > 5 && spec.rfind(".gguf") == spec.size() - 5)) {
      shown = path.substr(path.find_last_of('/') + 1);
      if (shown.size() > 5 && shown.compare(shown.size() - 5, 5, ".gguf") == 0) shown.resize(shown.size() - 5);
    }
    out.name = shown.empty() ? info.name : shown;
    out.arch = info.arch;
    out.quant = info.quant;
    out.threads = options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
    out.model = std::move(lm);
    return out;
  };

  s.import = [home](const std::vector<std::string>& paths, const std::string& kb_name, const ProgressFn& progress,
                    const std::atomic<bool>* cancel) -> Result<std::string> {
    LT_ASSIGN_OR_RETURN(auto db, kb::KnowledgeBase::open(home));
    kb::ImportOptions opts;
    opts.kb = kb_name;
    opts.cancel = const_cast<std::atomic<bool>*>(cancel);  // the importer only reads it
    opts.progress = [&](const kb::ImportProgress& p) {
      if (!progress) return;
      double f = p.bytes_total > 0 ? static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total)
                 : p.files_total > 0 ? static_cast<double>(p.files_done) / static_cast<double>(p.files_total)
                                     : -1;
      std::string name = p.current_path;
      if (size_t slash = name.find_last_of('/'); slash != std::string::npos) name = name.substr(slash + 1);
      progress(f, std::to_string(p.files_done) + "/" + std::to_string(p.files_total) + " files" +
                      (name.empty() ? "" : ": " + name));
    };
    LT_ASSIGN_OR_RETURN(kb::ImportReport report, db->import(paths, opts));
    if (report.cancelled) return Status::cancelled("import cancelled");
    return import_summary(report);
  };

  s.list_kbs = [shared]() -> Result<std::vector<std::string>> {
    std::lock_guard<std::mutex> lock(shared->mu);
    kb::KnowledgeBase* db = shared->get();
    if (!db) return Status::io_error("cannot open the knowledge base in " + shared->home);
    LT_ASSIGN_OR_RETURN(auto kbs, db->list_kbs());
    std::vector<std::string> names;
    for (const auto& k : kbs) names.push_back(k.name + " (" + std::to_string(k.n_chunks) + " chunks)");
    return names;
  };

  s.kb_counts = [shared](const std::string& name, int64_t& docs, int64_t& chunks) {
    std::lock_guard<std::mutex> lock(shared->mu);
    docs = chunks = -1;
    kb::KnowledgeBase* db = shared->get();
    if (!db) return;
    auto info = db->kb_info(name);
    if (info.ok()) {
      docs = info->n_documents;
      chunks = info->n_chunks;
    } else if (info.status().code() == StatusCode::kNotFound) {
      docs = chunks = 0;
    }
  };

  s.chunk_context = [shared](int64_t chunk_id, std::string& before, std::string& after) {
    std::lock_guard<std::mutex> lock(shared->mu);
    kb::KnowledgeBase* db = shared->get();
    if (!db) return;
    auto view = db->chunk_view(chunk_id, 600);
    if (!view.ok()) return;
    before = view->before;
    after = view->after;
  };
  return s;
}

}  // namespace lantern::app
