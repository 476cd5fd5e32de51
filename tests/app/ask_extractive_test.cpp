// Extractive answers end to end: a real knowledge base (SQLite import of a small corpus, and of
// CMRC 2018 paragraphs), the pipeline without a model, citations and the audit log.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>

#include "answer.h"
#include "kb_knowledge_source.h"
#include "lantern/json.h"
#include "lantern/kb/knowledge_base.h"
#include "lantern/sha256.h"
#include "test_support.h"

namespace lantern::app {
namespace {

using lantern::testing::TempDir;

const char* kJets =
    "# Jet engines\n\nA turbojet compresses incoming air with a rotating compressor, burns fuel in it and "
    "drives the compressor with a turbine. The first turbojet to run was built by Frank Whittle in 1937.\n\n"
    "## Ramjets\n\nA ramjet has no compressor at all. It needs high forward speed before it can produce "
    "thrust, so it is launched by another engine.\n";
const char* kRivers =
    "# Rivers\n\nThe Nile flows north through eleven countries and ends in a delta on the Mediterranean Sea. "
    "The Amazon carries more water than any other river.\n";
const char* kTea =
    "# Tea\n\nGreen tea is not oxidised; black tea is fully oxidised. Oolong sits between them. Tea plants "
    "grow best on acidic soil with plenty of rain.\n";

// A home with the corpus imported into the default knowledge base.
struct Corpus {
  TempDir dir;
  std::string home;
  Corpus() {
    home = dir.path() + "/home";
    dir.write("home/.keep", "");
    dir.write("docs/jets.md", kJets);
    dir.write("docs/rivers.md", kRivers);
    dir.write("docs/tea.md", kTea);
    auto kb = kb::KnowledgeBase::open(home);
    EXPECT_TRUE(kb.ok()) << kb.status().message();
    auto report = (*kb)->import({dir.path() + "/docs"}, kb::ImportOptions{});
    EXPECT_TRUE(report.ok()) << report.status().message();
    EXPECT_EQ(report->added, 3);
  }
};

TEST(AskExtractive, AnswersFromThePassageCitesItAndAudits) {
  Corpus c;
  auto source = KbKnowledgeSource::open(c.home);
  ASSERT_TRUE(source.ok()) << source.status().message();
  Conversation conv(nullptr, source->get());
  AskRequest req;
  req.question = "Who built the first turbojet?";
  std::vector<NumberedPassage> announced;
  std::string streamed;
  AskEvents ev;
  ev.on_sources = [&](const std::vector<NumberedPassage>& p) { announced = p; };
  ev.on_answer_piece = [&](std::string_view p) { streamed += p; };
  auto r = conv.ask(req, ev);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->extractive);
  EXPECT_NE(r->answer.find("Frank Whittle"), std::string::npos) << r->answer;
  EXPECT_EQ(streamed, r->answer);
  ASSERT_FALSE(announced.empty());
  EXPECT_NE(announced[0].passage.doc.find("jets.md"), std::string::npos);
  // The marker after the sentence is the number of the passage that holds it.
  ASSERT_FALSE(r->citations.cited.empty());
  int n = r->citations.cited[0];
  const NumberedPassage* cited = nullptr;
  for (const auto& p : r->sources) {
    if (p.n == n) cited = &p;
  }
  ASSERT_NE(cited, nullptr);
  EXPECT_TRUE(cited->cited);
  EXPECT_EQ(r->sources[0].n, n);  // cited first
  EXPECT_NE(cited->text.find("Frank Whittle"), std::string::npos);
  EXPECT_TRUE(r->citations.invalid.empty());

