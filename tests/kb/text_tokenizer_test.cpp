// Unit tests of the lantern tokenizer: folding, NFKC, stemming, CJK bigrams, byte offsets.
#include "text_tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "porter_stemmer.h"

namespace lantern::kb {
namespace {

std::vector<std::string> texts(const std::vector<TextToken>& toks) {
  std::vector<std::string> out;
  for (const auto& t : toks) out.push_back(t.text);
  return out;
}

TEST(TextTokenizer, FoldsCaseAndKeepsDigits) {
  TokenizerOptions no_stem{false};
  auto toks = tokenize_to_vector("Hello, WORLD 2018 v2!", TokenizeMode::kDocument, no_stem);
  EXPECT_EQ(texts(toks), (std::vector<std::string>{"hello", "world", "2018", "v2"}));
}

TEST(TextTokenizer, NfkcFullWidthBecomesAscii) {
  TokenizerOptions no_stem{false};
  // Full-width "ＡＢＣ１２３" and "Ｓｔｒａße" (ß case-folds to ss).
  auto toks = tokenize_to_vector("ＡＢＣ１２３ Ｓｔｒａße", TokenizeMode::kDocument, no_stem);
  EXPECT_EQ(texts(toks), (std::vector<std::string>{"abc123", "strasse"}));
  // Offsets point at the original (3-byte) full-width characters.
  ASSERT_EQ(toks.size(), 2u);
  EXPECT_EQ(toks[0].start, 0u);
  EXPECT_EQ(toks[0].end, 18u);
}

TEST(TextTokenizer, StemsEnglishWhenAsked) {
  auto toks = tokenize_to_vector("Running connections generalizations", TokenizeMode::kDocument);
  EXPECT_EQ(texts(toks), (std::vector<std::string>{"run", "connect", "gener"}));
  auto plain = tokenize_to_vector("Running", TokenizeMode::kDocument, TokenizerOptions{false});
  EXPECT_EQ(texts(plain), (std::vector<std::string>{"running"}));
}

TEST(TextTokenizer, PorterStemmerClassicCases) {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {{"caresses", "caress"}, {"ponies", "poni"},       {"ties", "ti"},
                        {"cats", "cat"},         {"feed", "feed"},        {"agreed", "agre"},
                        {"plastered", "plaster"}, {"motoring", "motor"},   {"sing", "sing"},
                        {"conflated", "conflat"}, {"troubled", "troubl"},  {"sized", "size"},
                        {"hopping", "hop"},      {"falling", "fall"},      {"filing", "file"},
                        {"happy", "happi"},      {"relational", "relat"},  {"conditional", "condit"},
                        {"digitizer", "digit"},  {"hopefulness", "hope"},  {"triplicate", "triplic"},
                        {"revival", "reviv"},    {"adjustable", "adjust"}, {"controlling", "control"},
                        {"roll", "roll"},        {"aerodynamics", "aerodynam"}, {"as", "as"}};
  for (const auto& c : cases) {
    std::string w = c.in;
    porter_stem(w);
    EXPECT_EQ(w, c.out) << c.in;
  }
}

TEST(TextTokenizer, CjkDocumentBigramsWithColocatedUnigrams) {
  auto toks = tokenize_to_vector("中国人", TokenizeMode::kDocument);
  ASSERT_EQ(toks.size(), 5u);
  EXPECT_EQ(toks[0].text, "中国");
  EXPECT_FALSE(toks[0].colocated);
  EXPECT_EQ(toks[1].text, "中");
  EXPECT_TRUE(toks[1].colocated);
  EXPECT_EQ(toks[2].text, "国人");
  EXPECT_FALSE(toks[2].colocated);
  EXPECT_EQ(toks[3].text, "国");
  EXPECT_TRUE(toks[3].colocated);
  EXPECT_EQ(toks[4].text, "人");
  EXPECT_FALSE(toks[4].colocated);
  // Byte offsets: each character is 3 bytes.
  EXPECT_EQ(toks[0].start, 0u);
  EXPECT_EQ(toks[0].end, 6u);
  EXPECT_EQ(toks[2].start, 3u);
  EXPECT_EQ(toks[2].end, 9u);
  EXPECT_EQ(toks[4].start, 6u);
  EXPECT_EQ(toks[4].end, 9u);
}

TEST(TextTokenizer, CjkQueryBigramsOnly) {
  EXPECT_EQ(texts(tokenize_to_vector("中国人", TokenizeMode::kQuery)), (std::vector<std::string>{"中国", "国人"}));
  EXPECT_EQ(texts(tokenize_to_vector("人", TokenizeMode::kQuery)), (std::vector<std::string>{"人"}));
}

TEST(TextTokenizer, MixedScriptsAndPunctuation) {
  auto toks = tokenize_to_vector("由韩国Nexon开发。ひらがな", TokenizeMode::kQuery, TokenizerOptions{false});
  EXPECT_EQ(texts(toks), (std::vector<std::string>{"由韩", "韩国", "nexon", "开发", "ひら", "らが", "がな"}));
  std::string text = "由韩国Nexon开发";
  ASSERT_GE(toks.size(), 3u);
  EXPECT_EQ(text.substr(toks[2].start, toks[2].end - toks[2].start), "Nexon");
}

TEST(TextTokenizer, InvalidUtf8IsASeparator) {
  std::string bad = "abc\xff\xfe" "def\xe4\xb8";  // truncated CJK at the end
  auto toks = tokenize_to_vector(bad, TokenizeMode::kDocument, TokenizerOptions{false});
  EXPECT_EQ(texts(toks), (std::vector<std::string>{"abc", "def"}));
}

TEST(TextTokenizer, HalfwidthKatakanaNormalized) {
  auto toks = tokenize_to_vector("ｶﾀ", TokenizeMode::kQuery);
  EXPECT_EQ(texts(toks), (std::vector<std::string>{"カタ"}));
}

TEST(TextTokenizer, LongTokensAreCut) {
  std::string longword(1000, 'x');
  auto toks = tokenize_to_vector(longword, TokenizeMode::kDocument, TokenizerOptions{false});
  ASSERT_EQ(toks.size(), 1u);
  EXPECT_EQ(toks[0].text.size(), kMaxTokenBytes);
  EXPECT_EQ(toks[0].end, 1000u);
}

}  // namespace
}  // namespace lantern::kb
