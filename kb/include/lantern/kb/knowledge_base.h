// The knowledge base: one SQLite file (<home>/lantern.db) holding named knowledge bases, their
// documents, the chunks search returns, and the audit log.
//
// The one thing to know before editing: a KnowledgeBase object owns one SQLite connection and is
// used by one thread at a time. To import on a worker thread while another thread searches, open
// a second KnowledgeBase on the same home (SQLite WAL lets readers and one writer run together;
// a busy writer is waited for up to 10 s). Every document is written in its own transaction, so a
// crash or kill leaves each previously committed document whole and a re-run finishes the job.
//
// Offsets: Chunk::start/end and the viewer's offsets count Unicode code points (not bytes) into
// the document's extracted text (documents.text), the same unit as SQLite's substr().
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lantern/sha256.h"  // sha256_hex: document and audit hashes
#include "lantern/status.h"

struct sqlite3;

namespace lantern::kb {

constexpr const char* kDefaultKb = "default";
constexpr const char* kDbFileName = "lantern.db";

// ---- records ------------------------------------------------------------------------------------

struct KbInfo {
  int64_t id = 0;
  std::string name;
  int64_t created_ms = 0;
  int64_t n_documents = 0;  // including failed ones
  int64_t n_failed = 0;     // documents whose last import failed (no chunks)
  int64_t n_chunks = 0;
  int64_t total_bytes = 0;  // sum of file sizes
  int64_t text_chars = 0;   // sum of extracted text lengths (code points)
};

struct DocumentInfo {
  int64_t id = 0;
  std::string path;    // absolute, as given (symlinks not resolved)
  std::string title;
  std::string format;  // "txt", "md", "html", "pdf", "docx", "csv", "json", "code", "text"
  int64_t size = 0;
  int64_t mtime_ms = 0;
  std::string sha256;  // of the file's bytes, lowercase hex
  int64_t imported_ms = 0;
  std::string status;  // "ok" or "failed"
  std::string error;   // why it failed; empty when ok
  int64_t n_chunks = 0;
};

struct Chunk {
  int64_t id = 0;
  int64_t doc_id = 0;
  int64_t seq = 0;      // 0-based position within the document
  std::string text;     // original text for display (= documents.text[start, end))
  std::string heading;  // heading path "H1 > H2", empty when none
  int64_t page = 0;     // 1-based; 0 when the format has no pages
  int64_t start = 0;    // code point offsets into the document's extracted text
  int64_t end = 0;
};

// A chunk with the text around it, for the source viewer.
struct ChunkView {
  Chunk chunk;
  DocumentInfo document;
  std::string before;  // up to context_chars code points of text before the chunk
  std::string after;   // ... and after it
  int64_t prev_chunk_id = 0;  // neighbours in the document, 0 when none
  int64_t next_chunk_id = 0;
};

struct AuditEntry {
  int64_t id = 0;
  int64_t time_ms = 0;  // 0 on append: now
  std::string os_user;
  std::string kb;
  std::string model;
  std::string question_sha256;
  std::string answer_sha256;
  std::string sources_json;  // a JSON array describing the cited chunks
  int64_t latency_ms = 0;
};

// ---- import -------------------------------------------------------------------------------------

// Chunk sizes are measured in "weight": a CJK character (Han, kana, Hangul, full-width forms)
// weighs 2, any other character 1, so the default 500 holds about 100 English words or about 250
// Chinese characters - roughly the same amount of meaning and of LLM tokens.
struct ChunkOptions {
  int target = 500;  // chunk size aimed for
  int overlap = 60;  // weight of trailing sentences repeated at the start of the next chunk (~12%)
};

// Caps against hostile files; each hit is a per-file error naming the cap.
struct ImportLimits {
  int64_t max_file_bytes = 256LL << 20;         // files larger than this are skipped
  int64_t max_docx_uncompressed = 128LL << 20;  // bytes of XML inflated from one DOCX
  int64_t max_docx_entries = 10000;             // zip entries in one DOCX
  int max_depth = 256;                          // HTML/XML element and JSON nesting
  double pdf_time_limit_s = 30;                 // wall time for one PDF's text extraction
};

struct ImportProgress {
  int64_t files_done = 0;
  int64_t files_total = 0;
  int64_t bytes_done = 0;
  int64_t bytes_total = 0;
  double elapsed_s = 0;
  std::string current_path;  // the file being imported now (empty when finished)
};

enum class ImportOutcome { kAdded, kUpdated, kUnchanged, kSkipped, kFailed, kPruned };
const char* import_outcome_name(ImportOutcome outcome);

struct FileReport {
  std::string path;
  ImportOutcome outcome = ImportOutcome::kSkipped;
  std::string reason;  // for skipped / failed
  int64_t n_chunks = 0;
};

struct ImportReport {
  int64_t added = 0, updated = 0, unchanged = 0, skipped = 0, failed = 0, pruned = 0;
  int64_t bytes = 0;         // bytes of files read
  int64_t text_bytes = 0;    // bytes of extracted UTF-8 text
  int64_t chunks = 0;        // chunks written
  double seconds = 0;
  bool cancelled = false;    // stopped by *cancel; files_left were not looked at
  int64_t files_left = 0;
  int64_t missing_paths = 0; // PATH arguments that did not exist (listed as failed)
  std::vector<FileReport> files;  // every file but the unchanged ones, in import order
};

struct ImportOptions {
  std::string kb = kDefaultKb;
  std::vector<std::string> exclude;  // globs: without '/' matched against each name, else the path
  bool prune = false;  // forget documents under the given paths whose files are gone
  ChunkOptions chunking;
  ImportLimits limits;
  // Called from the importing thread before each file and once at the end.
  std::function<void(const ImportProgress&)> progress;
  // Checked between documents: when it becomes true the import stops after the current one.
  const std::atomic<bool>* cancel = nullptr;
  // Test hook: fail the write of any document after this many chunks were inserted (-1: never).
  int64_t fail_after_chunks_for_testing = -1;
};

// ---- the store ----------------------------------------------------------------------------------

class KnowledgeBase {
 public:
  // Opens (creating if needed, mode 0600) <home>/lantern.db and migrates it to the current schema.
  // `home` must exist.
  static Result<std::unique_ptr<KnowledgeBase>> open(const std::string& home);
  // Same for an explicit database file path.
  static Result<std::unique_ptr<KnowledgeBase>> open_file(const std::string& db_path);
  ~KnowledgeBase();
  KnowledgeBase(const KnowledgeBase&) = delete;
  KnowledgeBase& operator=(const KnowledgeBase&) = delete;

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }  // for kb-internal code (search); owned here
  static int schema_version();             // the version this build migrates to