  // The audit row: hashes of exactly this question and answer, the sources, the user.
  auto rows = (*source)->store().list_audit(10);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 1u);
  const kb::AuditEntry& a = (*rows)[0];
  EXPECT_EQ(a.question_sha256, sha256_hex("Who built the first turbojet?"));
  EXPECT_EQ(a.answer_sha256, sha256_hex(r->answer));
  EXPECT_EQ(a.kb, "default");
  EXPECT_EQ(a.model, "");
  EXPECT_EQ(a.os_user, os_user_name());
  EXPECT_NE(a.sources_json.find("jets.md"), std::string::npos) << a.sources_json;
  EXPECT_GT(a.time_ms, 1600000000000);
  auto parsed = json::parse(a.sources_json);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->is_array());

  // A question the corpus cannot answer gets no made-up sentence.
  req.question = "What is the price of bananas in Oslo?";
  auto none = conv.ask(req, {});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->answer.find("[1]"), std::string::npos) << none->answer;
  // An unknown knowledge base is an error naming it.
  req.kb = "nope";
  auto bad = conv.ask(req, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'nope'"), std::string::npos);
}

TEST(AskExtractive, FollowUpSearchCarriesThePreviousTurn) {
  Corpus c;
  auto source = KbKnowledgeSource::open(c.home);
  ASSERT_TRUE(source.ok());
  Conversation conv(nullptr, source->get());
  AskRequest req;
  req.question = "What does a ramjet need before it produces thrust?";
  auto first = conv.ask(req, {});
  ASSERT_TRUE(first.ok());
  EXPECT_NE(first->answer.find("forward speed"), std::string::npos) << first->answer;
  req.question = "and how is it launched?";
  auto second = conv.ask(req, {});
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->query.find("ramjet"), std::string::npos) << second->query;
  EXPECT_NE(second->answer.find("launched by another engine"), std::string::npos) << second->answer;
  EXPECT_EQ(conv.turns().size(), 2u);
}

// A short question that names its own subject is searched as asked, not with the previous turn's
// terms: its sources come from its own document (the audit's "what is the lazy dog?" after an
// import question), in English and in Chinese, while a real follow-up still carries the topic.
TEST(AskExtractive, ShortSelfContainedQuestionAfterAnotherSearchesItsOwnSubject) {
  TempDir dir;
  std::string home = dir.path() + "/home";
  dir.write("home/.keep", "");
  dir.write("docs/importing.md",
            "# Importing\n\nTo import a folder, run lantern import with the folder path. Every supported "
            "file in the folder and its subfolders is imported into the knowledge base.\n");
  dir.write("docs/fox.md",
            "# The fox story\n\nThe lazy dog is an old hound that sleeps by the barn all day while the quick "
            "brown fox jumps over it.\n");
  dir.write("docs/zh_import.md", "# 导入\n\n导入文件夹时，运行导入命令并给出文件夹路径，文件夹里的文档都会进入知识库。\n");
  dir.write("docs/zh_vector.md", "# 向量检索\n\n向量检索把问题和段落都变成嵌入向量，按相似度找出最接近的段落。\n");
  {
    auto kb = kb::KnowledgeBase::open(home);
    ASSERT_TRUE(kb.ok()) << kb.status().message();
    auto report = (*kb)->import({dir.path() + "/docs"}, kb::ImportOptions{});
    ASSERT_TRUE(report.ok()) << report.status().message();
    ASSERT_EQ(report->added, 4);
  }
  auto source = KbKnowledgeSource::open(home);
  ASSERT_TRUE(source.ok()) << source.status().message();
  struct Case {
    const char* first;
    const char* first_doc;
    const char* second;
    const char* second_doc;
  };
  for (const Case& c : {Case{"how do I import a folder?", "importing.md", "what is the lazy dog?", "fox.md"},
                        Case{"怎么导入文件夹？", "zh_import.md", "什么是向量检索？", "zh_vector.md"}}) {
    Conversation conv(nullptr, source->get());
    AskRequest req;
    req.question = c.first;
    auto first = conv.ask(req, {});
    ASSERT_TRUE(first.ok()) << first.status().message();
    ASSERT_FALSE(first->sources.empty()) << c.first;
    EXPECT_NE(first->sources[0].passage.doc.find(c.first_doc), std::string::npos) << first->sources[0].passage.doc;
    req.question = c.second;
    std::vector<NumberedPassage> announced;
    AskEvents ev;
    ev.on_sources = [&](const std::vector<NumberedPassage>& p) { announced = p; };
    auto second = conv.ask(req, ev);
    ASSERT_TRUE(second.ok()) << second.status().message();
    EXPECT_EQ(second->query, c.second);
    ASSERT_FALSE(announced.empty()) << c.second;
    EXPECT_NE(announced[0].passage.doc.find(c.second_doc), std::string::npos) << announced[0].passage.doc;
    for (const auto& p : announced) {
      EXPECT_EQ(p.passage.doc.find(c.first_doc), std::string::npos) << c.second << " -> " << p.passage.doc;
    }
    ASSERT_FALSE(second->sources.empty());
    EXPECT_NE(second->sources[0].passage.doc.find(c.second_doc), std::string::npos);
  }
  // A real follow-up in the same conversation still carries the previous topic.
  Conversation conv(nullptr, source->get());
  AskRequest req;
  req.question = "what is the lazy dog?";
  ASSERT_TRUE(conv.ask(req, {}).ok());
  req.question = "where does it sleep?";
  auto follow = conv.ask(req, {});
  ASSERT_TRUE(follow.ok());
  EXPECT_NE(follow->query.find("lazy dog"), std::string::npos) << follow->query;
  ASSERT_FALSE(follow->sources.empty());
  EXPECT_NE(follow->sources[0].passage.doc.find("fox.md"), std::string::npos);
  EXPECT_NE(follow->answer.find("barn"), std::string::npos) << follow->answer;
}

