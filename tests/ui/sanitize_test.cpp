#include "lantern/ui/sanitize.h"

#include <gtest/gtest.h>

namespace lantern::ui {
namespace {

TEST(Sanitize, PlainTextAndCjkPassUnchanged) {
  EXPECT_EQ(sanitize("hello\tworld\n"), "hello\tworld\n");
  EXPECT_EQ(sanitize("中文 café 🙂"), "中文 café 🙂");
}

TEST(Sanitize, EscapeSequencesBecomeVisible) {
  std::string out = sanitize("\x1b[31mred\x1b]0;title\x07");
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_EQ(out.find('\x07'), std::string::npos);
  EXPECT_EQ(out, "\u241b[31mred\u241b]0;title\u2407");
}

TEST(Sanitize, C1InvalidBytesAndBidi) {
  EXPECT_EQ(sanitize("a\xc2\x9b" "b"), "a\uFFFDb");       // C1 CSI
  EXPECT_EQ(sanitize("a\xff" "b"), "a\uFFFDb");           // invalid byte
  EXPECT_EQ(sanitize("a\xc0\x9b"), "a\uFFFD\uFFFD");     // overlong encoding of ESC
  EXPECT_EQ(sanitize("x\u202Ey"), "x\uFFFDy");            // right-to-left override
  EXPECT_EQ(sanitize("\x7f"), "\u2421");
}

TEST(Sanitize, NewlinesCanBeShown) {
  EXPECT_EQ(sanitize("a\nb\rc", {.keep_newlines = false, .keep_tabs = true}), "a\u2424b\u240dc");
}

}  // namespace
}  // namespace lantern::ui
