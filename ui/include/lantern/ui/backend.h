// The abstract backend the chat UI (TUI and plain REPL) talks to; app/ implements it.
//
// The one thing to know: the UI calls these from its own thread. Quick calls (lists, settings,
// sessions: SQLite and directory scans) return directly. Long work (a turn, a model load, an
// import) returns at once, runs on the backend's worker threads, and reports through
// EventSink::post, which may be called from any thread. Every long task ends with exactly one
// kDone or kError event for its TaskKind; a cancelled task ends with kDone and cancelled = true.
#pragma once

#include <string>
#include <vector>

#include "lantern/status.h"
#include "lantern/ui/views.h"

namespace lantern::ui {

enum class TaskKind { kTurn, kModelLoad, kImport };

enum class EventKind {
  kSources,    // turn: the passages for this answer (before or during the answer)
  kReasoning,  // turn: a piece of reasoning text (separated from the answer)
  kAnswer,     // turn: a piece of answer text (may itself contain <think> tags)
  kNotice,     // any task: a one-line note for the user (truncation, fallback, warnings)
  kProgress,   // load/import: fraction and a label ("12/40 files: notes.md")
  kDone,       // the task finished (stats for turns; text = summary for load/import)
  kError,      // the task failed; text is the message
};

struct Event {
  TaskKind task = TaskKind::kTurn;
  EventKind kind = EventKind::kNotice;
  std::string text;
  std::vector<SourceView> sources;  // kSources
  TurnStats stats;                  // kDone of a turn
  double fraction = -1;             // kProgress: 0..1, or -1 when unknown
  bool cancelled = false;           // kDone: stopped on request
  int64_t message_id = 0;           // kDone of a turn: id of the stored answer
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void post(Event event) = 0;  // thread-safe; must not block for long
};

class Backend {
 public:
  virtual ~Backend() = default;

  // Events of long tasks go here (set once, before any task starts).
  virtual void set_sink(EventSink* sink) = 0;
  virtual BackendInfo info() = 0;

  // ---- turns ----
  // Answers `question` in the current session: retrieval, then generation with a model or an
  // extractive answer without one. Events: kSources, kReasoning*, kAnswer*, kNotice*, kDone|kError.
  // The question and the answer are stored in the session as they happen.
  virtual void ask(const std::string& question) = 0;
  // Drops the last answer and answers its question again (same events as ask).
  virtual void regenerate() = 0;
  // Requests a stop of the running task of that kind; it ends with kDone{cancelled}.
  virtual void cancel(TaskKind task) = 0;
  virtual bool busy(TaskKind task) = 0;

  // ---- models ----
  virtual Result<std::vector<ModelEntry>> list_models() = 0;
  // Loads a model by name or path in the background (kProgress, kDone|kError of kModelLoad).
  virtual void load_model(const std::string& name_or_path) = 0;

  // ---- knowledge bases ----
  virtual Status use_kb(const std::string& name) = 0;
  virtual Result<std::vector<std::string>> list_kbs() = 0;
  // Imports files and folders into the current knowledge base in the background.
  virtual void import_paths(const std::vector<std::string>& paths) = 0;
  // lantern's own documentation (README, man page, docs/) for the first-run import.
  virtual std::vector<std::string> builtin_docs() = 0;

  // ---- settings ----
  // One "key=value" setting (temp, top_p, top_k, ctx, k, max_tokens, threads, seed, ...).
  virtual Status set_option(const std::string& key, const std::string& value) = 0;
  virtual std::string describe_options() = 0;  // "temp=0.7 top_p=0.9 ..."
  virtual Status set_system_prompt(const std::string& text) = 0;

  // ---- sessions ----
  virtual Status new_session() = 0;
  virtual Result<std::vector<SessionEntry>> list_sessions() = 0;
  virtual Result<SessionView> resume_session(int64_t id) = 0;
  virtual Result<SessionView> current_session() = 0;
  virtual Status rename_session(const std::string& title) = 0;
  virtual Status export_session(const std::string& path) = 0;  // Markdown
  // Forgets the conversation so far for the model's context (messages stay stored).
  virtual Status clear_context() = 0;

  // ---- stats ----
  virtual StatsView stats() = 0;
};

}  // namespace lantern::ui