  // Knowledge bases. Names: 1-64 characters, letters/digits/'-'/'_'/'.'.
  static Status check_kb_name(const std::string& name);
  Result<std::vector<KbInfo>> list_kbs();
  Result<KbInfo> kb_info(const std::string& name);     // not_found when absent
  Result<int64_t> ensure_kb(const std::string& name);  // id, creating it when absent
  Status remove_kb(const std::string& name);           // with all its documents

  // Documents.
  Result<std::vector<DocumentInfo>> list_documents(const std::string& kb);
  Result<DocumentInfo> document(int64_t doc_id);
  Result<std::string> document_text(int64_t doc_id);
  // Forgets the document at `path` (made absolute) or, for a folder, every document under it.
  // Returns how many were forgotten (0: none matched).
  Result<int64_t> forget(const std::string& kb, const std::string& path);

  // Chunks.
  Result<Chunk> chunk(int64_t chunk_id);
  Result<std::vector<Chunk>> chunks_of(int64_t doc_id);
  Result<ChunkView> chunk_view(int64_t chunk_id, int64_t context_chars = 600);

  // Imports files and folders (see ImportOptions). Per-file problems are in the report; the
  // result is an error only when the database itself fails.
  Result<ImportReport> import(const std::vector<std::string>& paths, const ImportOptions& options);

  // Audit log (written by `ask` and the TUI, listed by `kb audit`), newest first.
  Status append_audit(const AuditEntry& entry);
  Result<std::vector<AuditEntry>> list_audit(int64_t limit = 100);

 private:
  KnowledgeBase(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

}  // namespace lantern::kb
