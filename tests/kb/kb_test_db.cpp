// TestDb: the contract tables written out by hand (the store's real schema lives in C1's code).
#include "kb_test_db.h"

#include <gtest/gtest.h>

#include "search_index.h"

namespace lantern::kb::testing {

TestDb::TestDb(const std::string& path) {
  EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
  exec("PRAGMA foreign_keys = ON");
  auto st = register_fts_tokenizer(db_);
  EXPECT_TRUE(st.ok()) << st.to_string();
  exec(R"sql(
CREATE TABLE IF NOT EXISTS kbs(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, created_ms INTEGER);
CREATE TABLE IF NOT EXISTS documents(id INTEGER PRIMARY KEY, kb_id INTEGER NOT NULL REFERENCES kbs(id) ON DELETE CASCADE,
  path TEXT NOT NULL, title TEXT, format TEXT, size INTEGER, mtime_ms INTEGER, sha256 TEXT, imported_ms INTEGER,
  status TEXT, error TEXT, text TEXT, n_chunks INTEGER, UNIQUE(kb_id, path));
CREATE TABLE IF NOT EXISTS chunks(id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  seq INTEGER, text TEXT NOT NULL, heading TEXT, page INTEGER, start INTEGER, "end" INTEGER);
)sql");
  st = create_search_schema(db_);
  EXPECT_TRUE(st.ok()) << st.to_string();
}

TestDb::~TestDb() { sqlite3_close(db_); }

void TestDb::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "") << " in: " << sql;
  sqlite3_free(err);
}

int64_t TestDb::scalar(const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
  int64_t v = -1;
  if (st && sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

int64_t TestDb::add_kb(const std::string& name) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, "INSERT INTO kbs(name, created_ms) VALUES (?, 0)", -1, &st, nullptr);
  sqlite3_bind_text(st, 1, name.c_str(), -1, SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(db_);
  sqlite3_finalize(st);
  return sqlite3_last_insert_rowid(db_);
}

int64_t TestDb::add_document(int64_t kb_id, const std::string& path, const std::string& title) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, "INSERT INTO documents(kb_id, path, title, format, status, text, n_chunks) VALUES (?, ?, ?, 'txt', 'ok', '', 0)",
                     -1, &st, nullptr);
  sqlite3_bind_int64(st, 1, kb_id);
  sqlite3_bind_text(st, 2, path.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, title.c_str(), -1, SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(db_);
  sqlite3_finalize(st);
  return sqlite3_last_insert_rowid(db_);
}

int64_t TestDb::add_chunk(int64_t doc_id, const std::string& text, const std::string& heading, std::optional<int> page) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, "INSERT INTO chunks(doc_id, seq, text, heading, page, start, \"end\") VALUES (?, ?, ?, ?, ?, 0, ?)",
                     -1, &st, nullptr);
  sqlite3_bind_int64(st, 1, doc_id);
  sqlite3_bind_int64(st, 2, seq_++);
  sqlite3_bind_text(st, 3, text.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, heading.c_str(), -1, SQLITE_TRANSIENT);
  if (page) sqlite3_bind_int(st, 5, *page); else sqlite3_bind_null(st, 5);
  sqlite3_bind_int64(st, 6, static_cast<int64_t>(text.size()));
  EXPECT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(db_);
  sqlite3_finalize(st);
  return sqlite3_last_insert_rowid(db_);
}

}  // namespace lantern::kb::testing
