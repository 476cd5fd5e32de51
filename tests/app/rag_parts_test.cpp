// Pure parts of the answer pipeline: packing, citations, <think> separation, query rewriting,
// extractive answers. No model and no database: these are functions of their inputs.
#include <gtest/gtest.h>

#include "citations.h"
#include "extractive.h"
#include "passage_packer.h"
#include "query_rewrite.h"
#include "think_splitter.h"

namespace lantern::app {
namespace {

Passage make_passage(const std::string& title, const std::string& text, int rank) {
  Passage p;
  p.chunk_id = rank;
  p.doc = "/docs/" + title + ".md";
  p.title = title;
  p.text = text;
  p.rank = rank;
  p.score = 10.0 - rank;
  return p;
}

// One "token" per whitespace-separated word: a stand-in tokenizer for budget arithmetic only.
size_t word_count(std::string_view s) {
  size_t n = 0;
  bool in = false;
  for (char c : s) {
    bool sp = c == ' ' || c == '\n';
    if (!sp && !in) ++n;
    in = !sp;
  }
  return n;
}

TEST(PassagePacker, RankOrderDuplicatesAndBudget) {
  std::vector<Passage> ranked = {
      make_passage("a", "Turbojets compress air with a rotating compressor. They burn fuel in it.", 1),
      make_passage("b", "Turbojets compress air with a rotating compressor. They burn fuel in it.", 2),  // exact dup
      make_passage("c", "turbojets compress air with a rotating compressor; they burn fuel in it!", 3),  // near dup
      make_passage("d", "Ramjets have no compressor at all and need forward speed.", 4),
  };
  PackOptions opt;
  opt.budget_tokens = 1000;
  auto r = pack_passages(ranked, opt, word_count);
  ASSERT_EQ(r.passages.size(), 2u);
  EXPECT_EQ(r.duplicates, 2u);
  EXPECT_EQ(r.passages[0].n, 1);
  EXPECT_EQ(r.passages[0].passage.title, "a");
  EXPECT_EQ(r.passages[1].n, 2);
  EXPECT_EQ(r.passages[1].passage.title, "d");
  EXPECT_TRUE(r.notices.empty());
  EXPECT_EQ(r.tokens, word_count(render_passage(1, ranked[0], ranked[0].text)) +
                          word_count(render_passage(2, ranked[3], ranked[3].text)));
}

TEST(PassagePacker, TrimsAtSentencesAndReportsWhatWasCut) {
  std::string long_text;
  for (int i = 0; i < 20; ++i) long_text += "Sentence number " + std::to_string(i) + " has six words. ";
  std::vector<Passage> ranked = {make_passage("first", "Short first passage with some words.", 1),
                                 make_passage("long", long_text, 2), make_passage("third", "Never fits here.", 3)};
  PackOptions opt;
  opt.budget_tokens = 60;
  opt.min_trimmed_tokens = 8;
  auto r = pack_passages(ranked, opt, word_count);
  ASSERT_EQ(r.passages.size(), 2u);
  EXPECT_LE(r.tokens, 60u);
  EXPECT_TRUE(r.passages[1].trimmed);
  EXPECT_NE(r.passages[1].text.find("Sentence number 0 has six words."), std::string::npos);
  EXPECT_EQ(r.passages[1].text.find("number 19"), std::string::npos);
  ASSERT_EQ(r.left_out.size(), 1u);
  EXPECT_EQ(r.left_out[0].title, "third");
  ASSERT_EQ(r.notices.size(), 2u);
  EXPECT_NE(r.notices[0].find("passage [2]"), std::string::npos) << r.notices[0];
  EXPECT_NE(r.notices[0].find("of 20 sentences kept"), std::string::npos) << r.notices[0];
  EXPECT_NE(r.notices[1].find("1 retrieved passage left out"), std::string::npos) << r.notices[1];
}

TEST(Citations, MarkersForms) {
  auto m = find_citation_markers("A [1]. B [2, 3] C [4-5]. D [1][2] E ［6］ F 【7】 [x] [12](http://l) [ 8 ]");
  ASSERT_EQ(m.size(), 8u);
  EXPECT_EQ(m[0].numbers, (std::vector<int>{1}));
  EXPECT_EQ(m[1].numbers, (std::vector<int>{2, 3}));
  EXPECT_EQ(m[2].numbers, (std::vector<int>{4, 5}));
  EXPECT_EQ(m[3].text, "[1]");
  EXPECT_EQ(m[4].text, "[2]");
  EXPECT_EQ(m[5].numbers, (std::vector<int>{6}));
  EXPECT_EQ(m[6].numbers, (std::vector<int>{7}));
  EXPECT_EQ(m[7].numbers, (std::vector<int>{8}));
}

TEST(Citations, MappingFlagsBadMarkersAndOrdersSources) {
  std::vector<NumberedPassage> given;
  for (int n = 1; n <= 4; ++n) given.push_back({n, make_passage("p" + std::to_string(n), "text", n), "text"});
  auto check = check_citations("Ramjets [3] need speed [3, 1]; see also [9] and [0].", 4);
  EXPECT_EQ(check.cited, (std::vector<int>{3, 1}));
  EXPECT_EQ(check.invalid, (std::vector<std::string>{"[9]", "[0]"}));
  auto notice = invalid_citation_notice(check, 4);
  EXPECT_NE(notice.find("[9] [0] point to no passage"), std::string::npos) << notice;
  auto ordered = order_sources(given, check);
  ASSERT_EQ(ordered.size(), 4u);
  EXPECT_EQ(ordered[0].n, 3);
  EXPECT_TRUE(ordered[0].cited);
  EXPECT_EQ(ordered[1].n, 1);
  EXPECT_EQ(ordered[2].n, 2);
  EXPECT_FALSE(ordered[2].cited);
  EXPECT_EQ(ordered[3].n, 4);
  EXPECT_TRUE(invalid_citation_notice(check_citations("fine [1]", 4), 4).empty());
}

TEST(ThinkSplitter, SplitAcrossPiecesAndPreOpened) {
  for (bool pre_opened : {false, true}) {
    std::string text = std::string(pre_opened ? "" : "<think>") + "let me see</think>\n\nThe answer [1].";
    // Feed one byte at a time: every tag is split across pieces.
    std::string r, a;
    ThinkSplitter s(pre_opened, [&](std::string_view p) { r += p; }, [&](std::string_view p) { a += p; });
    for (char c : text) s.feed(std::string_view(&c, 1));
    s.finish();
    EXPECT_EQ(r, "let me see") << pre_opened;
    EXPECT_EQ(a, "The answer [1].") << pre_opened;
  }
  auto plain = split_think("No reasoning here <b>bold</b> and a < sign", false);
  EXPECT_EQ(plain.reasoning, "");
  EXPECT_EQ(plain.answer, "No reasoning here <b>bold</b> and a < sign");
  auto unclosed = split_think("<think>still thinking when cut off", false);
  EXPECT_EQ(unclosed.reasoning, "still thinking when cut off");
  EXPECT_EQ(unclosed.answer, "");
  // The template opened <think> but nobody told us: the stray close reclassifies what came before.
  auto stray = split_think("hmm, reasoning\n</think>\nAnswer.", false);
  EXPECT_EQ(stray.reasoning, "hmm, reasoning");
  EXPECT_EQ(stray.answer, "Answer.");
}

TEST(QueryRewrite, FollowUpsCarryThePreviousTurn) {
  std::vector<PastTurn> history = {{"What are the two main kinds of jet engines?",
                                    "The two kinds are turbojets [1] and ramjets [2]."}};
  EXPECT_TRUE(looks_like_follow_up("and the second one?"));
  EXPECT_TRUE(looks_like_follow_up("它是哪一年建成的？"));
  EXPECT_FALSE(looks_like_follow_up("How does a ramjet compress incoming air?"));
  std::string q = heuristic_rewrite("and the second one?", history);
  EXPECT_NE(q.find("jet engines"), std::string::npos) << q;
  EXPECT_NE(q.find("ramjets"), std::string::npos) << q;
  EXPECT_NE(q.find("turbojets"), std::string::npos) << q;
  EXPECT_EQ(heuristic_rewrite("How does a ramjet compress incoming air?", history),
            "How does a ramjet compress incoming air?");
  EXPECT_EQ(heuristic_rewrite("and the second one?", {}), "and the second one?");
  std::vector<PastTurn> zh = {{"长城是什么时候修建的？", "长城始建于春秋战国时期 [1]。"}};
  std::string zq = heuristic_rewrite("它有多长？", zh);
  EXPECT_NE(zq.find("长城"), std::string::npos) << zq;
}

// Only follow-up cues make a follow-up: a short question that names its own subject stands alone.
TEST(QueryRewrite, ShortSelfContainedQuestionsAreNotFollowUps) {
  for (const char* q : {"what is the lazy dog?", "What is a ramjet?", "Who built the first turbojet?",
                        "why does a ramjet need speed?", "how do I import a folder?", "Is there a way to export?",
                        "list models", "什么是向量检索？", "长城有多长？", "我应该怎么导入文件夹？",
                        "其他格式支持吗", "世界第一高峰是哪座山？"}) {
    EXPECT_FALSE(looks_like_follow_up(q)) << q;
  }
  std::vector<PastTurn> history = {{"how do I import a folder?", "Run lantern import with the folder path [1]."}};
  EXPECT_EQ(heuristic_rewrite("what is the lazy dog?", history), "what is the lazy dog?");
  std::vector<PastTurn> zh = {{"怎么导入文件夹？", "运行 lantern import 加上文件夹路径 [1]。"}};
  EXPECT_EQ(heuristic_rewrite("什么是向量检索？", zh), "什么是向量检索？");
}

TEST(QueryRewrite, FollowUpCuesInBothLanguages) {
  for (const char* q : {"how is it launched?", "Who built them?", "and the second one?", "what about the last?",
                        "How does the first one work?", "Is that the same as above?", "And ramjets?",
                        "what about tea?", "How about rivers?", "also the price?", "why?", "How?",
                        "How do I get there?", "what did the previous answer mean?", "它是哪一年建成的？",
                        "它们有什么区别？", "这个怎么用？", "那个呢", "该方法的缺点是什么？", "其原理是什么？",
                        "上面说的是什么意思？", "前者更快吗？", "后者呢？", "第二个是什么？", "价格呢？",
                        "还有别的办法吗？", "那么速度如何？", "为什么？"}) {
    EXPECT_TRUE(looks_like_follow_up(q)) << q;
  }
  // 呢 inside a sentence is no cue; at the end (before punctuation) it is.
  EXPECT_FALSE(looks_like_follow_up("呢绒是什么材料？"));
  std::vector<PastTurn> history = {{"What does a ramjet need?", "High forward speed [1]."}};
  EXPECT_NE(heuristic_rewrite("why?", history).find("ramjet"), std::string::npos);
  std::vector<PastTurn> zh = {{"什么是向量检索？", "向量检索按嵌入的相似度找段落 [1]。"}};
  EXPECT_NE(heuristic_rewrite("它快吗？", zh).find("向量检索"), std::string::npos);
}

TEST(QueryRewrite, ModelRewriteMustBeGrounded) {
  std::vector<PastTurn> history = {{"What are the two kinds of jet engines?", "Turbojets [1] and ramjets [2]."}};
  EXPECT_EQ(accept_model_rewrite("  Query: \"how do ramjets work\"\nextra", "how does the second one work?", history),
            "how do ramjets work");
  EXPECT_EQ(accept_model_rewrite("purple elephant migration patterns", "how does the second one work?", history), "");
  EXPECT_EQ(accept_model_rewrite("", "x", history), "");
  EXPECT_EQ(accept_model_rewrite("Turbojets [1] and ramjets", "how does the second one work?", history), "");
  EXPECT_NE(rewrite_prompt("and the second?", history).find("ramjets"), std::string::npos);
}

TEST(Extractive, PicksTheAnsweringSentenceWithItsNumber) {
  std::vector<NumberedPassage> given = {
      {1, make_passage("jets", "", 1),
       "Jet engines come in several kinds. A ramjet has no moving compressor. Ramjets need high forward speed to work."},
      {2, make_passage("history", "", 2), "The first turbojet ran in 1937. It was built by Frank Whittle."},
  };
  auto a = extractive_answer("Who built the first turbojet?", given);
  ASSERT_FALSE(a.sentences.empty());
  EXPECT_NE(a.text.find("Frank Whittle"), std::string::npos) << a.text;
  EXPECT_NE(a.text.find("[2]"), std::string::npos) << a.text;
  std::vector<NumberedPassage> zh = {
      {1, make_passage("长城", "", 1), "长城是古代中国的军事防御工程。明长城总长度为8851.8公里。它始建于春秋战国时期。"},
  };
  auto z = extractive_answer("明长城的总长度是多少？", zh);
  EXPECT_NE(z.text.find("8851.8公里"), std::string::npos) << z.text;
  EXPECT_NE(z.text.find("[1]"), std::string::npos);
  EXPECT_TRUE(extractive_answer("unrelated zebra", given).text.empty());
}

}  // namespace
}  // namespace lantern::app
