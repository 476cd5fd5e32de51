// Keyword search on a real SQLite database: CJK words, stemming, title boost, hostile queries,
// highlights and snippets, knowledge-base filtering.
#include "lantern/kb/search.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "highlight.h"
#include "kb_test_db.h"
#include "query_builder.h"
#include "searcher.h"

namespace lantern::kb {
namespace {

using testing::TestDb;

std::vector<std::string> marked(const SearchHit& hit) {
  std::vector<std::string> out;
  for (auto [b, e] : hit.highlights) out.push_back(hit.text.substr(b, e - b));
  return out;
}

std::vector<SearchHit> search(TestDb& t, const std::string& q, SearchOptions opt = {}) {
  auto r = search_chunks(t.db(), q, opt);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? *r : std::vector<SearchHit>{};
}

TEST(Search, FindsTwoCharacterChineseWord) {
  TestDb t;
  int64_t kb = t.add_kb("default");
  t.add_chunk(t.add_document(kb, "/a.txt", "游戏"), "基于《跑跑卡丁车》与《泡泡堂》上所开发的游戏，由韩国Nexon开发与发行。");
  t.add_chunk(t.add_document(kb, "/b.txt", "袋鼠"), "尤金袋鼠分布在澳大利亚南部和西部的岛屿上。");
  t.add_chunk(t.add_document(kb, "/c.txt", "城市"), "上海是中国的经济中心，人口众多。");
  auto hits = search(t, "袋鼠");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].path, "/b.txt");
  EXPECT_EQ(marked(hits[0]), (std::vector<std::string>{"袋鼠"}));
  // A question: the passage sharing the most words ranks first.
  hits = search(t, "尤金袋鼠分布在哪些地区？");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].path, "/b.txt");
  EXPECT_EQ(hits[0].rank, 1);
  // A single character matches too.
  hits = search(t, "鼠");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(marked(hits[0]), (std::vector<std::string>{"鼠"}));
}

TEST(Search, EnglishStemmingMatchesOtherForms) {
  TestDb t;
  int64_t kb = t.add_kb("default");
  t.add_chunk(t.add_document(kb, "/net.txt", "Networks"), "The connection was dropped twice.");
  t.add_chunk(t.add_document(kb, "/other.txt", "Other"), "Nothing related here at all.");
  auto hits = search(t, "connected");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].path, "/net.txt");
  EXPECT_EQ(marked(hits[0]), (std::vector<std::string>{"connection"}));
}

TEST(Search, TitleMatchRanksAboveBodyMatch) {
  TestDb t;
  int64_t kb = t.add_kb("default");
  t.add_chunk(t.add_document(kb, "/body.txt", "Assorted notes"), "A remark about turbines among other things.");
  t.add_chunk(t.add_document(kb, "/title.txt", "Turbines"), "A remark about blades among other things.");
  auto hits = search(t, "turbine");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].path, "/title.txt");
  EXPECT_GT(hits[0].score, hits[1].score);
}

TEST(Search, HostileQueriesNeverError) {
  TestDb t;
  t.add_chunk(t.add_document(t.add_kb("default"), "/x.txt", "x"), "alpha beta NEAR title body AND OR NOT");
  const char* queries[] = {"\"",           "\"\"\"",        "alpha\" OR \"beta", "AND",       "OR NOT",
                           "NEAR(alpha beta, 2)", "title:alpha", "{title body}: alpha", "alpha*", "^alpha",
                           "-alpha",       "(((",           ")",                 "+",         "a:b:c",
                           "",             "   ",           "。，！",             "\xff\xfe", "*"};
  for (const char* q : queries) {
    auto r = search_chunks(t.db(), q, SearchOptions{});
    EXPECT_TRUE(r.ok()) << "query [" << q << "]: " << r.status().to_string();
  }
  // Operators are plain words: "NEAR" and "AND" are found as text.
  auto hits = search(t, "NEAR");
  EXPECT_EQ(hits.size(), 1u);
}

TEST(Search, SnippetMarksMatchedTermsOnly) {
  TestDb t;
  std::string filler;
  for (int i = 0; i < 40; ++i) filler += "lorem ipsum dolor ";
  std::string text = filler + "the compressor stall margin was measured " + filler;
  t.add_chunk(t.add_document(t.add_kb("default"), "/s.txt", "s"), text);
  auto hits = search(t, "stall margins");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(marked(hits[0]), (std::vector<std::string>{"stall", "margin"}));
  const SearchHit& h = hits[0];
  EXPECT_LE(h.snippet.size(), 200u * 3);
  EXPECT_NE(h.snippet.find("…"), std::string::npos);
  ASSERT_EQ(h.snippet_highlights.size(), 2u);
  EXPECT_EQ(h.snippet.substr(h.snippet_highlights[0].first, h.snippet_highlights[0].second - h.snippet_highlights[0].first),
            "stall");
  EXPECT_EQ(h.snippet.substr(h.snippet_highlights[1].first, h.snippet_highlights[1].second - h.snippet_highlights[1].first),
            "margin");
}

