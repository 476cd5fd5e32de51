// The chat UI's backend (lantern/ui/backend.h) over the real pieces: the grounded-answer pipeline
// (answer.h), the conversation store (conversation_store.h), system stats, and services for
// models and knowledge bases given as ChatServices (cmd_chat.cpp wires them to engine/ and kb/).
//
// Threading: the UI thread calls the Backend methods. Turns and model loads run one at a time on
// the `turn` worker, imports on the `import` worker; both post events through the sink. The
// pipeline objects (Conversation, model, source) are only touched on the turn worker, except when
// no turn is running (resume, /clear), which the busy flags guard.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "answer.h"
#include "conversation_store.h"
#include "lantern/ui/backend.h"
#include "system_stats.h"

namespace lantern::app {

using ProgressFn = std::function<void(double fraction, const std::string& label)>;

struct LoadedModel {
  std::unique_ptr<LanguageModel> model;
  std::string name;   // shown in the header
  std::string arch;
  std::string quant;
  int threads = 0;
};

struct ModelLoadOptions {
  int32_t n_ctx = 0;    // 0: the model's default
  int threads = 0;      // 0: all cores
};

// What the backend needs from engine/ and kb/. Any may be empty: the feature says it is missing.
struct ChatServices {
  std::function<Result<std::unique_ptr<KnowledgeSource>>()> open_source;
  std::function<Result<std::vector<ui::ModelEntry>>()> list_models;
  std::function<Result<LoadedModel>(const std::string& spec, const ModelLoadOptions& options,
                                    const ProgressFn& progress, const std::atomic<bool>* cancel)>
      load_model;
  // Imports into `kb`; returns a one-line summary ("12 files imported, 3 unchanged").
  std::function<Result<std::string>(const std::vector<std::string>& paths, const std::string& kb,
                                    const ProgressFn& progress, const std::atomic<bool>* cancel)>
      import;
  std::function<Result<std::vector<std::string>>()> list_kbs;
  // Documents and chunks in `kb` (-1, -1 when unknown).
  std::function<void(const std::string& kb, int64_t& docs, int64_t& chunks)> kb_counts;
  // Text around a chunk for the viewer.
  std::function<void(int64_t chunk_id, std::string& before, std::string& after)> chunk_context;
  std::vector<std::string> builtin_docs;
};

struct ChatSettings {
  std::string kb = "default";
  int k = 6;
  engine::SamplerParams sampling;
  int32_t max_tokens = 512;
  int32_t n_ctx = 0;
  int threads = 0;
  MemoryMode memory = MemoryMode::kWindow;
  std::string system_prompt;
};

class ChatBackend final : public ui::Backend {
 public:
  ChatBackend(ChatServices services, std::unique_ptr<ConversationStore> store, ChatSettings settings);
  ~ChatBackend() override;

  // Loads a model before the UI starts (the -m option); blocking, on the calling thread.
  Status load_model_now(const std::string& spec);

  void set_sink(ui::EventSink* sink) override;
  ui::BackendInfo info() override;
  void ask(const std::string& question) override;
  void regenerate() override;
  void cancel(ui::TaskKind task) override;
  bool busy(ui::TaskKind task) override;
  Result<std::vector<ui::ModelEntry>> list_models() override;
  void load_model(const std::string& name_or_path) override;
  Status use_kb(const std::string& name) override;
  Result<std::vector<std::string>> list_kbs() override;
  void import_paths(const std::vector<std::string>& paths) override;
  std::vector<std::string> builtin_docs() override { return services_.builtin_docs; }
  Status set_option(const std::string& key, const std::string& value) override;
  std::string describe_options() override;
  Status set_system_prompt(const std::string& text) override;
  Status new_session() override;
  Result<std::vector<ui::SessionEntry>> list_sessions() override;
  Result<ui::SessionView> resume_session(int64_t id) override;
  Result<ui::SessionView> current_session() override;
  Status rename_session(const std::string& title) override;
  Status export_session(const std::string& path) override;
  Status clear_context() override;
  ui::StatsView stats() override;

 private:
  // A thread running queued jobs in order.
  class Worker {
   public:
    Worker();
    ~Worker();
    void post(std::function<void()> job);

   private:
    void loop();
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> jobs_;
    bool stop_ = false;
    std::thread thread_;
  };

  void emit(ui::Event e);
  void run_turn(const std::string& question, bool regenerate);
  Status ensure_source();
  Result<int64_t> ensure_session(const std::string& first_question);
  void save_session_settings();
  ui::SourceView to_view(const NumberedPassage& p, const std::string& question);

  ChatServices services_;
  std::unique_ptr<ConversationStore> store_;
  std::mutex mu_;  // guards the fields below that both threads read
  ChatSettings settings_;
  int64_t session_id_ = 0;
  std::string session_title_;
  LoadedModel model_;
  std::unique_ptr<KnowledgeSource> source_;
  std::string source_error_;
  Conversation conversation_{nullptr, nullptr};
  int64_t ctx_used_ = 0;
  double last_prompt_tps_ = 0, last_decode_tps_ = 0;
  int64_t kb_docs_ = -1, kb_chunks_ = -1;

  std::mutex sink_mu_;
  ui::EventSink* sink_ = nullptr;

  std::atomic<bool> turn_busy_{false}, load_busy_{false}, import_busy_{false};
  std::atomic<bool> turn_cancel_{false}, load_cancel_{false}, import_cancel_{false};
  SystemStats system_;
  std::mutex stats_mu_;
  // Declared last: destroyed first, so jobs finish before the state they use goes away.
  Worker import_worker_;
  Worker turn_worker_;
};

}  // namespace lantern::app
