// Crash safety of `lantern import` through the real binary: SIGKILL at random points, a file size
// limit (RLIMIT_FSIZE, "disk full"), and what the store looks like afterwards.
//
// The one thing to know: after every kill the database must pass PRAGMA integrity_check and the
// FTS5 integrity check, every document stored as 'ok' must have all its chunks (n_chunks rows, each
// with its FTS row), and a re-run must converge to what an uninterrupted import stores. The kill
// delays are drawn from the measured length of one uninterrupted import, so they land inside the
// import on a fast or a slow (sanitizer) build alike.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "lantern/kb/knowledge_base.h"
#include "../../kb/src/search_index.h"  // register_fts_tokenizer (kb-private; app tests do not see kb/src)
#include "test_support.h"

namespace {

using lantern::testing::lantern_binary;
using lantern::testing::TempDir;

// Small documents of several formats, enough that an import takes a measurable time.
void write_corpus(const TempDir& docs) {
  std::mt19937 rng(7);
  const char* words[] = {"lantern", "offline", "model", "chunk", "index", "sqlite", "kernel", "文档", "检索", "token"};
  for (int i = 0; i < 60; ++i) {
    std::string text = "# Document " + std::to_string(i) + "\n\n";
    int n_words = 200 + static_cast<int>(rng() % 1500);
    for (int w = 0; w < n_words; ++w) {
      text += words[rng() % 10];
      text += (w % 17 == 16) ? ".\n\n" : (w % 9 == 8 ? ". " : " ");
    }
    if (i % 3 == 0) {
      docs.write("c/doc" + std::to_string(i) + ".html", "<html><body><h1>H" + std::to_string(i) + "</h1><p>" + text + "</p></body></html>");
    } else {
      docs.write("c/doc" + std::to_string(i) + (i % 3 == 1 ? ".md" : ".txt"), text);
    }
  }
}

// Runs `lantern --home HOME import DIR`; kills it with SIGKILL after `kill_after` (if > 0).
// Returns the wait status. `fsize_limit` > 0 sets RLIMIT_FSIZE in the child (SIGXFSZ ignored).
int run_import(const std::string& home, const std::string& dir, std::chrono::microseconds kill_after,
               rlim_t fsize_limit = 0, std::string* err_out = nullptr) {
  int errpipe[2];
  if (pipe(errpipe) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    if (fsize_limit > 0) {
      signal(SIGXFSZ, SIG_IGN);
      struct rlimit rl {fsize_limit, fsize_limit};
      setrlimit(RLIMIT_FSIZE, &rl);
    }
    dup2(errpipe[1], 2);
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, 1);
    close(errpipe[0]);
    close(errpipe[1]);
    std::string bin = lantern_binary();
    execl(bin.c_str(), bin.c_str(), "--home", home.c_str(), "import", dir.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(errpipe[1]);
  if (kill_after.count() > 0) {
    std::this_thread::sleep_for(kill_after);
    kill(pid, SIGKILL);
  }
  std::string err;
  char buf[4096];
  ssize_t n;
  while ((n = read(errpipe[0], buf, sizeof buf)) > 0) err.append(buf, static_cast<size_t>(n));
  close(errpipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (err_out) *err_out = err;
  return status;
}

class Db {
 public:
  explicit Db(const std::string& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK) << path;
    EXPECT_TRUE(lantern::kb::register_fts_tokenizer(db_).ok());
  }
  ~Db() { sqlite3_close(db_); }
  // All rows of a query, columns joined by '|', rows by '\n'.
  std::string rows(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return "";
    }
    std::string out;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        const unsigned char* t = sqlite3_column_text(st, c);
        out += c ? "|" : "";
        out += t ? reinterpret_cast<const char*>(t) : "NULL";
      }
      out += '\n';
    }
    EXPECT_EQ(rc, SQLITE_DONE) << sql << ": " << sqlite3_errmsg(db_);
    sqlite3_finalize(st);
    return out;
  }
  bool exec(const std::string& sql) {
    char* msg = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg);
    if (rc != SQLITE_OK) ADD_FAILURE() << sql << ": " << (msg ? msg : "");
    sqlite3_free(msg);
    return rc == SQLITE_OK;
  }

 private:
  sqlite3* db_ = nullptr;
};

// The store's invariants after a crash; returns the number of complete ('ok') documents.
int check_store(const std::string& home, const std::string& when) {
  std::string path = home + "/" + lantern::kb::kDbFileName;
  if (access(path.c_str(), F_OK) != 0) return 0;  // killed before the database was created
  Db db(path);
  EXPECT_EQ(db.rows("PRAGMA integrity_check"), "ok\n") << when;
  // Killed while the schema was created: the migration is one transaction, so all or nothing.
  if (db.rows("SELECT count(*) FROM sqlite_master WHERE name IN ('documents', 'chunks', 'chunk_fts')") == "0\n") return 0;
  // Each migration is its own transaction: a kill between the first (tables) and the second (the
  // search index) leaves a consistent version-1 store, which the next open migrates. No document
  // can have been imported into it yet.
  if (db.rows("SELECT count(*) FROM sqlite_master WHERE name = 'chunk_fts'") == "0\n") {
    EXPECT_EQ(db.rows("SELECT count(*) FROM documents"), "0\n") << when;
    return 0;
  }
  EXPECT_TRUE(db.exec("INSERT INTO chunk_fts(chunk_fts) VALUES('integrity-check')")) << when;
  // Every 'ok' document has exactly n_chunks chunk rows, numbered 0..n-1, each with its FTS row.
  EXPECT_EQ(db.rows("SELECT d.path FROM documents d WHERE d.status = 'ok' AND "
                    "(d.n_chunks IS NULL OR d.n_chunks != (SELECT count(*) FROM chunks c WHERE c.doc_id = d.id) OR "
                    " (SELECT coalesce(max(seq), -1) FROM chunks c WHERE c.doc_id = d.id) != d.n_chunks - 1)"),
            "")
      << when << ": documents with missing chunks";
  EXPECT_EQ(db.rows("SELECT count(*) FROM chunks WHERE id NOT IN (SELECT rowid FROM chunk_fts)"), "0\n") << when;
  EXPECT_EQ(db.rows("SELECT count(*) FROM chunk_fts WHERE rowid NOT IN (SELECT id FROM chunks)"), "0\n") << when;
  EXPECT_EQ(db.rows("SELECT count(*) FROM chunks WHERE doc_id NOT IN (SELECT id FROM documents)"), "0\n") << when;
  return std::stoi("0" + db.rows("SELECT count(*) FROM documents WHERE status = 'ok'"));
}

