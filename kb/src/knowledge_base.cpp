// KnowledgeBase: opening lantern.db, knowledge bases, documents, chunks and the chunk viewer.
// The importer is in import.cpp, the audit log in audit.cpp.
//
// The one thing to know: open_file() creates the file with mode 0600 itself before SQLite sees
// it; SQLite then gives its -wal and -shm files the same mode.
#include "lantern/kb/knowledge_base.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>

#include "schema.h"
#include "sqlite_util.h"
#include "utf8.h"

namespace lantern::kb {
namespace {

constexpr const char* kDocColumns =
    "id, path, title, format, coalesce(size,0), coalesce(mtime_ms,0), coalesce(sha256,''), "
    "coalesce(imported_ms,0), status, coalesce(error,''), coalesce(n_chunks,0)";

DocumentInfo read_doc(const Stmt& s) {
  DocumentInfo d;
  d.id = s.col_int(0);
  d.path = s.col_text(1);
  d.title = s.col_text(2);
  d.format = s.col_text(3);
  d.size = s.col_int(4);
  d.mtime_ms = s.col_int(5);
  d.sha256 = s.col_text(6);
  d.imported_ms = s.col_int(7);
  d.status = s.col_text(8);
  d.error = s.col_text(9);
  d.n_chunks = s.col_int(10);
  return d;
}

constexpr const char* kChunkColumns = "id, doc_id, seq, text, coalesce(heading,''), coalesce(page,0), start, end";

Chunk read_chunk(const Stmt& s) {
  Chunk c;
  c.id = s.col_int(0);
  c.doc_id = s.col_int(1);
  c.seq = s.col_int(2);
  c.text = s.col_text(3);
  c.heading = s.col_text(4);
  c.page = s.col_int(5);
  c.start = s.col_int(6);
  c.end = s.col_int(7);
  return c;
}

std::string absolute_path(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(path, ec);
  if (ec) p = path;
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

const char* import_outcome_name(ImportOutcome outcome) {
  switch (outcome) {
    case ImportOutcome::kAdded: return "added";
    case ImportOutcome::kUpdated: return "updated";
    case ImportOutcome::kUnchanged: return "unchanged";
    case ImportOutcome::kSkipped: return "skipped";
    case ImportOutcome::kFailed: return "failed";
    case ImportOutcome::kPruned: return "pruned";
  }
  return "?";
}

int KnowledgeBase::schema_version() { return current_schema_version(); }

Result<std::unique_ptr<KnowledgeBase>> KnowledgeBase::open(const std::string& home) {
  return open_file(home + "/" + kDbFileName);
}

Result<std::unique_ptr<KnowledgeBase>> KnowledgeBase::open_file(const std::string& db_path) {
  int fd = ::open(db_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::from_errno("opening knowledge base '" + db_path + "'", errno);
  ::close(fd);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s = sqlite_error(db, "opening knowledge base '" + db_path + "'");
    sqlite3_close(db);
    return s;
  }
  std::unique_ptr<KnowledgeBase> kb(new KnowledgeBase(db, db_path));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_busy_timeout(db, 10000);
  auto setup = [&]() -> Status {
    // 16 KiB pages for a new database (a no-op on an existing one, whose page size is fixed): the
    // FTS5 index is written as 16000-byte leaves (search_index.cpp) and an import writes every
    // page several times over through the WAL (segment merges); with 4 KiB pages each leaf was a
    // chain of four pages, each written and read on its own. Chinese import: +7% CPU, +13% wall,
    // and searches at 100k-1M chunks ~5% faster (bench/RESULTS.md, Import, Search at scale).
    LT_RETURN_IF_ERROR(exec_sql(db, "PRAGMA page_size = 16384"));
    LT_ASSIGN_OR_RETURN(Stmt wal, Stmt::prepare(db, "PRAGMA journal_mode=WAL"));
    LT_ASSIGN_OR_RETURN(bool row, wal.step());
    if (!row || wal.col_text(0) != "wal") {
      return Status::io_error("could not switch to WAL mode (journal mode is '" + (row ? wal.col_text(0) : "") + "')");
    }
    wal.reset();
    LT_RETURN_IF_ERROR(exec_sql(db, "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL"));
    LT_RETURN_IF_ERROR(prepare_connection(db));
    return migrate(db);
  };
  Status s = setup();
  if (!s.ok()) return s.with_context("knowledge base '" + db_path + "'");
  return kb;
}

KnowledgeBase::~KnowledgeBase() { sqlite3_close_v2(db_); }

Status KnowledgeBase::check_kb_name(const std::string& name) {
  if (name.empty() || name.size() > 64) {
    return Status::invalid_argument("knowledge base name '" + name + "' must be 1 to 64 bytes long");
  }
  for (unsigned char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c >= 0x80;
    if (!ok) {
      return Status::invalid_argument("knowledge base name '" + name +
                                      "': use letters, digits, '-', '_' and '.' only");
    }
  }
  if (name[0] == '.') return Status::invalid_argument("knowledge base name '" + name + "' must not start with '.'");
  return ok_status();
}

Result<std::vector<KbInfo>> KnowledgeBase::list_kbs() {
  LT_ASSIGN_OR_RETURN(Stmt s, Stmt::prepare(db_, R"sql(
    SELECT k.id, k.name, k.created_ms, count(d.id), coalesce(sum(d.status = 'failed'), 0),
           coalesce(sum(d.n_chunks), 0), coalesce(sum(d.size), 0), coalesce(sum(d.text_chars), 0)
    FROM kbs k LEFT JOIN documents d ON d.kb_id = k.id GROUP BY k.id ORDER BY k.name)sql"));
  std::vector<KbInfo> out;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) break;
    KbInfo k;
    k.id = s.col_int(0);
    k.name = s.col_text(1);
    k.created_ms = s.col_int(2);
    k.n_documents = s.col_int(3);
    k.n_failed = s.col_int(4);
    k.n_chunks = s.col_int(5);
    k.total_bytes = s.col_int(6);
    k.text_chars = s.col_int(7);
    out.push_back(std::move(k));
  }
  return out;
}

Result<KbInfo> KnowledgeBase::kb_info(const std::string& name) {
  LT_ASSIGN_OR_RETURN(auto all, list_kbs());
  for (KbInfo& k : all) {
    if (k.name == name) return std::move(k);
  }
  return Status::not_found("no knowledge base named '" + name + "'");
}

Result<int64_t> KnowledgeBase::ensure_kb(const std::string& name) {
  LT_RETURN_IF_ERROR(check_kb_name(name));
  LT_ASSIGN_OR_RETURN(Stmt ins, Stmt::prepare(db_, "INSERT OR IGNORE INTO kbs(name, created_ms) VALUES(?, ?)"));
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  ins.bind(1, name).bind(2, now);
  LT_RETURN_IF_ERROR(ins.run());
  LT_ASSIGN_OR_RETURN(Stmt get, Stmt::prepare(db_, "SELECT id FROM kbs WHERE name = ?"));
  get.bind(1, name);
  LT_ASSIGN_OR_RETURN(bool row, get.step());
  if (!row) return Status::internal("knowledge base '" + name + "' vanished after creation");
  return get.col_int(0);
}

Status KnowledgeBase::remove_kb(const std::string& name) {
  Transaction tx(db_);
  LT_RETURN_IF_ERROR(tx.begin());
  LT_ASSIGN_OR_RETURN(Stmt del, Stmt::prepare(db_, "DELETE FROM kbs WHERE name = ?"));
  del.bind(1, name);
  LT_RETURN_IF_ERROR(del.run());
  if (sqlite3_changes(db_) == 0) return Status::not_found("no knowledge base named '" + name + "'");
  return tx.commit();
}

Result<std::vector<DocumentInfo>> KnowledgeBase::list_documents(const std::string& kb) {
  LT_ASSIGN_OR_RETURN(KbInfo info, kb_info(kb));
  LT_ASSIGN_OR_RETURN(Stmt s, Stmt::prepare(db_, std::string("SELECT ") + kDocColumns +
                                                     " FROM documents WHERE kb_id = ? ORDER BY path"));
  s.bind(1, info.id);
  std::vector<DocumentInfo> out;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) break;
    out.push_back(read_doc(s));
  }
  return out;
}