// Reads the SQuAD-format CMRC trial set: the first `n` questions and their paragraphs.
struct SquadSample {
  std::vector<std::string> paragraphs;
  struct Q {
    std::string question, answer;
  };
  std::vector<Q> questions;
};

SquadSample load_cmrc(const std::string& path, size_t n) {
  SquadSample s;
  std::ifstream f(path);
  std::stringstream buf;
  buf << f.rdbuf();
  auto doc = json::parse(buf.str());
  EXPECT_TRUE(doc.ok());
  if (!doc.ok()) return s;
  // Take one question from each paragraph so the sample spans many documents.
  for (const auto& article : doc->find("data")->items()) {
    for (const auto& p : article.find("paragraphs")->items()) {
      if (s.questions.size() >= n) return s;
      const auto& qas = p.find("qas")->items();
      if (qas.empty()) continue;
      s.paragraphs.push_back(p.get_string("context"));
      s.questions.push_back({qas[0].get_string("question"), qas[0].find("answers")->items()[0].get_string("text")});
    }
  }
  return s;
}

TEST(AskExtractive, AnswersRealChineseQuestions) {
  LT_REQUIRE_SHARED(shared);
  SquadSample sample = load_cmrc(shared + "/datasets/cmrc2018/cmrc2018_trial.squad.json", 40);
  ASSERT_EQ(sample.questions.size(), 40u);
  TempDir dir;
  std::string home = dir.path() + "/home";
  dir.write("home/.keep", "");
  for (size_t i = 0; i < sample.paragraphs.size(); ++i) {
    dir.write("cmrc/p" + std::to_string(i) + ".txt", sample.paragraphs[i]);
  }
  {
    auto kb = kb::KnowledgeBase::open(home);
    ASSERT_TRUE(kb.ok());
    auto report = (*kb)->import({dir.path() + "/cmrc"}, kb::ImportOptions{});
    ASSERT_TRUE(report.ok());
    ASSERT_EQ(report->added, 40);
  }
  auto source = KbKnowledgeSource::open(home);
  ASSERT_TRUE(source.ok());
  size_t hits = 0;
  for (const auto& q : sample.questions) {
    Conversation conv(nullptr, source->get());  // one question each: no follow-up rewriting
    AskRequest req;
    req.question = q.question;
    auto r = conv.ask(req, {});
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_TRUE(r->extractive);
    hits += r->answer.find(q.answer) != std::string::npos;
  }
  double rate = static_cast<double>(hits) / static_cast<double>(sample.questions.size());
  std::printf("extractive CMRC sample: gold answer span in %zu of %zu answers (%.0f%%)\n", hits,
              sample.questions.size(), rate * 100);
  EXPECT_GT(rate, 0.5);
}

}  // namespace
}  // namespace lantern::app
