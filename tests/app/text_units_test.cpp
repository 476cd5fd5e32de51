// Pure text parts of the answer pipeline: terms, sentences, trimming.
#include <gtest/gtest.h>

#include <algorithm>

#include "sentences.h"
#include "text_terms.h"

namespace lantern::app {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(TextTerms, EnglishWordsLowercasedWithoutStopwords) {
  auto t = extract_terms("What is the Boiling point of WATER, in 2024?");
  EXPECT_EQ(t, (std::vector<std::string>{"boiling", "point", "water", "2024"}));
  EXPECT_EQ(extract_terms("needs launched carries class", {.drop_stopwords = true, .stem = true}),
            (std::vector<std::string>{"need", "launch", "carry", "class"}));
  auto all = extract_terms("The end", {.drop_stopwords = false});
  EXPECT_EQ(all, (std::vector<std::string>{"the", "end"}));
}

TEST(TextTerms, ChineseBigramsAndContentUnigrams) {
  auto t = extract_terms("长城的历史");
  EXPECT_TRUE(contains(t, "长城"));
  EXPECT_TRUE(contains(t, "城的"));
  EXPECT_TRUE(contains(t, "历史"));
  EXPECT_TRUE(contains(t, "长"));
  EXPECT_FALSE(contains(t, "的"));  // function character: no unigram
  auto mixed = extract_terms("GPU加速");
  EXPECT_TRUE(contains(mixed, "gpu"));
  EXPECT_TRUE(contains(mixed, "加速"));
  EXPECT_TRUE(mostly_cjk("北京是中国的首都 Beijing"));
  EXPECT_FALSE(mostly_cjk("The capital of China is 北京"));
}

TEST(TextTerms, JaccardOfSets) {
  EXPECT_DOUBLE_EQ(jaccard(term_bag("red green blue"), term_bag("blue green red")), 1.0);
  EXPECT_DOUBLE_EQ(jaccard(term_bag("red green"), term_bag("blue yellow")), 0.0);
  EXPECT_NEAR(jaccard(term_bag("red green blue"), term_bag("red green yellow")), 0.5, 1e-9);
}

TEST(Sentences, LatinAndChinese) {
  EXPECT_EQ(sentences_of("It costs 3.5 dollars. Really? Yes!  Done"),
            (std::vector<std::string>{"It costs 3.5 dollars.", "Really?", "Yes!", "Done"}));
  EXPECT_EQ(sentences_of("北京是首都。上海很大！你去过吗？“好。”然后"),
            (std::vector<std::string>{"北京是首都。", "上海很大！", "你去过吗？", "“好。”", "然后"}));
  EXPECT_EQ(sentences_of("## Ramjets\nA ramjet has no compressor\nat all."),
            (std::vector<std::string>{"## Ramjets", "A ramjet has no compressor\nat all."}));
  EXPECT_EQ(sentences_of("A line\nwrapped here. Next\n\nPara two\n- item one\n- item two"),
            (std::vector<std::string>{"A line\nwrapped here.", "Next", "Para two", "- item one", "- item two"}));
}

TEST(Sentences, TrimKeepsWholeSentences) {
  std::string text = "One two three. Four five six. Seven eight nine.";
  auto bytes_at_most = [](size_t n) { return [n](std::string_view s) { return s.size() <= n; }; };
  auto all = trim_to_fit(text, bytes_at_most(100));
  EXPECT_FALSE(all.trimmed);
  EXPECT_EQ(all.text, text);
  auto two = trim_to_fit(text, bytes_at_most(35));
  EXPECT_TRUE(two.trimmed);
  EXPECT_EQ(two.text, "One two three. Four five six. …");
  EXPECT_EQ(two.kept, 2u);
  EXPECT_EQ(two.total, 3u);
  auto cut = trim_to_fit(text, bytes_at_most(12));
  EXPECT_TRUE(cut.mid_sentence);
  EXPECT_EQ(cut.text, "One two…");
  auto none = trim_to_fit(text, bytes_at_most(2));
  EXPECT_TRUE(none.text.empty());
  auto cjk = trim_to_fit("北京是首都。上海很大。", bytes_at_most(24));
  EXPECT_EQ(cjk.text, "北京是首都。 …");
}

}  // namespace
}  // namespace lantern::app