Result<DocumentInfo> KnowledgeBase::document(int64_t doc_id) {
  LT_ASSIGN_OR_RETURN(Stmt s, Stmt::prepare(db_, std::string("SELECT ") + kDocColumns + " FROM documents WHERE id = ?"));
  s.bind(1, doc_id);
  LT_ASSIGN_OR_RETURN(bool row, s.step());
  if (!row) return Status::not_found("no document with id " + std::to_string(doc_id));
  return read_doc(s);
}

Result<std::string> KnowledgeBase::document_text(int64_t doc_id) {
  LT_ASSIGN_OR_RETURN(Stmt s, Stmt::prepare(db_, "SELECT coalesce(text, '') FROM documents WHERE id = ?"));
  s.bind(1, doc_id);
  LT_ASSIGN_OR_RETURN(bool row, s.step());
  if (!row) return Status::not_found("no document with id " + std::to_string(doc_id));
  return s.col_text(0);
}

Result<int64_t> KnowledgeBase::forget(const std::string& kb, const std::string& path) {
  LT_ASSIGN_OR_RETURN(KbInfo info, kb_info(kb));
  std::string abs = absolute_path(path);
  Transaction tx(db_);
  LT_RETURN_IF_ERROR(tx.begin());
  LT_ASSIGN_OR_RETURN(Stmt del, Stmt::prepare(db_, "DELETE FROM documents WHERE kb_id = ?1 AND "
                                                   "(path = ?2 OR substr(path, 1, length(?3)) = ?3)"));
  del.bind(1, info.id).bind(2, abs).bind(3, abs == "/" ? abs : abs + "/");
  LT_RETURN_IF_ERROR(del.run());
  int64_t n = sqlite3_changes(db_);
  LT_RETURN_IF_ERROR(tx.commit());
  return n;
}

