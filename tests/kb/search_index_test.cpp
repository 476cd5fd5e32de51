// chunk_fts kept in step with chunks by triggers, including ON DELETE CASCADE from documents and kbs.
#include "search_index.h"

#include <gtest/gtest.h>

#include "kb_test_db.h"
#include "test_support.h"

namespace lantern::kb {
namespace {

using testing::TestDb;

int64_t count_match(TestDb& t, const std::string& match) {
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(t.db(), "SELECT count(*) FROM chunk_fts WHERE chunk_fts MATCH ?", -1, &st, nullptr),
            SQLITE_OK);
  sqlite3_bind_text(st, 1, match.c_str(), -1, SQLITE_TRANSIENT);
  int64_t n = -1;
  if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
  else ADD_FAILURE() << sqlite3_errmsg(t.db());
  sqlite3_finalize(st);
  return n;
}

TEST(SearchIndex, InsertTriggerIndexesTitleHeadingBody) {
  TestDb t;
  int64_t kb = t.add_kb("default");
  int64_t doc = t.add_document(kb, "/a/wing.txt", "Wing Aerodynamics");
  t.add_chunk(doc, "The slipstream of a propeller changes the lift.", "Results > Lift");
  EXPECT_EQ(count_match(t, "title:aerodynamic"), 1);
  EXPECT_EQ(count_match(t, "heading:lift"), 1);
  EXPECT_EQ(count_match(t, "body:propellers"), 1);  // stemmed on both sides
  EXPECT_EQ(count_match(t, "body:wing"), 0);
}

TEST(SearchIndex, ChineseWordsAndPhrasesMatch) {
  TestDb t;
  int64_t doc = t.add_document(t.add_kb("default"), "/zh.txt", "");
  t.add_chunk(doc, "中国大陆由盛大游戏运营，这是Nexon时隔6年再次授予盛大网络其游戏运营权。");
  EXPECT_EQ(count_match(t, "\"运营\""), 1);
  EXPECT_EQ(count_match(t, "\"盛大游戏运营\""), 1);
  EXPECT_EQ(count_match(t, "\"营\""), 1);
  EXPECT_EQ(count_match(t, "\"游戏盛大\""), 0);
  EXPECT_EQ(count_match(t, "nexon"), 1);
}

TEST(SearchIndex, DeleteAndCascadeRemoveRows) {
  ::lantern::testing::TempDir dir;
  TestDb t(dir.file("kb.db"));
  int64_t kb = t.add_kb("default");
  int64_t other = t.add_kb("other");
  int64_t d1 = t.add_document(kb, "/1.txt", "one");
  int64_t d2 = t.add_document(kb, "/2.txt", "two");
  int64_t d3 = t.add_document(other, "/3.txt", "three");
  int64_t c1 = t.add_chunk(d1, "alpha beta");
  t.add_chunk(d1, "gamma alpha");
  t.add_chunk(d2, "alpha delta");
  t.add_chunk(d3, "alpha epsilon");
  EXPECT_EQ(count_match(t, "alpha"), 4);
  t.exec("DELETE FROM chunks WHERE id = " + std::to_string(c1));
  EXPECT_EQ(count_match(t, "alpha"), 3);
  EXPECT_EQ(count_match(t, "beta"), 0);
  t.exec("DELETE FROM documents WHERE id = " + std::to_string(d2));  // cascade to chunks
  EXPECT_EQ(count_match(t, "alpha"), 2);
  EXPECT_EQ(count_match(t, "delta"), 0);
  t.exec("DELETE FROM kbs WHERE id = " + std::to_string(other));  // cascade kbs -> documents -> chunks
  EXPECT_EQ(count_match(t, "alpha"), 1);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM chunk_fts"), 1);
  t.exec("INSERT INTO chunk_fts(chunk_fts) VALUES('integrity-check')");
}

TEST(SearchIndex, RetitleUpdatesIndexAndSchemaIsIdempotent) {
  TestDb t;
  int64_t doc = t.add_document(t.add_kb("default"), "/x.txt", "old name");
  t.add_chunk(doc, "body words");
  t.exec("UPDATE documents SET title = 'fresh name' WHERE id = " + std::to_string(doc));
  EXPECT_EQ(count_match(t, "title:fresh"), 1);
  EXPECT_EQ(count_match(t, "title:old"), 0);
  auto st = create_search_schema(t.db());
  EXPECT_TRUE(st.ok()) << st.to_string();
  t.exec("INSERT INTO chunk_fts(chunk_fts) VALUES('integrity-check')");
}

TEST(SearchIndex, UnknownTokenizerArgumentFails) {
  TestDb t;
  char* err = nullptr;
  int rc = sqlite3_exec(t.db(), "CREATE VIRTUAL TABLE bad USING fts5(x, tokenize='lantern bogus')", nullptr, nullptr, &err);
  EXPECT_NE(rc, SQLITE_OK);
  sqlite3_free(err);
}

TEST(SearchIndex, HighlightMarksOriginalText) {
  TestDb t;
  int64_t doc = t.add_document(t.add_kb("default"), "/h.txt", "");
  t.add_chunk(doc, "ＡＢＣ Running fast. 盛大游戏运营权");
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(t.db(), "SELECT highlight(chunk_fts, 2, '[', ']') FROM chunk_fts WHERE chunk_fts MATCH ?",
                               -1, &st, nullptr), SQLITE_OK);
  sqlite3_bind_text(st, 1, "abc OR run OR \"游戏运营\"", -1, SQLITE_TRANSIENT);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW) << sqlite3_errmsg(t.db());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))),
            "[ＡＢＣ] [Running] fast. 盛大[游戏运营]权");
  sqlite3_finalize(st);
}

}  // namespace
}  // namespace lantern::kb
