// A cheap retrieval-quality floor on real data: 30 CMRC 2018 questions (Chinese) and 30 Cranfield
// queries (English) against their full corpora. Floors sit well under the measured figures in
// bench/RESULTS.md (there: recall@5 0.99 on CMRC, MRR@10 0.53 on Cranfield; on these subsets 29/30 and 0.60) so only a real
// regression fails.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "kb_test_db.h"
#include "lantern/json.h"
#include "lantern/kb/search.h"
#include "test_support.h"

namespace lantern::kb {
namespace {

using testing::TestDb;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Rank (1-based) of the first hit whose path is in `relevant` among the top 10, 0 when none.
int first_relevant(TestDb& t, const std::string& query, const std::set<std::string>& relevant) {
  SearchOptions opt;
  opt.k = 10;
  auto hits = search_chunks(t.db(), query, opt);
  EXPECT_TRUE(hits.ok()) << hits.status().to_string();
  if (!hits.ok()) return 0;
  for (const auto& h : *hits) {
    if (relevant.count(h.path)) return h.rank;
  }
  return 0;
}

TEST(SearchQuality, Cmrc2018ThirtyQuestions) {
  LT_REQUIRE_SHARED(shared);
  auto doc = json::parse(slurp(shared + "/datasets/cmrc2018/cmrc2018_trial.squad.json"));
  ASSERT_TRUE(doc.ok()) << doc.status().to_string();
  TestDb t;
  int64_t kb = t.add_kb("default");
  std::vector<std::pair<std::string, std::string>> questions;  // question, paragraph id
  t.exec("BEGIN");
  for (const auto& article : doc->find("data")->items()) {
    for (const auto& p : article.find("paragraphs")->items()) {
      std::string id = p.get_string("id");
      t.add_chunk(t.add_document(kb, id, article.get_string("title")), p.get_string("context"));
      for (const auto& qa : p.find("qas")->items()) questions.push_back({qa.get_string("question"), id});
    }
  }
  t.exec("COMMIT");
  ASSERT_GE(questions.size(), 300u);
  int in_top5 = 0, n = 0;
  for (size_t i = 0; i < questions.size() && n < 30; i += 10, ++n) {  // every 10th: spread over articles
    int r = first_relevant(t, questions[i].first, {questions[i].second});
    if (r >= 1 && r <= 5) ++in_top5;
  }
  EXPECT_GE(in_top5, 25) << "recall@5 " << in_top5 << "/30";
}

TEST(SearchQuality, CranfieldThirtyQueries) {
  LT_REQUIRE_SHARED(shared);
  std::string dir = shared + "/datasets/cranfield/beir_format";
  TestDb t;
  int64_t kb = t.add_kb("default");
  t.exec("BEGIN");
  std::istringstream corpus(slurp(dir + "/corpus.jsonl"));
  std::string line;
  while (std::getline(corpus, line)) {
    auto v = json::parse(line);
    ASSERT_TRUE(v.ok()) << v.status().to_string();
    t.add_chunk(t.add_document(kb, v->get_string("_id"), v->get_string("title")), v->get_string("text"));
  }
  t.exec("COMMIT");
  std::map<std::string, std::set<std::string>> qrels;
  std::istringstream tsv(slurp(dir + "/qrels/test.tsv"));
  std::getline(tsv, line);  // header
  while (std::getline(tsv, line)) {
    std::istringstream ls(line);
    std::string q, d;
    std::getline(ls, q, '\t');
    std::getline(ls, d, '\t');
    qrels[q].insert(d);
  }
  std::istringstream queries(slurp(dir + "/queries.jsonl"));
  double mrr = 0;
  int n = 0;
  while (n < 30 && std::getline(queries, line)) {
    auto v = json::parse(line);
    ASSERT_TRUE(v.ok());
    auto it = qrels.find(v->get_string("_id"));
    if (it == qrels.end()) continue;
    int r = first_relevant(t, v->get_string("text"), it->second);
    if (r > 0) mrr += 1.0 / r;
    ++n;
  }
  ASSERT_EQ(n, 30);
  EXPECT_GE(mrr / n, 0.45) << "MRR@10 over 30 queries";
}

}  // namespace
}  // namespace lantern::kb