// What an import stored, for comparing runs: documents with their hashes and every chunk's text.
std::string store_state(const std::string& home) {
  Db db(home + "/" + lantern::kb::kDbFileName);
  return db.rows("SELECT path, title, format, sha256, status, n_chunks, text_chars FROM documents ORDER BY path") +
         db.rows("SELECT d.path, c.seq, c.text, c.heading, c.start, c.end FROM chunks c JOIN documents d ON d.id = c.doc_id "
                 "ORDER BY d.path, c.seq") +
         db.rows("SELECT count(*) FROM chunk_fts WHERE chunk_fts MATCH 'lantern'");
}

TEST(CrashSafety, SigkillDuringImportLeavesConsistentStoreAndReimportConverges) {
  TempDir docs, reference;
  write_corpus(docs);
  const std::string dir = docs.file("c");
  auto t0 = std::chrono::steady_clock::now();
  int st = run_import(reference.path(), dir, std::chrono::microseconds(0));
  // The import's length on this machine right now; shrunk whenever a run finishes before its kill
  // (the reference run can be slowed by a load spike), so the kills keep landing inside imports.
  auto full = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "uninterrupted import failed";
  ASSERT_EQ(check_store(reference.path(), "reference"), 60);
  const std::string expected = store_state(reference.path());

  std::mt19937 rng(12345);
  int kills = 0, killed_mid_import = 0;
  // At least 50 kills must land mid-import; the cap bounds the time on a very erratic machine.
  for (int round = 0; killed_mid_import < 50 && kills < 200; ++round) {
    TempDir home;
    int stored = 0;
    for (int k = 0; k < 15 && stored < 60; ++k) {
      // A delay within what is left of the import (the stored part is skipped as unchanged), a
      // little beyond it: process start, schema creation, each commit and the end all get hit.
      const int64_t left = 20000 + full.count() * (60 - stored) / 60;
      auto delay = std::chrono::microseconds(1 + rng() % static_cast<uint32_t>(left * 11 / 10));
      int status = run_import(home.path(), dir, delay);
      ++kills;
      if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
        ++killed_mid_import;
      } else {
        full = std::max(std::chrono::microseconds(20000), full * 3 / 4);
      }
      int now = check_store(home.path(), "round " + std::to_string(round) + " kill " + std::to_string(k));
      EXPECT_GE(now, stored) << "a kill lost documents committed before it";
      stored = now;
    }
    st = run_import(home.path(), dir, std::chrono::microseconds(0));
    ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "re-run after kills failed";
    EXPECT_EQ(check_store(home.path(), "after re-run"), 60);
    EXPECT_EQ(store_state(home.path()), expected) << "re-run after kills differs from an uninterrupted import";
  }
  EXPECT_GE(killed_mid_import, 50) << "kills must land while the import runs (" << kills << " kills, full import "
                                   << full.count() / 1000 << " ms)";
}

TEST(CrashSafety, FileSizeLimitGivesClearErrorAndKeepsWhatWasStored) {
  TempDir docs, home;
  write_corpus(docs);
  // A first import of a part, then the whole corpus with the database file unable to grow.
  TempDir part;
  for (int i = 0; i < 5; ++i) {
    part.write("p/doc" + std::to_string(i) + ".txt", lantern::testing::read_file(docs.file("c/doc" + std::to_string(i + 1) + (i % 3 == 0 ? ".md" : ".txt"))));
  }
  ASSERT_TRUE(WIFEXITED(run_import(home.path(), part.file("p"), std::chrono::microseconds(0))));
  const std::string before = store_state(home.path());
  ASSERT_EQ(check_store(home.path(), "before"), 5);

  struct stat sb {};
  ASSERT_EQ(stat((home.path() + "/" + lantern::kb::kDbFileName).c_str(), &sb), 0);
  std::string err;
  int st = run_import(home.path(), docs.file("c"), std::chrono::microseconds(0), static_cast<rlim_t>(sb.st_size + 8192), &err);
  ASSERT_TRUE(WIFEXITED(st)) << "killed by a signal instead of reporting the full disk";
  EXPECT_EQ(WEXITSTATUS(st), 1) << err;
  EXPECT_NE(err.find("disk full"), std::string::npos)
      << "the error should say the file could not grow: " << err;
  EXPECT_EQ(err.find('\n'), err.size() - 1) << "one line: " << err;
  check_store(home.path(), "after disk full");
  // What was stored before is intact (the partial import may have added complete documents).
  Db db(home.path() + "/" + lantern::kb::kDbFileName);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(db.rows("SELECT status FROM documents WHERE path = '" + part.file("p/doc" + std::to_string(i) + ".txt") + "'"), "ok\n");
  }
}

}  // namespace
