#include "config.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace lantern::app {
namespace {

TEST(Config, ParsesTheSubset) {
  auto c = Config::parse(R"(# lantern config
model = "qwen2.5:7b"   # default model
threads = 2
temp = 0.7
plain = false

[kb]
default = 'work'
exclude = ["*.tmp", "node_modules/**"]
chunk.size = 1_200
greeting = "caf\u00e9 \"quoted\""
)", "config.toml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(**c->get_string("model"), "qwen2.5:7b");
  EXPECT_EQ(**c->get_int("threads"), 2);
  EXPECT_DOUBLE_EQ(**c->get_double("temp"), 0.7);
  EXPECT_DOUBLE_EQ(**c->get_double("threads"), 2.0);
  EXPECT_EQ(**c->get_bool("plain"), false);
  EXPECT_EQ(**c->get_string("kb.default"), "work");
  EXPECT_EQ(**c->get_int("kb.chunk.size"), 1200);
  EXPECT_EQ(**c->get_string("kb.greeting"), "caf\xC3\xA9 \"quoted\"");
  auto& arr = std::get<std::vector<std::string>>(c->values().at("kb.exclude").value);
  EXPECT_EQ(arr, (std::vector<std::string>{"*.tmp", "node_modules/**"}));
  EXPECT_FALSE(c->get_string("missing")->has_value());
}

TEST(Config, WrongTypeNamesKeyAndLine) {
  auto c = Config::parse("\n\nthreads = \"two\"\n", "cfg.toml");
  ASSERT_TRUE(c.ok());
  auto t = c->get_int("threads");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), "cfg.toml:3: 'threads' must be an integer");
}

TEST(Config, MalformedFilesNameTheLine) {
  struct Case { const char* text; const char* expected; };
  const Case cases[] = {
      {"a = 1\nmodel \"x\"\n", "cfg.toml:2: expected '=' after key 'model'"},
      {"name = hello\n", "cfg.toml:1: bad value 'hello' (strings need quotes)"},
      {"x = \"open\n", "cfg.toml:1: unterminated string"},
      {"[kb\n", "cfg.toml:1: expected ']' after section name"},
      {"a = 1\na = 2\n", "cfg.toml:2: duplicate key 'a' (first set on line 1)"},
      {"a = 1 2\n", "cfg.toml:1: unexpected text '2' after value"},
      {"a = \"\\q\"\n", "cfg.toml:1: unknown escape '\\q'"},
      {"t = {x = 1}\n", "cfg.toml:1: inline tables are not supported"},
      {"= 3\n", "cfg.toml:1: expected a key"},
      {"a = [\"x\", 1]\n", "cfg.toml:1: arrays may only hold strings"},
  };
  for (const auto& k : cases) {
    auto c = Config::parse(k.text, "cfg.toml");
    ASSERT_FALSE(c.ok()) << k.text;
    EXPECT_EQ(c.status().message(), k.expected) << k.text;
  }
}

TEST(Config, MissingFileIsEmptyUnlessExplicit) {
  lantern::testing::TempDir dir;
  auto c = Config::load(dir.file("nope.toml"), true);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->values().empty());
  auto d = Config::load(dir.file("nope.toml"), false);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("nope.toml"), std::string::npos);
}

}  // namespace
}  // namespace lantern::app
