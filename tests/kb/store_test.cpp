// The store and the importer on a real SQLite file in a temp dir: schema and file mode,
// incremental re-import, per-file failures, transaction atomicity, offsets, viewer, audit.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "lantern/kb/knowledge_base.h"
#include "test_support.h"
#include "utf8.h"

namespace lantern::kb {
namespace {

using lantern::testing::TempDir;

std::unique_ptr<KnowledgeBase> open_kb(const TempDir& dir) {
  auto kb = KnowledgeBase::open(dir.path());
  EXPECT_TRUE(kb.ok()) << kb.status().to_string();
  return kb.ok() ? std::move(kb).value() : nullptr;
}

int64_t query_int(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  int64_t v = -1;
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

std::string query_text(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::string v;
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
    v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  return v;
}

// Every document row is whole: its n_chunks matches its chunks, and every chunk's text is exactly
// the document text between its offsets (code points, as SQLite's substr counts).
void expect_consistent(sqlite3* db) {
  EXPECT_EQ(query_text(db, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM documents d WHERE coalesce(n_chunks,0) != "
                          "(SELECT count(*) FROM chunks c WHERE c.doc_id = d.id)"),
            0);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.doc_id "
                          "WHERE substr(d.text, c.start + 1, c.end - c.start) != c.text"),
            0);
}

TEST(Store, CreatesPrivateWalDatabaseWithSchema) {
  TempDir dir;
  auto kb = open_kb(dir);
  ASSERT_TRUE(kb);
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() + "/lantern.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  sqlite3* db = kb->handle();
  EXPECT_EQ(query_text(db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query_int(db, "PRAGMA page_size"), 16384);  // one FTS5 leaf per page (knowledge_base.cpp)
  EXPECT_EQ(query_int(db, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(query_int(db, "PRAGMA user_version"), KnowledgeBase::schema_version());
  int defensive = -1;
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, -1, &defensive);
  EXPECT_EQ(defensive, 1);
  // Re-opening an existing database is a no-op migration.
  kb.reset();
  auto again = open_kb(dir);
  ASSERT_TRUE(again);
  EXPECT_EQ(query_int(again->handle(), "PRAGMA user_version"), KnowledgeBase::schema_version());
}

TEST(Store, SearchIndexWriteOptionsOnNewAndMigratedStores) {
  const std::string kOptions =
      "SELECT group_concat(k || '=' || v, ' ') FROM (SELECT k, v FROM chunk_fts_config "
      "WHERE k IN ('hashsize', 'pgsz') ORDER BY k)";
  const std::string kTuned = "hashsize=16000000 pgsz=16000";
  TempDir dir;
  {
    auto kb = open_kb(dir);
    ASSERT_TRUE(kb);
    EXPECT_EQ(query_text(kb->handle(), kOptions), kTuned);
    // A store from before the options (schema version 2, FTS5 defaults) gets them when opened.
    const char* downgrade =
        "INSERT INTO chunk_fts(chunk_fts, rank) VALUES('hashsize', 1048576);"
        "INSERT INTO chunk_fts(chunk_fts, rank) VALUES('pgsz', 4050); PRAGMA user_version = 2";
    ASSERT_EQ(sqlite3_exec(kb->handle(), downgrade, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(kb->handle());
    EXPECT_EQ(query_text(kb->handle(), kOptions), "hashsize=1048576 pgsz=4050");
  }
  auto again = open_kb(dir);
  ASSERT_TRUE(again);
  EXPECT_EQ(query_text(again->handle(), kOptions), kTuned);
  EXPECT_EQ(query_int(again->handle(), "PRAGMA user_version"), KnowledgeBase::schema_version());
}

TEST(Store, OlderStoreKeepsItsPageSizeAndImports) {
  // A store created with SQLite's default 4 KiB pages (before lantern chose 16 KiB) keeps them:
  // opening it must not fail, and an import sizes its WAL checkpoints by the actual page size.
  TempDir home, docs;
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((home.path() + "/lantern.db").c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE t(x)", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
  }
  auto kb = open_kb(home);
  ASSERT_TRUE(kb);
  EXPECT_EQ(query_int(kb->handle(), "PRAGMA page_size"), 4096);
  docs.write("a.txt", "Old store, new text. 旧的知识库，新的文本。");
  auto r = kb->import({docs.path()}, ImportOptions{});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->added, 1);
  EXPECT_EQ(query_int(kb->handle(), "SELECT count(*) FROM chunk_fts WHERE chunk_fts MATCH '知识'"), 1);
  EXPECT_EQ(query_int(kb->handle(), "PRAGMA wal_autocheckpoint"), 1000);  // restored after the import
  expect_consistent(kb->handle());
}

TEST(Store, RefusesNewerSchemaAndNonDatabase) {
  TempDir dir;
  {
    auto kb = open_kb(dir);
    ASSERT_TRUE(kb);
    ASSERT_EQ(sqlite3_exec(kb->handle(), "PRAGMA user_version = 999", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  auto newer = KnowledgeBase::open(dir.path());
  ASSERT_FALSE(newer.ok());
  EXPECT_NE(newer.status().message().find("999"), std::string::npos) << newer.status().message();
  std::string junk = dir.write("junk.db", std::string(4096, 'x'));
  auto bad = KnowledgeBase::open_file(junk);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("junk.db"), std::string::npos);
}

TEST(Store, KbNamesAndRemoval) {
  TempDir dir;
  auto kb = open_kb(dir);
  ASSERT_TRUE(kb);
  EXPECT_FALSE(KnowledgeBase::check_kb_name("").ok());
  EXPECT_FALSE(KnowledgeBase::check_kb_name("a/b").ok());
  EXPECT_FALSE(KnowledgeBase::check_kb_name(".hidden").ok());
  EXPECT_TRUE(KnowledgeBase::check_kb_name("work-2024_v1.0").ok());
  EXPECT_TRUE(KnowledgeBase::check_kb_name("知识库").ok());
  TempDir docs;
  docs.write("a.txt", "alpha text.");
  ImportOptions opt;
  opt.kb = "work";
  ASSERT_TRUE(kb->import({docs.path()}, opt).ok());
  ASSERT_TRUE(kb->ensure_kb("other").ok());
  auto list = kb->list_kbs();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].name, "work");
  EXPECT_EQ((*list)[1].n_documents, 1);
  EXPECT_EQ((*list)[1].n_chunks, 1);
  ASSERT_TRUE(kb->remove_kb("work").ok());
  EXPECT_EQ(query_int(kb->handle(), "SELECT count(*) FROM documents"), 0);
  EXPECT_EQ(query_int(kb->handle(), "SELECT count(*) FROM chunks"), 0);
  EXPECT_EQ(kb->remove_kb("work").code(), StatusCode::kNotFound);
  EXPECT_EQ(kb->kb_info("work").status().code(), StatusCode::kNotFound);
}

TEST(Import, IncrementalAddUnchangedUpdatePrune) {
  TempDir home, docs;
  auto kb = open_kb(home);
  ASSERT_TRUE(kb);
  docs.write("a.txt", "First file. It has two sentences.");
  docs.write("sub/b.md", "# B\n\nSecond file.");
  docs.write("sub/c.md", "# C\n\nThird file.");
  docs.write(".hidden/x.txt", "hidden");
  docs.write("skip.tmp", "excluded by glob");
  ImportOptions opt;
  opt.exclude = {"*.tmp"};
  auto r1 = kb->import({docs.path()}, opt);
  ASSERT_TRUE(r1.ok()) << r1.status().to_string();
  EXPECT_EQ(r1->added, 3);
  EXPECT_EQ(r1->failed, 0);
  EXPECT_EQ(r1->skipped, 0);

  auto r2 = kb->import({docs.path()}, opt);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->unchanged, 3);
  EXPECT_EQ(r2->added + r2->updated, 0);

  docs.write("a.txt", "First file, edited. Now different.");
  std::filesystem::remove(docs.file("sub/c.md"));
  opt.prune = true;
  auto r3 = kb->import({docs.path()}, opt);
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3->updated, 1);
  EXPECT_EQ(r3->unchanged, 1);
  EXPECT_EQ(r3->pruned, 1);
  auto listed = kb->list_documents("default");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].path, docs.file("a.txt"));
  EXPECT_EQ((*listed)[1].title, "B");
  auto text = kb->document_text((*listed)[0].id);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "First file, edited. Now different.");
  expect_consistent(kb->handle());

  auto forgot = kb->forget("default", docs.file("sub"));
  ASSERT_TRUE(forgot.ok());
  EXPECT_EQ(*forgot, 1);

  // Globs with a '/' match whole paths; excluded folders are not entered.
  docs.write("drafts/z.txt", "draft");
  docs.write("keep/k.txt", "keep");
  ImportOptions ex;
  ex.exclude = {"drafts", "*/keep/*.txt", "*.tmp"};
  auto r4 = kb->import({docs.path()}, ex);
  ASSERT_TRUE(r4.ok());
  for (const auto& f : r4->files) {
    EXPECT_EQ(f.path.find("drafts"), std::string::npos) << f.path;
    EXPECT_EQ(f.path.find("keep"), std::string::npos) << f.path;
  }
  EXPECT_EQ(r4->added, 1);  // sub/b.md, forgotten above
}