TEST(Search, FiltersByKnowledgeBase) {
  TestDb t;
  int64_t a = t.add_kb("a");
  int64_t b = t.add_kb("b");
  // Many strong matches in b, one weak one in a: the filter must look past b's.
  for (int i = 0; i < 50; ++i) {
    t.add_chunk(t.add_document(b, "/b" + std::to_string(i), "gearbox"), "gearbox gearbox gearbox");
  }
  t.add_chunk(t.add_document(a, "/a", "notes"), "one mention of a gearbox in a long sentence about other things");
  SearchOptions opt;
  opt.kb = "a";
  opt.k = 3;
  auto hits = search(t, "gearbox", opt);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].path, "/a");
  EXPECT_EQ(hits[0].kb, "a");
  opt.kb = "";
  EXPECT_EQ(search(t, "gearbox", opt).size(), 3u);
  opt.kb = "missing";
  auto r = search_chunks(t.db(), "gearbox", opt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST(Search, PageHeadingAndModes) {
  TestDb t;
  t.add_chunk(t.add_document(t.add_kb("default"), "/p.pdf", "Report"), "fuel consumption table", "Results > Fuel", 7);
  auto hits = search(t, "fuel");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].page, 7);
  EXPECT_EQ(hits[0].heading, "Results > Fuel");
  SearchOptions opt;
  opt.mode = SearchMode::kVector;
  EXPECT_EQ(search_chunks(t.db(), "fuel", opt).status().code(), StatusCode::kUnsupported);
  opt = {};
  opt.k = 0;
  EXPECT_EQ(search_chunks(t.db(), "fuel", opt).status().code(), StatusCode::kInvalidArgument);
}

TEST(QueryBuilder, QuotesTermsAndDropsStopwords) {
  QueryPlan plan = build_query("What is the \"stall\" OR margin?");
  EXPECT_EQ(plan.match, "\"stall\" OR \"margin\"");
  plan = build_query("the of");  // only stopwords: keep them rather than return nothing
  EXPECT_EQ(plan.match, "\"the\" OR \"of\"");
  plan = build_query("生命数");
  EXPECT_EQ(plan.match, "\"生命\" OR \"命数\"");
  QueryTuning more;
  more.cjk_phrases = true;
  more.cjk_unigrams = true;
  plan = build_query("生命数", more);
  EXPECT_EQ(plan.match, "\"生命\" OR \"生命数\" OR \"生\" OR \"命数\" OR \"命\" OR \"数\"");
  EXPECT_EQ(fts5_quote("a\"b"), "\"a\"\"b\"");
  EXPECT_TRUE(build_query("?!。").match.empty());
}

}  // namespace
}  // namespace lantern::kb

namespace lantern::kb {
namespace {

// The planner's bounded paths, forced with a tiny candidate budget.
TEST(SearchPlanner, BudgetLimitsScoredRowsButKeepsRareTermHits) {
  TestDb t;
  int64_t kb = t.add_kb("default");
  for (int i = 0; i < 40; ++i) t.add_chunk(t.add_document(kb, "/c" + std::to_string(i), "c"), "common words only here");
  t.add_chunk(t.add_document(kb, "/rare", "r"), "a rare gem among common words");
  QueryTuning tuning;
  tuning.candidate_budget = 5;
  QueryPlan plan = build_query("rare common", tuning);
  auto rq = plan_ranked_query(t.db(), plan, tuning);
  ASSERT_TRUE(rq.ok()) << rq.status().to_string();
  EXPECT_EQ(rq->match, "(\"rare\") AND (\"rare\" OR \"common\")");
  ASSERT_EQ(rq->dfs.size(), 3u);
  EXPECT_LT(rq->dfs[0], 0);  // the driver copy only filters
  EXPECT_EQ(rq->dfs[1], 1);
  EXPECT_EQ(rq->dfs[2], 41);
  SearchOptions opt;
  auto hits = keyword_search(t.db(), "rare common", opt, tuning);
  ASSERT_TRUE(hits.ok()) << hits.status().to_string();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].path, "/rare");
  // A lone common term: only its newest `budget` matches are scored.
  plan = build_query("common", tuning);
  rq = plan_ranked_query(t.db(), plan, tuning);
  ASSERT_TRUE(rq.ok());
  EXPECT_GT(rq->min_rowid, 0);
  hits = keyword_search(t.db(), "common", opt, tuning);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->size(), 5u);
  for (const auto& h : *hits) EXPECT_GE(h.chunk_id, rq->min_rowid);
  // Without the budget every match is a candidate.
  hits = keyword_search(t.db(), "common", opt, QueryTuning{});
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->size(), 10u);
}

}  // namespace
}  // namespace lantern::kb
