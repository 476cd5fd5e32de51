// Saved chat conversations: `<home>/conversations.db` (SQLite), written as a conversation happens
// so that it can be resumed after a restart or a crash.
//
// Tables: sessions(id, title, created_ms, updated_ms, model, kb, settings, system_prompt) and
// messages(id, session_id, role 'user'|'assistant'|'notice', content, reasoning, model, sources
// (JSON), stats (JSON), created_ms, complete). An assistant row is inserted when its answer starts
// (complete = 0) and updated while it streams and when it ends (complete = 1); a row left at 0 is
// an answer interrupted by a crash, resumed as it was.
// Threading: every method locks one mutex around the one connection; call from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lantern/status.h"
#include "lantern/ui/views.h"

struct sqlite3;

namespace lantern::app {

struct StoredSession {
  ui::SessionEntry entry;
  std::string settings;       // "temp=0.7 top_p=0.9 ..."
  std::string system_prompt;
};

class ConversationStore {
 public:
  static Result<std::unique_ptr<ConversationStore>> open(const std::string& path);
  ~ConversationStore();

  Result<int64_t> create_session(const std::string& title, const std::string& model, const std::string& kb,
                                 const std::string& settings, const std::string& system_prompt);
  Status update_session(int64_t id, const std::string& model, const std::string& kb, const std::string& settings,
                        const std::string& system_prompt);
  Status rename_session(int64_t id, const std::string& title);
  Result<std::vector<ui::SessionEntry>> list_sessions(int limit = 200);
  Result<StoredSession> session(int64_t id);
  Result<std::vector<ui::MessageView>> messages(int64_t session_id);

  // Appends a message; returns its id.
  Result<int64_t> add_message(int64_t session_id, const ui::MessageView& message, bool complete);
  // Updates the text (streaming) and, when `complete`, everything else too.
  Status update_message(int64_t id, const ui::MessageView& message, bool complete);
  Status delete_message(int64_t id);

 private:
  explicit ConversationStore(sqlite3* db) : db_(db) {}
  Status exec(const char* sql);
  Status touch(int64_t session_id);

  std::mutex mu_;
  sqlite3* db_;
};

// JSON forms used in the messages table (and by /export).
std::string sources_to_json(const std::vector<ui::SourceView>& sources);
std::vector<ui::SourceView> sources_from_json(const std::string& json);

// The conversation as Markdown (title, questions, answers, their sources).
std::string session_markdown(const std::string& title, const std::vector<ui::MessageView>& messages);

}  // namespace lantern::app