TEST(Import, BadFilesAreReportedAndTheRestCompletes) {
  TempDir home, docs;
  auto kb = open_kb(home);
  ASSERT_TRUE(kb);
  docs.write("1-good.txt", "A good document about lanterns.");
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk += static_cast<char>((i * 7919) % 256);
  docs.write("2-junk.md", junk);
  docs.write("3-picture.png", "\x89PNG....");
  docs.write("4-good.md", "# Fine\n\nAlso good.");
  docs.write("5-deep.json", std::string(100000, '[') + std::string(100000, ']'));
  auto r = kb->import({docs.path(), docs.file("missing.txt")}, ImportOptions{});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->added, 2);
  EXPECT_EQ(r->skipped, 1);
  EXPECT_EQ(r->failed, 3);
  EXPECT_EQ(r->missing_paths, 1);
  std::map<std::string, std::string> reasons;
  for (const auto& f : r->files) reasons[f.path.substr(f.path.rfind('/') + 1)] = f.reason;
  EXPECT_NE(reasons["2-junk.md"].find("binary"), std::string::npos) << reasons["2-junk.md"];
  EXPECT_NE(reasons["3-picture.png"].find("unsupported format"), std::string::npos);
  EXPECT_NE(reasons["5-deep.json"].find("JSON"), std::string::npos) << reasons["5-deep.json"];
  EXPECT_NE(reasons["missing.txt"].find("No such file"), std::string::npos);
  auto info = kb->kb_info("default");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->n_documents, 4);  // 2 ok + 2 failed rows (junk, deep json)
  EXPECT_EQ(info->n_failed, 2);
  expect_consistent(kb->handle());
}

