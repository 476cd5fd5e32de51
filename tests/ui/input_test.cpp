// Key decoding and slash-command parsing.
#include <gtest/gtest.h>

#include "chat_commands.h"
#include "key_decoder.h"

namespace lantern::ui {
namespace {

std::vector<Key> decode(KeyDecoder& d, std::string_view bytes) {
  d.feed(bytes);
  std::vector<Key> keys;
  Key k;
  while (d.next(k)) keys.push_back(k);
  return keys;
}

TEST(KeyDecoder, SpecialKeysAndTyping) {
  KeyDecoder d;
  auto keys = decode(d, "a\xe4\xb8\xad\x1b[5~\x1b[6~\x1bOP\x1b[Z\r\t\x03\x0c\x1b\r");
  std::vector<KeyCode> codes;
  for (const auto& k : keys) codes.push_back(k.code);
  EXPECT_EQ(codes, (std::vector<KeyCode>{KeyCode::kBytes, KeyCode::kBytes, KeyCode::kPageUp, KeyCode::kPageDown,
                                         KeyCode::kF1, KeyCode::kShiftTab, KeyCode::kEnter, KeyCode::kTab,
                                         KeyCode::kCtrlC, KeyCode::kCtrlL, KeyCode::kAltEnter}));
  EXPECT_EQ(keys[1].bytes, "中");
}

TEST(KeyDecoder, LoneEscapeWaitsThenBecomesEsc) {
  KeyDecoder d;
  EXPECT_TRUE(decode(d, "\x1b").empty());
  EXPECT_TRUE(d.pending());
  Key k;
  ASSERT_TRUE(d.flush_escape(k));
  EXPECT_EQ(k.code, KeyCode::kEsc);
  // Esc pressed right before another control key is two keys, not Alt+key.
  auto two = decode(d, "\x1b\t");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].code, KeyCode::kEsc);
  EXPECT_EQ(two[1].code, KeyCode::kTab);
  // A sequence split across reads is joined.
  EXPECT_TRUE(decode(d, "\x1b[").empty());
  auto keys = decode(d, "A");
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].code, KeyCode::kUp);
}

TEST(KeyDecoder, SplitUtf8CharacterWaits) {
  KeyDecoder d;
  EXPECT_TRUE(decode(d, "\xe4\xb8").empty());
  auto keys = decode(d, "\xad");
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].bytes, "中");
}

TEST(KeyDecoder, BracketedPasteIsOneKeyEvenWhenSplit) {
  KeyDecoder d;
  EXPECT_TRUE(decode(d, "\x1b[200~line one\r\nline").empty());
  auto keys = decode(d, " two\x1b[20");
  EXPECT_TRUE(keys.empty());
  keys = decode(d, "1~x");
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].code, KeyCode::kPaste);
  EXPECT_EQ(keys[0].bytes, "line one\r\nline two");
  EXPECT_EQ(keys[1].bytes, "x");
}

TEST(Commands, ParseAndComplete) {
  auto c = parse_command("  /set temp=0.7 top_p=0.9 ");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "set");
  EXPECT_EQ(c->arg, "temp=0.7 top_p=0.9");
  EXPECT_FALSE(parse_command("what is /set?"));
  EXPECT_FALSE(parse_command("//etc/passwd is a path"));
  EXPECT_EQ(complete_command("/se"), (std::vector<std::string>{"/set", "/sessions"}));
  EXPECT_EQ(complete_command("/q"), (std::vector<std::string>{"/quit"}));
  EXPECT_TRUE(command_takes_path("import"));
  EXPECT_FALSE(command_takes_path("set"));
}

TEST(Commands, EveryCommandOfTheIssueIsListed) {
  std::vector<std::string> want = {"help", "model", "models", "kb", "import", "browse", "sources", "set", "system",
                                   "new", "sessions", "rename", "export", "regen", "clear", "quit"};
  for (const auto& w : want) {
    bool found = false;
    for (const auto& c : chat_commands()) found |= w == c.name;
    EXPECT_TRUE(found) << w;
  }
}

}  // namespace
}  // namespace lantern::ui
