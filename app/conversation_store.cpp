// SQLite store of chat conversations; see conversation_store.h for the schema and the
// incomplete-row rule.
#include "conversation_store.h"

#include <sqlite3.h>

#include <chrono>

#include "lantern/json.h"

namespace lantern::app {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// RAII prepared statement with bind helpers; errors carry the database's message.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &st_, nullptr) != SQLITE_OK) st_ = nullptr;
  }
  ~Stmt() { sqlite3_finalize(st_); }
  bool ok() const { return st_ != nullptr; }
  Stmt& text(int i, const std::string& s) {
    sqlite3_bind_text(st_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& i64(int i, int64_t v) {
    sqlite3_bind_int64(st_, i, v);
    return *this;
  }
  int step() { return sqlite3_step(st_); }
  std::string col_text(int i) {
    const unsigned char* t = sqlite3_column_text(st_, i);
    return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(st_, i))) : "";
  }
  int64_t col_i64(int i) { return sqlite3_column_int64(st_, i); }
  Status error(const std::string& what) const {
    return Status::io_error("conversations database: " + what + ": " + sqlite3_errmsg(db_));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
};

const char* role_name(ui::Role r) {
  switch (r) {
    case ui::Role::kUser: return "user";
    case ui::Role::kAssistant: return "assistant";
    case ui::Role::kNotice: return "notice";
  }
  return "notice";
}

ui::Role role_from(const std::string& s) {
  if (s == "user") return ui::Role::kUser;
  if (s == "assistant") return ui::Role::kAssistant;
  return ui::Role::kNotice;
}

std::string stats_to_json(const ui::TurnStats& s) {
  json::Value o = json::Value::object();
  o.set("prompt_tokens", s.prompt_tokens);
  o.set("generated_tokens", s.generated_tokens);
  o.set("prompt_tps", s.prompt_tps);
  o.set("decode_tps", s.decode_tps);
  o.set("seconds", s.seconds);
  return o.dump();
}

ui::TurnStats stats_from_json(const std::string& text) {
  ui::TurnStats s;
  if (text.empty()) return s;
  auto v = json::parse(text);
  if (!v.ok() || !v->is_object()) return s;
  auto num = [&](const char* k) {
    const json::Value* f = v->find(k);
    return f ? f->as_number() : 0.0;
  };
  s.prompt_tokens = static_cast<int64_t>(num("prompt_tokens"));
  s.generated_tokens = static_cast<int64_t>(num("generated_tokens"));
  s.prompt_tps = num("prompt_tps");
  s.decode_tps = num("decode_tps");
  s.seconds = num("seconds");
  return s;
}

}  // namespace

std::string sources_to_json(const std::vector<ui::SourceView>& sources) {
  json::Value arr = json::Value::array();
  for (const auto& s : sources) {
    json::Value o = json::Value::object();
    o.set("n", s.n);
    o.set("title", s.title);
    o.set("path", s.path);
    o.set("location", s.location);
    o.set("score", s.score);
    o.set("snippet", s.snippet);
    json::Value hl = json::Value::array();
    for (const auto& h : s.highlights) hl.push(h);
    o.set("highlights", std::move(hl));
    o.set("text", s.text);
    arr.push(std::move(o));
  }
  return arr.dump();
}