TEST(Import, InjectedFailureLeavesNoPartialDocument) {
  TempDir home, docs;
  auto kb = open_kb(home);
  ASSERT_TRUE(kb);
  std::string v1, v2;
  for (int i = 0; i < 200; ++i) v1 += "Version one sentence " + std::to_string(i) + ". ";
  for (int i = 0; i < 200; ++i) v2 += "Version two sentence " + std::to_string(i) + ". ";
  docs.write("doc.txt", v1);
  auto r1 = kb->import({docs.path()}, ImportOptions{});
  ASSERT_TRUE(r1.ok());
  ASSERT_EQ(r1->added, 1);
  int64_t chunks_v1 = query_int(kb->handle(), "SELECT count(*) FROM chunks");
  ASSERT_GT(chunks_v1, 3);

  docs.write("doc.txt", v2);
  docs.write("other.txt", "Another file.");
  ImportOptions failing;
  failing.fail_after_chunks_for_testing = 3;
  auto r2 = kb->import({docs.file("doc.txt")}, failing);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->failed, 1);
  // The old version is intact: same chunks, none of version two.
  EXPECT_EQ(query_int(kb->handle(), "SELECT count(*) FROM chunks"), chunks_v1);
  EXPECT_EQ(query_int(kb->handle(), "SELECT count(*) FROM chunks WHERE text LIKE '%Version two%'"), 0);
  expect_consistent(kb->handle());
  // A normal re-run finishes the job.
  auto r3 = kb->import({docs.path()}, ImportOptions{});
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3->updated, 1);
  EXPECT_EQ(r3->added, 1);
  EXPECT_EQ(query_int(kb->handle(), "SELECT count(*) FROM chunks WHERE text LIKE '%Version one%'"), 0);
  expect_consistent(kb->handle());
}

TEST(Import, EncodingsAndOffsetsInCodePoints) {
  TempDir home, docs;
  auto kb = open_kb(home);
  ASSERT_TRUE(kb);
  // UTF-16 LE with BOM: "知识库。Knowledge base."
  std::u16string u = u"知识库。Knowledge base.";
  std::string le = "\xFF\xFE";
  for (char16_t c : u) {
    le += static_cast<char>(c & 0xff);
    le += static_cast<char>(c >> 8);
  }
  docs.write("u16.txt", le);
  docs.write("gbk.txt", "\xD6\xD0\xCE\xC4\xCE\xC4\xB5\xB5\xA1\xA3");  // 中文文档。 in GBK
  std::string zh;
  for (int i = 0; i < 60; ++i) zh += "第" + std::to_string(i) + "句话讲的是知识库的导入。";
  docs.write("zh.md", "# 标题\n\n" + zh);
  auto r = kb->import({docs.path()}, ImportOptions{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->added, 3);
  EXPECT_EQ(query_text(kb->handle(), "SELECT text FROM documents WHERE path LIKE '%u16.txt'"),
            "知识库。Knowledge base.");
  EXPECT_EQ(query_text(kb->handle(), "SELECT text FROM documents WHERE path LIKE '%gbk.txt'"), "中文文档。");
  EXPECT_GT(query_int(kb->handle(), "SELECT count(*) FROM chunks c JOIN documents d ON d.id=c.doc_id "
                                    "WHERE d.path LIKE '%zh.md'"),
            2);
  EXPECT_EQ(query_text(kb->handle(), "SELECT heading FROM chunks c JOIN documents d ON d.id=c.doc_id "
                                     "WHERE d.path LIKE '%zh.md' ORDER BY seq DESC LIMIT 1"),
            "标题");
  expect_consistent(kb->handle());

  // The viewer: a chunk with the text around it.
  int64_t id = query_int(kb->handle(), "SELECT c.id FROM chunks c JOIN documents d ON d.id=c.doc_id "
                                       "WHERE d.path LIKE '%zh.md' AND seq = 1");
  auto view = kb->chunk_view(id, 10);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->document.title, "标题");
  EXPECT_GT(view->prev_chunk_id, 0);
  EXPECT_GT(view->next_chunk_id, 0);
  auto text = kb->document_text(view->document.id);
  ASSERT_TRUE(text.ok());
  std::string joined = view->before + view->chunk.text + view->after;
  EXPECT_NE(text->find(joined), std::string::npos);
  EXPECT_EQ(count_cps(view->before), 10);
  EXPECT_EQ(count_cps(view->after), 10);
}

