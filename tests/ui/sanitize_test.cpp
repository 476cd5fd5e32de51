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

TEST(StreamSanitizer, SplitUtf8IsJoinedNotReplaced) {
  StreamSanitizer s;
  std::string cjk = "中";  // E4 B8 AD
  std::string out = s.push(cjk.substr(0, 1));
  EXPECT_EQ(out, "");
  out += s.push(cjk.substr(1, 1));
  out += s.push(cjk.substr(2) + "x");
  EXPECT_EQ(out, "中x");
  EXPECT_EQ(s.finish(), "");
}

TEST(StreamSanitizer, SplitEscapeSequenceStaysHarmless) {
  StreamSanitizer s;
  std::string out = s.push("a\x1b");
  out += s.push("[2Jb\xc2");
  out += s.push("\x9b");  // C1 CSI split across pieces
  out += s.finish();
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_EQ(out, "a\u241b[2Jb\uFFFD");
}

TEST(StreamSanitizer, UnfinishedSequenceFlushesAsReplacement) {
  StreamSanitizer s;
  EXPECT_EQ(s.push("ok\xe4\xb8"), "ok");
  EXPECT_EQ(s.finish(), "\uFFFD\uFFFD");
}

}  // namespace
}  // namespace lantern::ui
