// Display widths, glyph segmentation and word wrap.
#include "text_layout.h"

#include <gtest/gtest.h>

namespace lantern::ui {
namespace {

std::vector<std::string> texts(const std::vector<Line>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(l.text());
  return out;
}

TEST(TextLayout, WidthsOfCjkEmojiAndCombiningMarks) {
  EXPECT_EQ(display_width("abc"), 3);
  EXPECT_EQ(display_width("中文"), 4);
  EXPECT_EQ(display_width("🙂"), 2);
  EXPECT_EQ(display_width("e\u0301"), 1);  // e + combining acute: one glyph, one cell
  GlyphRun run = to_glyphs("e\u0301x");
  ASSERT_EQ(run.size(), 2u);
  EXPECT_EQ(run[0].text, "e\u0301");
  EXPECT_EQ(run[0].width, 1);
}

TEST(TextLayout, TabsExpandToFourColumns) {
  EXPECT_EQ(to_glyphs("a\tb").size(), 5u);  // a + 3 spaces + b
}

TEST(TextLayout, WrapsAtWordsWithinWidth) {
  auto lines = wrap(to_glyphs("the quick brown fox jumps over"), 10);
  EXPECT_EQ(texts(lines), (std::vector<std::string>{"the quick", "brown fox", "jumps over"}));
  for (const auto& l : lines) EXPECT_LE(l.width(), 10);
}

TEST(TextLayout, LongWordIsSplitBetweenGlyphs) {
  auto lines = wrap(to_glyphs("abcdefghijkl"), 5);
  EXPECT_EQ(texts(lines), (std::vector<std::string>{"abcde", "fghij", "kl"}));
}

TEST(TextLayout, CjkWrapsPerCharacterAndNeverSplitsOne) {
  // 7 wide characters = 14 cells into width 5: at most two per line, never half of one.
  auto lines = wrap(to_glyphs("中文字符换行测"), 5);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].text(), "中文");
  for (const auto& l : lines) EXPECT_LE(l.width(), 5);
  EXPECT_EQ(lines[3].text(), "测");
}

TEST(TextLayout, HangingIndentOnContinuationLines) {
  auto lines = wrap(to_glyphs("one two three four"), 10, 0, 2);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0].text(), "one two");
  EXPECT_EQ(lines[1].indent, 2);
  for (const auto& l : lines) EXPECT_LE(l.width(), 10);
}

TEST(TextLayout, FitTruncatesWithEllipsisByWidth) {
  GlyphRun r = fit(to_glyphs("中文中文"), 5);
  int w = 0;
  for (const auto& g : r) w += g.width;
  EXPECT_LE(w, 5);
  EXPECT_EQ(r.back().text, "…");
}

}  // namespace
}  // namespace lantern::ui
