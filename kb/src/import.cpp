// The importer: collects files, skips unchanged ones by content hash, extracts, chunks, and
// writes each document in its own transaction.
//
// Invariants (what a kill at any moment leaves behind):
//  1. A document row exists only together with all of its chunks and its n_chunks count: the
//     old version is deleted and the new one inserted inside one BEGIN IMMEDIATE ... COMMIT.
//  2. Extraction happens before the transaction, so the write lock is held only for the inserts.
//  3. A re-run recomputes hashes and redoes exactly the documents whose rows are missing or
//     differ, so an interrupted import is finished by running it again.
// Per-file problems (unreadable, malformed, over a limit) are reported and the import goes on;
// a database error stops it (the next file would fail the same way).
#include <fcntl.h>
#include <fnmatch.h>
#include <libxml/parser.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include "chunker.h"
#include "extract.h"
#include "lantern/kb/knowledge_base.h"
#include "lantern/sha256.h"
#include "sqlite_util.h"
#include "utf8.h"

namespace lantern::kb {
namespace {

namespace fs = std::filesystem;

struct FileItem {
  std::string path;
  int64_t size = 0;
  int64_t mtime_ms = 0;
};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string make_absolute(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  if (ec) p = path;
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::string base_name(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string mib(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

// A title fit for one line of a list: no newlines, at most ~200 bytes (cut at a character).
std::string clean_title(std::string_view t) {
  std::string out;
  for (char c : t) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  size_t b = out.find_first_not_of(' ');
  out = b == std::string::npos ? "" : out.substr(b);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > 200) {
    size_t cut = 200;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  return out;
}

// --exclude: a glob without '/' is matched against every path component's name; with '/', against
// the whole absolute path.
bool excluded(const std::vector<std::string>& globs, const std::string& abs_path) {
  std::string name = base_name(abs_path);
  for (const std::string& g : globs) {
    if (g.find('/') == std::string::npos) {
      if (fnmatch(g.c_str(), name.c_str(), 0) == 0) return true;
    } else if (fnmatch(g.c_str(), abs_path.c_str(), 0) == 0) {
      return true;
    }
  }
  return false;
}

Status read_whole_file(const std::string& path, int64_t max_bytes, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::from_errno("cannot open", errno);
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return Status::from_errno("cannot stat", e);
  }
  if (st.st_size > max_bytes) {
    ::close(fd);
    return Status::resource_limit("file too large (" + mib(st.st_size) + ", limit " + mib(max_bytes) + ")");
  }
  out.clear();
  out.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (true) {
    if (got == out.size()) {
      if (static_cast<int64_t>(out.size()) >= max_bytes + 1) break;  // grew while reading: stop at the cap
      out.resize(std::min<size_t>(out.size() + 65536, static_cast<size_t>(max_bytes) + 1));
    }
    ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return Status::from_errno("read error", e);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(got);
  if (static_cast<int64_t>(got) > max_bytes) {
    return Status::resource_limit("file too large (more than " + mib(max_bytes) + ")");
  }
  return ok_status();
}

// Converts increasing byte offsets into code point offsets with one forward scan.
class CpCursor {
 public:
  explicit CpCursor(std::string_view text) : text_(text) {}
  int64_t at(size_t byte) {
    if (byte < byte_) {  // rare: restart
      byte_ = 0;
      cp_ = 0;
    }
    for (; byte_ < byte && byte_ < text_.size(); ++byte_) cp_ += (static_cast<unsigned char>(text_[byte_]) & 0xC0) != 0x80;
    return cp_;
  }

 private:
  std::string_view text_;
  size_t byte_ = 0;
  int64_t cp_ = 0;
};

class Importer {
 public:
  Importer(sqlite3* db, int64_t kb_id, const ImportOptions& opt) : db_(db), kb_id_(kb_id), opt_(opt) {}

  Status prepare() {
    LT_ASSIGN_OR_RETURN(find_, Stmt::prepare(db_, "SELECT id, coalesce(sha256,''), status, format FROM documents "
                                                  "WHERE kb_id = ? AND path = ?"));
    LT_ASSIGN_OR_RETURN(del_, Stmt::prepare(db_, "DELETE FROM documents WHERE id = ?"));
    LT_ASSIGN_OR_RETURN(ins_doc_, Stmt::prepare(db_, "INSERT INTO documents(kb_id, path, title, format, size, "
                                                     "mtime_ms, sha256, imported_ms, status, error, text, n_chunks, "
                                                     "text_chars) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    return ok_status();
  }

  // Imports one file; a non-OK Status means the database failed and the import must stop.
  Status import_file(const FileItem& f, ImportReport& report) {
    FileReport fr;
    fr.path = f.path;
    std::string bytes;
    // Detection needs only the head; reading the whole of an unsupported file would waste time.
    Detection det;
    {
      std::string head;
      int fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return fail_unstored(fr, Status::from_errno("cannot open", errno).message(), report);
      head.resize(8192);
      ssize_t n = ::read(fd, head.data(), head.size());
      ::close(fd);
      head.resize(n > 0 ? static_cast<size_t>(n) : 0);
      det = detect_format(f.path, head);
    }
    if (!det.supported) {
      fr.outcome = ImportOutcome::kSkipped;
      fr.reason = det.reason;
      ++report.skipped;
      report.files.push_back(std::move(fr));
      return ok_status();
    }
    Status rs = read_whole_file(f.path, opt_.limits.max_file_bytes, bytes);
    if (!rs.ok()) return fail_unstored(fr, rs.message(), report);
    report.bytes += static_cast<int64_t>(bytes.size());
    std::string sha = sha256_hex(bytes);

    find_.bind(1, kb_id_).bind(2, f.path);
    LT_ASSIGN_OR_RETURN(bool exists, find_.step());
    int64_t old_id = exists ? find_.col_int(0) : 0;
    std::string old_sha = exists ? find_.col_text(1) : "";
    std::string old_status = exists ? find_.col_text(2) : "";
    std::string old_format = exists ? find_.col_text(3) : "";
    find_.reset();
    // Same bytes read the same way: nothing to do. A format change (a newer lantern reads the file
    // with a better extractor, e.g. man pages as roff instead of text) re-extracts it.
    if (exists && old_sha == sha && old_status == "ok" && old_format == format_name(det.format)) {
      ++report.unchanged;
      return ok_status();
    }

    DocRow row;
    row.item = &f;
    row.sha256 = sha;
    row.format = format_name(det.format);
    row.title = base_name(f.path);
    Result<Extracted> ex = extract(det.format, bytes, opt_.limits);
    bytes.clear();
    bytes.shrink_to_fit();
    std::vector<ChunkSpan> spans;
    Assembled doc;
    if (ex.ok()) {
      if (!ex->title.empty()) {
        std::string t = clean_title(ex->title);
        if (!t.empty()) row.title = t;
      }
      doc = assemble(*ex);
      spans = chunk_document(doc, opt_.chunking);
      row.status = "ok";
    } else {
      row.status = "failed";
      row.error = ex.status().message();
    }
    bool injected = false;
    Status ws = write_document(old_id, row, doc, spans, &injected);
    if (!ws.ok()) {
      if (!injected) return ws.with_context("writing '" + f.path + "'");
      row.status = "failed";
      row.error = ws.message();
    }
    fr.n_chunks = static_cast<int64_t>(spans.size());
    if (row.status == "ok") {
      fr.outcome = exists ? ImportOutcome::kUpdated : ImportOutcome::kAdded;
      ++(exists ? report.updated : report.added);
      report.chunks += fr.n_chunks;
      report.text_bytes += static_cast<int64_t>(doc.text.size());
    } else {
      fr.outcome = ImportOutcome::kFailed;
      fr.reason = row.error;
      ++report.failed;
    }
    report.files.push_back(std::move(fr));
    return ok_status();
  }

  Status prune(const std::vector<std::string>& roots, ImportReport& report) {
    LT_ASSIGN_OR_RETURN(Stmt q, Stmt::prepare(db_, "SELECT id, path FROM documents WHERE kb_id = ?1 AND "
                                                   "(path = ?2 OR substr(path, 1, length(?3)) = ?3)"));
    for (const std::string& root : roots) {
      q.bind(1, kb_id_).bind(2, root).bind(3, root == "/" ? root : root + "/");
      std::vector<std::pair<int64_t, std::string>> gone;
      while (true) {
        LT_ASSIGN_OR_RETURN(bool row, q.step());
        if (!row) break;
        std::string p = q.col_text(1);
        struct stat st {};
        if (::stat(p.c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) gone.emplace_back(q.col_int(0), p);
      }
      q.reset();
      for (auto& [id, p] : gone) {
        Transaction tx(db_);
        LT_RETURN_IF_ERROR(tx.begin());
        del_.bind(1, id);
        LT_RETURN_IF_ERROR(del_.run());
        LT_RETURN_IF_ERROR(tx.commit());
        if (sqlite3_changes(db_) == 0) continue;
        FileReport fr;
        fr.path = p;
        fr.outcome = ImportOutcome::kPruned;
        fr.reason = "file is gone";
        ++report.pruned;
        report.files.push_back(std::move(fr));
      }
    }
    return ok_status();
  }

 private:
  struct DocRow {
    const FileItem* item = nullptr;
    std::string sha256, format, title, status, error;
  };

  Status fail_unstored(FileReport& fr, const std::string& reason, ImportReport& report) {
    fr.outcome = ImportOutcome::kFailed;
    fr.reason = reason;
    ++report.failed;
    report.files.push_back(std::move(fr));
    return ok_status();
  }

  Status write_document(int64_t old_id, const DocRow& row, const Assembled& doc, const std::vector<ChunkSpan>& spans,
                        bool* injected) {
    Transaction tx(db_);
    LT_RETURN_IF_ERROR(tx.begin());
    if (old_id) {
      del_.bind(1, old_id);
      LT_RETURN_IF_ERROR(del_.run());
    }
    bool ok = row.status == "ok";
    const FileItem& f = *row.item;
    ins_doc_.bind(1, kb_id_).bind(2, f.path).bind(3, row.title).bind(4, row.format).bind(5, f.size);
    ins_doc_.bind(6, f.mtime_ms).bind(7, row.sha256).bind(8, now_ms()).bind(9, row.status);
    if (ok) {
      ins_doc_.bind_null(10).bind(11, doc.text).bind(12, static_cast<int64_t>(spans.size()));
      ins_doc_.bind(13, count_cps(doc.text));
    } else {
      ins_doc_.bind(10, row.error).bind_null(11).bind(12, int64_t{0}).bind(13, int64_t{0});
    }
    LT_RETURN_IF_ERROR(ins_doc_.run());
    int64_t doc_id = sqlite3_last_insert_rowid(db_);
    CpCursor starts(doc.text), ends(doc.text);
    std::string_view text = doc.text;
    size_t limit = spans.size();
    bool inject = opt_.fail_after_chunks_for_testing >= 0 &&
                  static_cast<size_t>(opt_.fail_after_chunks_for_testing) < spans.size();
    if (inject) limit = static_cast<size_t>(opt_.fail_after_chunks_for_testing);
    // Many rows per INSERT: FTS5 flushes its pending index data into a new segment at the start of
    // every statement that writes to it (through the chunks triggers), so one statement per chunk
    // made imports ~10x slower than one per batch.
    for (size_t first = 0; first < limit; first += kChunkBatch) {
      size_t n = std::min(kChunkBatch, limit - first);
      LT_ASSIGN_OR_RETURN(Stmt * ins, chunk_insert(n));
      for (size_t k = 0; k < n; ++k) {
        const ChunkSpan& c = spans[first + k];
        int base = static_cast<int>(k) * 7;
        ins->bind(base + 1, doc_id).bind(base + 2, static_cast<int64_t>(first + k));
        ins->bind(base + 3, text.substr(c.start, c.end - c.start));
        if (c.heading_path.empty()) {
          ins->bind_null(base + 4);
        } else {
          ins->bind(base + 4, c.heading_path);
        }
        if (c.page > 0) {
          ins->bind(base + 5, c.page);
        } else {
          ins->bind_null(base + 5);
        }
        ins->bind(base + 6, starts.at(c.start)).bind(base + 7, ends.at(c.end));
      }
      Status s = ins->run();
      ins->reset();
      LT_RETURN_IF_ERROR(s);
    }
    if (inject) {
      *injected = true;
      return Status::internal("injected failure after " + std::to_string(limit) + " chunks");
    }
    return tx.commit();
  }

  sqlite3* db_;
  int64_t kb_id_;
  const ImportOptions& opt_;
  // The INSERT for `n` chunk rows, prepared once per size.
  Result<Stmt*> chunk_insert(size_t n) {
    auto it = chunk_inserts_.find(n);
    if (it != chunk_inserts_.end()) return &it->second;
    std::string sql = "INSERT INTO chunks(doc_id, seq, text, heading, page, start, end) VALUES ";
    for (size_t i = 0; i < n; ++i) sql += i ? ",(?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?)";
    LT_ASSIGN_OR_RETURN(Stmt st, Stmt::prepare(db_, sql));
    return &chunk_inserts_.emplace(n, std::move(st)).first->second;
  }

  static constexpr size_t kChunkBatch = 1024;
  Stmt find_, del_, ins_doc_;
  std::map<size_t, Stmt> chunk_inserts_;
};

void add_file(const std::string& path, const struct stat& st, std::vector<FileItem>& files) {
  FileItem f;
  f.path = path;
  f.size = st.st_size;
  f.mtime_ms = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
  files.push_back(std::move(f));
}

// Walks `root` (a directory): hidden entries and excluded names are skipped, symlinked folders
// are not followed (no cycles), files come out sorted by path.
void walk(const std::string& root, const ImportOptions& opt, std::vector<FileItem>& files, ImportReport& report) {
  std::vector<FileItem> found;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    report.files.push_back({root, ImportOutcome::kFailed, "cannot read folder: " + ec.message(), 0});
    ++report.failed;
    return;
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      report.files.push_back({root, ImportOutcome::kFailed, "error while listing folder: " + ec.message(), 0});
      ++report.failed;
      break;
    }
    const fs::directory_entry& e = *it;
    std::string p = e.path().string();
    std::string name = e.path().filename().string();
    bool is_dir = e.is_directory(ec) && !e.is_symlink(ec);
    if ((!name.empty() && name[0] == '.') || excluded(opt.exclude, p)) {
      if (is_dir) it.disable_recursion_pending();
      continue;
    }
    if (is_dir) continue;
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    add_file(p, st, found);
  }
  std::sort(found.begin(), found.end(), [](const FileItem& a, const FileItem& b) { return a.path < b.path; });
  for (FileItem& f : found) files.push_back(std::move(f));
}

}  // namespace

Result<ImportReport> KnowledgeBase::import(const std::vector<std::string>& paths, const ImportOptions& opt) {
  // libxml2's lazy global initialisation is not thread-safe; do it once, before any parsing.
  static std::once_flag xml_once;
  std::call_once(xml_once, [] { xmlInitParser(); });
  auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&]() { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  ImportReport report;
  LT_ASSIGN_OR_RETURN(int64_t kb_id, ensure_kb(opt.kb));

  std::vector<FileItem> files;
  std::vector<std::string> roots;
  for (const std::string& arg : paths) {
    std::string abs = make_absolute(arg);
    struct stat st {};
    if (::stat(abs.c_str(), &st) != 0) {
      int e = errno;
      roots.push_back(abs);
      report.files.push_back({abs, ImportOutcome::kFailed, Status::from_errno("cannot access", e).message(), 0});
      ++report.failed;
      ++report.missing_paths;
      continue;
    }
    roots.push_back(abs);
    if (S_ISDIR(st.st_mode)) {
      walk(abs, opt, files, report);
    } else if (S_ISREG(st.st_mode)) {
      if (excluded(opt.exclude, abs)) continue;
      add_file(abs, st, files);
    } else {
      report.files.push_back({abs, ImportOutcome::kSkipped, "not a regular file", 0});
      ++report.skipped;
    }
  }
  // The same file named twice (or inside two given folders) is imported once.
  {
    std::set<std::string> seen;
    std::vector<FileItem> unique;
    for (FileItem& f : files) {
      if (seen.insert(f.path).second) unique.push_back(std::move(f));
    }
    files = std::move(unique);
  }

  ImportProgress progress;
  progress.files_total = static_cast<int64_t>(files.size());
  for (const FileItem& f : files) progress.bytes_total += f.size;

  // Fewer, larger WAL checkpoints while importing: each one fsyncs, and on a busy disk the fsyncs
  // cost more than all the CPU work (measured with bench/import_bench). Restored afterwards.
  // The limit is in pages: 64 MiB of WAL whatever the page size (4 KiB in older stores, 16 KiB now).
  {
    int64_t page = 4096;
    if (Result<Stmt> q = Stmt::prepare(db_, "PRAGMA page_size"); q.ok()) {
      Result<bool> row = q->step();
      if (row.ok() && *row && q->col_int(0) > 0) page = q->col_int(0);
    }
    (void)exec_sql(db_, "PRAGMA wal_autocheckpoint = " + std::to_string((int64_t{64} << 20) / page));
  }
  struct RestoreCheckpoint {
    sqlite3* db;
    ~RestoreCheckpoint() { (void)exec_sql(db, "PRAGMA wal_autocheckpoint = 1000"); }
  } restore{db_};
  Importer importer(db_, kb_id, opt);
  LT_RETURN_IF_ERROR(importer.prepare());
  for (size_t i = 0; i < files.size(); ++i) {
    if (opt.cancel && opt.cancel->load()) {
      report.cancelled = true;
      report.files_left = static_cast<int64_t>(files.size() - i);
      break;
    }
    if (opt.progress) {
      progress.current_path = files[i].path;
      progress.elapsed_s = elapsed();
      opt.progress(progress);
    }
    LT_RETURN_IF_ERROR(importer.import_file(files[i], report));
    ++progress.files_done;
    progress.bytes_done += files[i].size;
  }
  if (opt.prune && !report.cancelled) LT_RETURN_IF_ERROR(importer.prune(roots, report));
  report.seconds = elapsed();
  if (opt.progress) {
    progress.current_path.clear();
    progress.elapsed_s = report.seconds;
    opt.progress(progress);
  }
  return report;
}

}  // namespace lantern::kb