// SQLite's own crash test, in small: kill -9 a writer at several moments mid-import, then check
// that every committed document is whole and that a re-run finishes the job.
TEST(Import, KillMidImportThenRerunFinishes) {
  TempDir home, docs;
  std::string body;
  for (int i = 0; i < 300; ++i) body += "Sentence " + std::to_string(i) + " about the kill test. ";
  const int kFiles = 250;
  for (int i = 0; i < kFiles; ++i) docs.write("f" + std::to_string(1000 + i) + ".txt", std::to_string(i) + body);
  { ASSERT_TRUE(open_kb(home)); }
  for (int delay_ms : {15, 40, 70}) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto kb = KnowledgeBase::open(home.path());
      if (!kb.ok()) _exit(3);
      auto r = (*kb)->import({docs.path()}, ImportOptions{});
      _exit(r.ok() ? 0 : 4);
    }
    usleep(static_cast<useconds_t>(delay_ms) * 1000);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    auto kb = open_kb(home);
    ASSERT_TRUE(kb);
    expect_consistent(kb->handle());
    std::printf("killed after %d ms: %lld documents committed\n", delay_ms,
                static_cast<long long>(query_int(kb->handle(), "SELECT count(*) FROM documents")));
  }
  auto kb = open_kb(home);
  ASSERT_TRUE(kb);
  auto r = kb->import({docs.path()}, ImportOptions{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->failed, 0);
  EXPECT_EQ(r->added + r->unchanged, kFiles);
  EXPECT_EQ(query_int(kb->handle(), "SELECT count(*) FROM documents WHERE status = 'ok'"), kFiles);
  expect_consistent(kb->handle());
}

TEST(Import, CancelStopsBetweenDocuments) {
  TempDir home, docs;
  for (int i = 0; i < 10; ++i) docs.write("f" + std::to_string(i) + ".txt", "Text " + std::to_string(i) + ".");
  auto kb = open_kb(home);
  ASSERT_TRUE(kb);
  std::atomic<bool> cancel{false};
  ImportOptions opt;
  opt.cancel = &cancel;
  int calls = 0;
  opt.progress = [&](const ImportProgress& p) {
    if (!p.current_path.empty() && ++calls == 4) cancel.store(true);
    EXPECT_EQ(p.files_total, 10);
  };
  auto r = kb->import({docs.path()}, opt);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->cancelled);
  EXPECT_EQ(r->added, 4);
  EXPECT_EQ(r->files_left, 6);
  expect_consistent(kb->handle());
}

TEST(Audit, AppendAndListNewestFirst) {
  TempDir home;
  auto kb = open_kb(home);
  ASSERT_TRUE(kb);
  AuditEntry e;
  e.os_user = "analyst";
  e.kb = "default";
  e.model = "qwen2.5-0.5b";
  e.question_sha256 = sha256_hex("what?");
  e.answer_sha256 = sha256_hex("that.");
  e.sources_json = "[{\"chunk_id\":1}]";
  e.latency_ms = 1234;
  ASSERT_TRUE(kb->append_audit(e).ok());
  e.model = "second";
  ASSERT_TRUE(kb->append_audit(e).ok());
  auto list = kb->list_audit(10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].model, "second");
  EXPECT_EQ((*list)[1].latency_ms, 1234);
  EXPECT_GT((*list)[1].time_ms, 0);
  EXPECT_EQ((*list)[1].sources_json, "[{\"chunk_id\":1}]");
}

}  // namespace
}  // namespace lantern::kb
