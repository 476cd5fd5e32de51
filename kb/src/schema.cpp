// Schema migrations for lantern.db: kbs, documents, chunks, audit, and the search index.
//
// The search index (chunk_fts, tokenizer 'lantern') belongs to search_index.h; it is created by
// a migration here because documents and chunks are written here, and triggers on `chunks` keep
// it in sync, so the importer only inserts and deletes chunk rows.
#include "schema.h"

#include <string>
#include <vector>

#include "sqlite_util.h"

#include "search_index.h"

namespace lantern::kb {
namespace {

struct Migration {
  const char* what;
  Status (*apply)(sqlite3* db);
};

Status migration_1_store(sqlite3* db) {
  return exec_sql(db, R"sql(
CREATE TABLE kbs(
  id INTEGER PRIMARY KEY,
  name TEXT UNIQUE NOT NULL,
  created_ms INTEGER NOT NULL);
CREATE TABLE documents(
  id INTEGER PRIMARY KEY,
  kb_id INTEGER NOT NULL REFERENCES kbs(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  title TEXT NOT NULL,
  format TEXT NOT NULL,
  size INTEGER,
  mtime_ms INTEGER,
  sha256 TEXT,
  imported_ms INTEGER,
  status TEXT NOT NULL,
  error TEXT,
  text TEXT,
  n_chunks INTEGER,
  text_chars INTEGER,
  UNIQUE(kb_id, path));
CREATE TABLE chunks(
  id INTEGER PRIMARY KEY,
  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  text TEXT NOT NULL,
  heading TEXT,
  page INTEGER,
  start INTEGER NOT NULL,
  end INTEGER NOT NULL);
CREATE INDEX chunks_doc ON chunks(doc_id, seq);
CREATE INDEX documents_kb ON documents(kb_id, path);
CREATE TABLE audit(
  id INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  os_user TEXT,
  kb TEXT,
  model TEXT,
  question_sha256 TEXT,
  answer_sha256 TEXT,
  sources TEXT,
  latency_ms INTEGER);
)sql");
}

// The FTS5 index over chunks (search_index.h); its triggers index every chunk written later.
Status migration_2_search(sqlite3* db) { return create_search_schema(db); }

// Faster-importing FTS5 options for stores created before migration 2 set them (same index).
Status migration_3_search_tuning(sqlite3* db) { return tune_search_index(db); }

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kAll = {
      {"store: kbs, documents, chunks, audit", migration_1_store},
      {"search index: chunk_fts", migration_2_search},
      {"search index: FTS5 write options", migration_3_search_tuning},
  };
  return kAll;
}

}  // namespace

int current_schema_version() { return static_cast<int>(migrations().size()); }

Status prepare_connection(sqlite3* db) {
  // The 'lantern' FTS5 tokenizer must exist before chunk_fts is touched.
  LT_RETURN_IF_ERROR(register_fts_tokenizer(db));
  return ok_status();
}

Status migrate(sqlite3* db) {
  LT_ASSIGN_OR_RETURN(Stmt get, Stmt::prepare(db, "PRAGMA user_version"));
  LT_ASSIGN_OR_RETURN(bool row, get.step());
  int version = row ? static_cast<int>(get.col_int(0)) : 0;
  get.reset();
  const auto& all = migrations();
  if (version > static_cast<int>(all.size())) {
    return Status::unsupported("database schema version " + std::to_string(version) +
                               " is newer than this lantern understands (" + std::to_string(all.size()) +
                               "); use a newer lantern");
  }
  for (int v = version; v < static_cast<int>(all.size()); ++v) {
    Transaction tx(db);
    LT_RETURN_IF_ERROR(tx.begin());
    // Re-read inside the write lock: another process may have migrated meanwhile.
    LT_ASSIGN_OR_RETURN(bool again, get.step());
    int now = again ? static_cast<int>(get.col_int(0)) : 0;
    get.reset();
    if (now > v) {
      LT_RETURN_IF_ERROR(tx.commit());
      v = now - 1;
      continue;
    }
    Status s = all[v].apply(db);
    if (!s.ok()) return s.with_context("schema migration " + std::to_string(v + 1) + " (" + all[v].what + ")");
    LT_RETURN_IF_ERROR(exec_sql(db, "PRAGMA user_version = " + std::to_string(v + 1)));
    LT_RETURN_IF_ERROR(tx.commit());
  }
  return ok_status();
}

}  // namespace lantern::kb