Result<Chunk> KnowledgeBase::chunk(int64_t chunk_id) {
  LT_ASSIGN_OR_RETURN(Stmt s, Stmt::prepare(db_, std::string("SELECT ") + kChunkColumns + " FROM chunks WHERE id = ?"));
  s.bind(1, chunk_id);
  LT_ASSIGN_OR_RETURN(bool row, s.step());
  if (!row) return Status::not_found("no chunk with id " + std::to_string(chunk_id));
  return read_chunk(s);
}

Result<std::vector<Chunk>> KnowledgeBase::chunks_of(int64_t doc_id) {
  LT_ASSIGN_OR_RETURN(Stmt s, Stmt::prepare(db_, std::string("SELECT ") + kChunkColumns +
                                                     " FROM chunks WHERE doc_id = ? ORDER BY seq"));
  s.bind(1, doc_id);
  std::vector<Chunk> out;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) break;
    out.push_back(read_chunk(s));
  }
  return out;
}

Result<ChunkView> KnowledgeBase::chunk_view(int64_t chunk_id, int64_t context_chars) {
  ChunkView v;
  LT_ASSIGN_OR_RETURN(v.chunk, chunk(chunk_id));
  LT_ASSIGN_OR_RETURN(v.document, document(v.chunk.doc_id));
  LT_ASSIGN_OR_RETURN(std::string text, document_text(v.chunk.doc_id));
  std::string_view t = text;
  int64_t from = std::max<int64_t>(0, v.chunk.start - std::max<int64_t>(0, context_chars));
  size_t b0 = byte_offset_of_cp(t, from);
  size_t b1 = byte_offset_of_cp(t, v.chunk.start);
  size_t b2 = byte_offset_of_cp(t, v.chunk.end);
  size_t b3 = byte_offset_of_cp(t, v.chunk.end + std::max<int64_t>(0, context_chars));
  v.before.assign(t.substr(b0, b1 - b0));
  v.after.assign(t.substr(b2, b3 - b2));
  LT_ASSIGN_OR_RETURN(Stmt n, Stmt::prepare(db_, "SELECT id FROM chunks WHERE doc_id = ? AND seq = ?"));
  n.bind(1, v.chunk.doc_id).bind(2, v.chunk.seq - 1);
  LT_ASSIGN_OR_RETURN(bool row, n.step());
  if (row) v.prev_chunk_id = n.col_int(0);
  n.reset();
  n.bind(1, v.chunk.doc_id).bind(2, v.chunk.seq + 1);
  LT_ASSIGN_OR_RETURN(row, n.step());
  if (row) v.next_chunk_id = n.col_int(0);
  return v;
}

}  // namespace lantern::kb
