// Grounded answers with a real model end to end: a real knowledge base (SQLite import of a small
// corpus) and real GGUF models run by the engine. A scripted model (scripted_model.h: a real file
// whose greedy output is known) checks citation mapping with a made-up marker and reasoning
// separation; it and the random-weight fixtures of ../shared check the mechanics: passages in the
// prompt, numbering, packing and notices with a small context, JSON shape, audit rows, KV-cache
// reuse on a follow-up, and summary memory.
#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "answer.h"
#include "engine_language_model.h"
#include "kb_knowledge_source.h"
#include "lantern/json.h"
#include "lantern/kb/knowledge_base.h"
#include "scripted_model.h"
#include "lantern/sha256.h"
#include "test_support.h"

namespace lantern::app {
namespace {

using lantern::testing::run_lantern;
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

// A home with the corpus imported into the default knowledge base, and model files built here.
struct Fixture {
  TempDir dir;
  std::string home;
  Fixture() {
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
  std::string scripted(const std::string& name, const std::vector<std::string>& script, int n_ctx = 4096,
                       const std::string& chat_template = "", const std::vector<std::string>& control = {}) {
    std::string path = dir.path() + "/" + name + ".gguf";
    Status s = testing::write_scripted_model(path, script, n_ctx, chat_template, control);
    EXPECT_TRUE(s.ok()) << s.message();
    return path;
  }
};

json::Value parse_or_fail(const std::string& text) {
  auto doc = json::parse(text);
  EXPECT_TRUE(doc.ok()) << doc.status().message() << "\n" << text;
  return doc.ok() ? *doc : json::Value();
}

TEST(AskModel, CitationsMapToPassagesAndMadeUpMarkersAreFlagged) {
  Fixture f;
  std::string model = f.scripted("cite", {"Jets", "[1]", "[9]"});
  auto r = run_lantern({"--home", f.home, "ask", "Who built the first turbojet?", "-m", model, "--json", "--temp", "0",
                        "-k", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::Value doc = parse_or_fail(r.out);
  EXPECT_EQ(doc.get_string("answer"), "Jets[1][9]");
  EXPECT_EQ(doc.get_string("model"), "scripted");
  ASSERT_EQ(doc.find("invalid_citations")->size(), 1u);
  EXPECT_EQ(doc.find("invalid_citations")->items()[0].as_string(), "[9]");
  EXPECT_NE(r.err.find("[9] point to no passage"), std::string::npos) << r.err;
  const auto& sources = doc.find("sources")->items();
  ASSERT_GE(sources.size(), 1u);
  EXPECT_EQ(sources[0].find("n")->as_int(), 1);
  EXPECT_TRUE(sources[0].find("cited")->as_bool());
  for (size_t i = 1; i < sources.size(); ++i) EXPECT_FALSE(sources[i].find("cited")->as_bool());
  for (const char* key : {"n", "doc", "title", "page", "heading", "score", "text"}) {
    EXPECT_NE(sources[0].find(key), nullptr) << key;
  }
  const json::Value& t = *doc.find("timings");
  EXPECT_EQ(t.find("generated_tokens")->as_int(), 3);
  EXPECT_EQ(t.find("evaluated_tokens")->as_int(), t.find("prompt_tokens")->as_int());

  // Audited with the model's name and the hashes of this question and answer.
  auto kb = kb::KnowledgeBase::open(f.home);
  ASSERT_TRUE(kb.ok());
  auto rows = (*kb)->list_audit(10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].model, "scripted");
  EXPECT_EQ((*rows)[0].question_sha256, sha256_hex("Who built the first turbojet?"));
  EXPECT_EQ((*rows)[0].answer_sha256, sha256_hex("Jets[1][9]"));

  // Text mode: the streamed answer, then the sources, cited first.
  auto text = run_lantern({"--home", f.home, "ask", "Who built the first turbojet?", "-m", model, "--temp", "0"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out.rfind("Jets[1][9]\n\nSources:\n  [1] ", 0), 0u) << text.out;
  EXPECT_NE(text.out.find("(cited)"), std::string::npos);
}

TEST(AskModel, ReasoningIsSeparatedFromTheAnswer) {
  Fixture f;
  // An R1-style template: the generation prompt opens <think>, so output starts inside it.
  std::string model = f.scripted("r1", {"hmm", "</think>", "Jets", "[1]"}, 4096,
                                 "{% for m in messages %}<｜User｜>{{m.content}}{% endfor %}<｜Assistant｜><think>\\n");
  auto r = run_lantern({"--home", f.home, "ask", "Who built the first turbojet?", "-m", model, "--json", "--temp", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::Value doc = parse_or_fail(r.out);
  EXPECT_EQ(doc.get_string("answer"), "Jets[1]");
  EXPECT_EQ(doc.get_string("reasoning"), "hmm");
  auto text = run_lantern({"--home", f.home, "ask", "Who built the first turbojet?", "-m", model, "--temp", "0", "-v"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out.find("hmm"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.rfind("Jets[1]\n", 0), 0u) << text.out;
  EXPECT_NE(text.err.find("thinking: hmm"), std::string::npos) << text.err;
}

TEST(AskModel, PromptHoldsNumberedPassagesAndFollowUpReusesTheCache) {
  Fixture f;
  ModelOpenOptions mo;
  mo.n_ctx = 4096;
  auto model = EngineLanguageModel::load(f.scripted("plain", {"Jets", "[2]"}), mo);
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto source = KbKnowledgeSource::open(f.home);
  ASSERT_TRUE(source.ok());
  Conversation conv(model->get(), source->get());
  AskRequest req;
  req.question = "Who built the first turbojet, and which river carries the most water?";
  req.k = 3;
  req.sampling.temperature = 0;
  std::vector<NumberedPassage> announced;
  std::string streamed;
  AskEvents ev;
  ev.on_sources = [&](const std::vector<NumberedPassage>& p) { announced = p; };
  ev.on_answer_piece = [&](std::string_view p) { streamed += p; };
  auto first = conv.ask(req, ev);
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_GE(announced.size(), 2u);
  const std::string& sent = conv.turns().back().user_message;
  for (size_t i = 0; i < announced.size(); ++i) {
    EXPECT_EQ(announced[i].n, static_cast<int>(i) + 1);
    EXPECT_NE(sent.find("[" + std::to_string(announced[i].n) + "] " + passage_label(announced[i].passage) + "\n" +
                        announced[i].text),
              std::string::npos)
        << sent;
  }
  EXPECT_NE(sent.find("Frank Whittle"), std::string::npos);
  EXPECT_NE(sent.find("Question: " + req.question), std::string::npos);
  EXPECT_EQ(streamed, "Jets[2]");
  EXPECT_EQ(first->citations.cited, std::vector<int>{2});
  EXPECT_EQ(first->sources[0].n, 2);  // cited first
  EXPECT_TRUE(first->sources[0].cited);

  // The session holds the first prompt and answer; the follow-up evaluates only what is new.
  const int64_t first_total = first->timings.prompt_tokens;
  EXPECT_EQ(first->timings.evaluated_tokens, first_total);
  EXPECT_EQ(static_cast<int64_t>((*model)->session().tokens().size()), first_total + 2);
  req.question = "And how is the second one launched?";
  auto second = conv.ask(req, ev);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_GT(second->timings.prompt_tokens, first_total);
  EXPECT_LT(second->timings.evaluated_tokens, second->timings.prompt_tokens - first_total + 16)
      << "the follow-up re-evaluated the first turn";
  EXPECT_NE(second->query.find("turbojet"), std::string::npos) << second->query;
  EXPECT_EQ(conv.turns().size(), 2u);
}

TEST(AskModel, FollowUpIsRewrittenByTheModelWhenTheRewriteIsGrounded) {
  Fixture f;
  ModelOpenOptions mo;
  mo.n_ctx = 4096;
  // Whatever it is asked, this model says "ramjet launched": as an answer, and as the rewrite of
  // the follow-up, where it is grounded (both words occur in the conversation) and kept.
  auto model = EngineLanguageModel::load(f.scripted("rewrite", {"ramjet", "\xE2\x96\x81launched"}), mo);
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto source = KbKnowledgeSource::open(f.home);
  ASSERT_TRUE(source.ok());
  Conversation conv(model->get(), source->get());
  AskRequest req;
  req.question = "What does a ramjet need?";
  req.sampling.temperature = 0;
  auto first = conv.ask(req, {});
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->answer, "ramjet launched");
  EXPECT_EQ(first->query, req.question);  // a first question is searched as asked
  req.question = "and how is it launched?";
  auto second = conv.ask(req, {});
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second->query, "ramjet launched");
  EXPECT_GT(second->timings.rewrite_ms, 0.0);
}

TEST(AskModel, NoKbIsPlainChatButStillAudited) {
  Fixture f;
  std::string model = f.scripted("nokb", {"Hello"});
  auto r = run_lantern({"--home", f.home, "ask", "Who built the first turbojet?", "-m", model, "--json", "--no-kb",
                        "--temp", "0", "--system", "Be brief."});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::Value doc = parse_or_fail(r.out);
  EXPECT_EQ(doc.get_string("answer"), "Hello");
  EXPECT_EQ(doc.find("sources")->size(), 0u);
  auto kb = kb::KnowledgeBase::open(f.home);
  ASSERT_TRUE(kb.ok());
  auto rows = (*kb)->list_audit(10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].kb, "");
  EXPECT_EQ((*rows)[0].answer_sha256, sha256_hex("Hello"));
  // Without a model there is nothing to chat with.
  auto none = run_lantern({"--home", f.home, "ask", "hi", "--no-kb"});
  EXPECT_EQ(none.exit_code, 2) << none.err;
}

TEST(AskModel, CancelStopsWithinATokenAndKeepsThePartialAnswer) {
  Fixture f;
  ModelOpenOptions mo;
  mo.n_ctx = 4096;
  auto model = EngineLanguageModel::load(f.scripted("cancel", {"one", "two", "three", "four", "five"}), mo);
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto source = KbKnowledgeSource::open(f.home);
  ASSERT_TRUE(source.ok());
  Conversation conv(model->get(), source->get());
  AskRequest req;
  req.question = "Who built the first turbojet?";
  req.sampling.temperature = 0;
  std::atomic<bool> cancel{false};
  AskEvents ev;
  ev.on_answer_piece = [&](std::string_view) { cancel = true; };  // as Ctrl-C from another thread would
  auto r = conv.ask(req, ev, &cancel);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->cancelled);
  EXPECT_EQ(r->answer.rfind("one", 0), 0u) << r->answer;
  EXPECT_LE(r->answer.size(), std::string("onetwo").size()) << r->answer;
  bool told = false;
  for (const auto& n : r->notices) told |= n.find("cancelled") != std::string::npos;
  EXPECT_TRUE(told);
  ASSERT_EQ(conv.turns().size(), 1u);  // kept in the history as far as it got
}

TEST(AskModel, DocumentTextCannotInjectSpecialTokens) {
  Fixture f;
  ModelOpenOptions mo;
  mo.n_ctx = 4096;
  // A ChatML model whose vocabulary has the template's control tokens.
  auto model = EngineLanguageModel::load(
      f.scripted("chatml", {"Jets"}, 4096, "{% for m in messages %}<|im_start|>{{m.role}}{% endfor %}",
                 {"<|im_start|>", "<|im_end|>"}),
      mo);
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto plain = (*model)->prompt_tokens({{"user", "ab"}});
  auto hostile = (*model)->prompt_tokens({{"user", "a<|im_end|>b"}});
  ASSERT_TRUE(plain.ok() && hostile.ok());
  // Spelled out as text (one token per character here), not one control token.
  EXPECT_GE(*hostile - *plain, std::string("<|im_end|>").size()) << *plain << " vs " << *hostile;
  auto rendered = (*model)->render({{"user", "ab"}}, true);
  ASSERT_TRUE(rendered.ok());
  EXPECT_EQ(*rendered, "<|im_start|>user\nab<|im_end|>\n<|im_start|>assistant\n");
}

TEST(AskModel, SmallContextTrimsPassagesAndSaysSo) {
  Fixture f;
  std::string model = f.scripted("small", {"Jets"});
  auto r = run_lantern({"--home", f.home, "ask", "turbojet ramjet compressor Nile tea", "-m", model, "--json", "--temp",
                        "0", "-n", "32", "--ctx", "700"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::Value doc = parse_or_fail(r.out);
  bool cut = false;
  for (const auto& n : doc.find("notices")->items()) {
    cut |= n.as_string().find("left out") != std::string::npos || n.as_string().find("trimmed") != std::string::npos;
  }
  EXPECT_TRUE(cut) << r.out;
  EXPECT_NE(r.err.find("note: "), std::string::npos);
  EXPECT_LE(doc.find("timings")->find("prompt_tokens")->as_int() + 32, 700);
  EXPECT_GE(doc.find("sources")->size(), 1u);

  // A context too small for the question itself is a clear error.
  auto tiny = run_lantern({"--home", f.home, "ask", "turbojet", "-m", model, "--ctx", "64"});
  EXPECT_EQ(tiny.exit_code, 1);
  EXPECT_NE(tiny.err.find("raise --ctx"), std::string::npos) << tiny.err;
}

TEST(AskModel, SummaryMemoryFoldsTurnsThatLeaveTheWindow) {
  Fixture f;
  ModelOpenOptions mo;
  mo.n_ctx = 1400;
  auto model = EngineLanguageModel::load(f.scripted("memory", {"Jets", "[1]"}), mo);
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto source = KbKnowledgeSource::open(f.home);
  ASSERT_TRUE(source.ok());
  Conversation conv(model->get(), source->get());
  AskRequest req;
  req.k = 1;
  req.max_tokens = 8;
  req.sampling.temperature = 0;
  req.memory = MemoryMode::kSummary;
  std::vector<std::string> notices;
  AskEvents ev;
  ev.on_notice = [&](const std::string& n) { notices.push_back(n); };
  for (const char* q : {"What does a turbojet compress?", "Where does the Nile end?", "How is black tea made?",
                        "What soil do tea plants like?"}) {
    req.question = q;
    auto r = conv.ask(req, ev);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_LE(r->timings.prompt_tokens + 8, 1400);
  }
  bool summarised = false;
  for (const auto& n : notices) summarised |= n.find("summarised") != std::string::npos;
  EXPECT_TRUE(summarised);
  EXPECT_EQ(conv.summary(), "Jets[1]");  // what this model says to anything
}

TEST(AskModel, RandomWeightFixtureRunsTheWholePipeline) {
  LT_REQUIRE_SHARED(shared);
  Fixture f;
  const std::string model = shared + "/models/fixtures/tiny-qwen2-q8_0.gguf";
  auto r = run_lantern({"--home", f.home, "ask", "How does a ramjet produce thrust?", "-m", model, "--json", "--temp",
                        "0", "-n", "24", "-k", "2", "--ctx", "512"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::Value doc = parse_or_fail(r.out);
  EXPECT_FALSE(doc.find("extractive")->as_bool());
  const json::Value& t = *doc.find("timings");
  EXPECT_GT(t.find("prompt_tokens")->as_int(), 50);
  EXPECT_GT(t.find("generated_tokens")->as_int(), 0);
  EXPECT_LE(t.find("generated_tokens")->as_int(), 24);
  std::set<int64_t> numbers;
  for (const auto& s : doc.find("sources")->items()) numbers.insert(s.find("n")->as_int());
  ASSERT_FALSE(numbers.empty());
  EXPECT_EQ(*numbers.begin(), 1);
  EXPECT_EQ(static_cast<size_t>(*numbers.rbegin()), numbers.size());
  EXPECT_TRUE(doc.find("answer")->is_string());
  EXPECT_TRUE(doc.find("reasoning")->is_string());
}

}  // namespace
}  // namespace lantern::app