std::vector<ui::SourceView> sources_from_json(const std::string& text) {
  std::vector<ui::SourceView> out;
  if (text.empty()) return out;
  auto v = json::parse(text);
  if (!v.ok() || !v->is_array()) return out;
  for (const json::Value& o : v->items()) {
    if (!o.is_object()) continue;
    ui::SourceView s;
    if (const json::Value* n = o.find("n")) s.n = static_cast<int>(n->as_int());
    s.title = o.get_string("title");
    s.path = o.get_string("path");
    s.location = o.get_string("location");
    if (const json::Value* sc = o.find("score")) s.score = sc->as_number();
    s.snippet = o.get_string("snippet");
    if (const json::Value* hl = o.find("highlights"); hl && hl->is_array()) {
      for (const auto& h : hl->items()) {
        if (h.is_string()) s.highlights.push_back(h.as_string());
      }
    }
    s.text = o.get_string("text");
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::unique_ptr<ConversationStore>> ConversationStore::open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::io_error("cannot open conversations database '" + path + "': " + msg);
  }
  sqlite3_busy_timeout(db, 2000);
  std::unique_ptr<ConversationStore> store(new ConversationStore(db));
  Status st = store->exec(
      "PRAGMA journal_mode=WAL;"
      "PRAGMA synchronous=NORMAL;"
      "PRAGMA foreign_keys=ON;"
      "CREATE TABLE IF NOT EXISTS sessions("
      "  id INTEGER PRIMARY KEY, title TEXT NOT NULL DEFAULT '', created_ms INTEGER NOT NULL,"
      "  updated_ms INTEGER NOT NULL, model TEXT NOT NULL DEFAULT '', kb TEXT NOT NULL DEFAULT '',"
      "  settings TEXT NOT NULL DEFAULT '', system_prompt TEXT NOT NULL DEFAULT '');"
      "CREATE TABLE IF NOT EXISTS messages("
      "  id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
      "  role TEXT NOT NULL, content TEXT NOT NULL DEFAULT '', reasoning TEXT NOT NULL DEFAULT '',"
      "  model TEXT NOT NULL DEFAULT '', sources TEXT NOT NULL DEFAULT '', stats TEXT NOT NULL DEFAULT '',"
      "  created_ms INTEGER NOT NULL, complete INTEGER NOT NULL DEFAULT 1);"
      "CREATE INDEX IF NOT EXISTS messages_by_session ON messages(session_id, id);");
  if (!st.ok()) return st.with_context(path);
  return store;
}

ConversationStore::~ConversationStore() { sqlite3_close(db_); }

Status ConversationStore::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::io_error("conversations database: " + msg);
  }
  return ok_status();
}

Status ConversationStore::touch(int64_t session_id) {
  Stmt s(db_, "UPDATE sessions SET updated_ms = ? WHERE id = ?");
  if (!s.ok()) return s.error("update");
  s.i64(1, now_ms()).i64(2, session_id);
  if (s.step() != SQLITE_DONE) return s.error("update session");
  return ok_status();
}

Result<int64_t> ConversationStore::create_session(const std::string& title, const std::string& model,
                                                  const std::string& kb, const std::string& settings,
                                                  const std::string& system_prompt) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "INSERT INTO sessions(title, created_ms, updated_ms, model, kb, settings, system_prompt) "
              "VALUES(?, ?, ?, ?, ?, ?, ?)");
  if (!s.ok()) return s.error("insert session");
  int64_t t = now_ms();
  s.text(1, title).i64(2, t).i64(3, t).text(4, model).text(5, kb).text(6, settings).text(7, system_prompt);
  if (s.step() != SQLITE_DONE) return s.error("insert session");
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Status ConversationStore::update_session(int64_t id, const std::string& model, const std::string& kb,
                                         const std::string& settings, const std::string& system_prompt) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "UPDATE sessions SET model = ?, kb = ?, settings = ?, system_prompt = ?, updated_ms = ? WHERE id = ?");
  if (!s.ok()) return s.error("update session");
  s.text(1, model).text(2, kb).text(3, settings).text(4, system_prompt).i64(5, now_ms()).i64(6, id);
  if (s.step() != SQLITE_DONE) return s.error("update session");
  return ok_status();
}

Status ConversationStore::rename_session(int64_t id, const std::string& title) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "UPDATE sessions SET title = ?, updated_ms = ? WHERE id = ?");
  if (!s.ok()) return s.error("rename session");
  s.text(1, title).i64(2, now_ms()).i64(3, id);
  if (s.step() != SQLITE_DONE) return s.error("rename session");
  if (sqlite3_changes(db_) == 0) return Status::not_found("no conversation #" + std::to_string(id));
  return ok_status();
}

Result<std::vector<ui::SessionEntry>> ConversationStore::list_sessions(int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT s.id, s.title, s.updated_ms, s.model, s.kb, "
              "(SELECT COUNT(*) FROM messages m WHERE m.session_id = s.id AND m.role != 'notice') "
              "FROM sessions s ORDER BY s.updated_ms DESC, s.id DESC LIMIT ?");
  if (!s.ok()) return s.error("list sessions");
  s.i64(1, limit);
  std::vector<ui::SessionEntry> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    ui::SessionEntry e;
    e.id = s.col_i64(0);
    e.title = s.col_text(1);
    e.updated_ms = s.col_i64(2);
    e.model = s.col_text(3);
    e.kb = s.col_text(4);
    e.n_messages = s.col_i64(5);
    out.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return s.error("list sessions");
  return out;
}

Result<StoredSession> ConversationStore::session(int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT id, title, updated_ms, model, kb, settings, system_prompt, "
              "(SELECT COUNT(*) FROM messages m WHERE m.session_id = sessions.id) FROM sessions WHERE id = ?");
  if (!s.ok()) return s.error("read session");
  s.i64(1, id);
  if (s.step() != SQLITE_ROW) return Status::not_found("no conversation #" + std::to_string(id) + " (see /sessions)");
  StoredSession out;
  out.entry.id = s.col_i64(0);
  out.entry.title = s.col_text(1);
  out.entry.updated_ms = s.col_i64(2);
  out.entry.model = s.col_text(3);
  out.entry.kb = s.col_text(4);
  out.settings = s.col_text(5);
  out.system_prompt = s.col_text(6);
  out.entry.n_messages = s.col_i64(7);
  return out;
}

Result<std::vector<ui::MessageView>> ConversationStore::messages(int64_t session_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT id, role, content, reasoning, model, sources, stats, complete FROM messages "
              "WHERE session_id = ? ORDER BY id");
  if (!s.ok()) return s.error("read messages");
  s.i64(1, session_id);
  std::vector<ui::MessageView> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    ui::MessageView m;
    m.id = s.col_i64(0);
    m.role = role_from(s.col_text(1));
    m.text = s.col_text(2);
    m.reasoning = s.col_text(3);
    m.model = s.col_text(4);
    m.sources = sources_from_json(s.col_text(5));
    m.stats = stats_from_json(s.col_text(6));
    if (m.role == ui::Role::kAssistant && s.col_i64(7) == 0) m.text += "\n\n[interrupted]";
    out.push_back(std::move(m));
  }
  if (rc != SQLITE_DONE) return s.error("read messages");
  return out;
}

Result<int64_t> ConversationStore::add_message(int64_t session_id, const ui::MessageView& m, bool complete) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "INSERT INTO messages(session_id, role, content, reasoning, model, sources, stats, created_ms, complete) "
              "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!s.ok()) return s.error("insert message");
  s.i64(1, session_id).text(2, role_name(m.role)).text(3, m.text).text(4, m.reasoning).text(5, m.model);
  s.text(6, m.sources.empty() ? "" : sources_to_json(m.sources)).text(7, stats_to_json(m.stats));
  s.i64(8, now_ms()).i64(9, complete ? 1 : 0);
  if (s.step() != SQLITE_DONE) return s.error("insert message");
  int64_t id = sqlite3_last_insert_rowid(db_);
  LT_RETURN_IF_ERROR(touch(session_id));
  return id;
}

Status ConversationStore::update_message(int64_t id, const ui::MessageView& m, bool complete) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "UPDATE messages SET content = ?, reasoning = ?, model = ?, sources = ?, stats = ?, complete = ? "
              "WHERE id = ?");
  if (!s.ok()) return s.error("update message");
  s.text(1, m.text).text(2, m.reasoning).text(3, m.model).text(4, m.sources.empty() ? "" : sources_to_json(m.sources));
  s.text(5, stats_to_json(m.stats)).i64(6, complete ? 1 : 0).i64(7, id);
  if (s.step() != SQLITE_DONE) return s.error("update message");
  return ok_status();
}

Status ConversationStore::delete_message(int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "DELETE FROM messages WHERE id = ?");
  if (!s.ok()) return s.error("delete message");
  s.i64(1, id);
  if (s.step() != SQLITE_DONE) return s.error("delete message");
  return ok_status();
}

std::string session_markdown(const std::string& title, const std::vector<ui::MessageView>& messages) {
  std::string out = "# " + (title.empty() ? std::string("lantern conversation") : title) + "\n\n";
  for (const auto& m : messages) {
    if (m.role == ui::Role::kUser) {
      out += "## Question\n\n" + m.text + "\n\n";
    } else if (m.role == ui::Role::kAssistant) {
      out += "## Answer" + (m.model.empty() ? std::string(" (extractive)") : " (" + m.model + ")") + "\n\n";
      out += m.text + "\n\n";
      if (!m.sources.empty()) {
        out += "Sources:\n\n";
        for (const auto& s : m.sources) {
          out += "- [" + std::to_string(s.n) + "] " + (s.title.empty() ? s.path : s.title);
          if (!s.location.empty()) out += ", " + s.location;
          if (!s.path.empty() && s.path != s.title) out += " (`" + s.path + "`)";
          out += "\n";
        }
        out += "\n";
      }
    }
  }
  return out;
}

}  // namespace lantern::app
