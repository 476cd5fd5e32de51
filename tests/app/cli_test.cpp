#include "cli.h"

#include <gtest/gtest.h>

#include "command.h"

namespace lantern::app {
namespace {

const std::vector<OptionSpec>* test_options(const std::string& name) {
  static const std::vector<OptionSpec> kImport = {
      {"kb", 0, "NAME", "knowledge base"},
      {"exclude", 0, "GLOB", "skip matching", true},
      {"prune", 0, "", "forget removed files"},
      {"top", 'k', "K", "results"},
  };
  if (name == "import" || name == "search") return &kImport;
  return nullptr;
}

Result<ParsedArgs> parse(std::vector<std::string> words) {
  words.insert(words.begin(), "lantern");
  return parse_command_line(words, test_options);
}

TEST(Cli, GlobalOptionsBeforeAndAfterCommand) {
  auto a = parse({"--home", "/tmp/h", "import", "docs"});
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->command, "import");
  EXPECT_EQ(a->get("home"), "/tmp/h");
  EXPECT_EQ(a->positional, std::vector<std::string>{"docs"});

  auto b = parse({"import", "docs", "--home=/tmp/h", "-qv"});
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->get("home"), "/tmp/h");
  EXPECT_TRUE(b->has("quiet"));
  EXPECT_TRUE(b->has("verbose"));
}

TEST(Cli, CommandOptionsValuesAndRepeats) {
  auto a = parse({"import", "a", "--kb", "work", "--exclude", "*.tmp", "--exclude=*.bak", "b", "-k5", "--prune"});
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->get("kb"), "work");
  EXPECT_EQ(a->get_all("exclude"), (std::vector<std::string>{"*.tmp", "*.bak"}));
  EXPECT_EQ(a->positional, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(a->has("prune"));
  auto k = a->get_int("top", 10, 1, 100);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(*k, 5);
}

TEST(Cli, DoubleDashEndsOptions) {
  auto a = parse({"search", "--", "--not-an-option", "-x"});
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->positional, (std::vector<std::string>{"--not-an-option", "-x"}));
}

struct BadCase {
  const char* name;
  std::vector<std::string> words;
  const char* expected;  // substring of the one-line error
};

TEST(Cli, UsageErrorsNameTheWord) {
  const BadCase cases[] = {
      {"unknown command", {"frobnicate"}, "unknown command 'frobnicate'"},
      {"unknown long option", {"import", "--bogus"}, "import: unknown option '--bogus'"},
      {"unknown short option", {"import", "-z"}, "unknown option '-z'"},
      {"missing value", {"import", "--kb"}, "option '--kb' needs a value (NAME)"},
      {"flag with value", {"import", "--prune=yes"}, "option '--prune' takes no value"},
      {"command option before command", {"--kb", "x", "import"}, "unknown option '--kb'"},
  };
  for (const auto& c : cases) {
    auto r = parse(c.words);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_NE(r.status().message().find(c.expected), std::string::npos) << c.name << ": " << r.status().message();
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos) << c.name;
  }
}

TEST(Cli, TypedGettersValidate) {
  auto a = parse({"search", "q", "-k", "abc"});
  ASSERT_TRUE(a.ok());
  auto k = a->get_int("top", 10, 1, 100);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().message(), "--top: 'abc' is not an integer");
  auto b = parse({"search", "q", "-k", "1000"});
  auto k2 = b->get_int("top", 10, 1, 100);
  ASSERT_FALSE(k2.ok());
  EXPECT_NE(k2.status().message().find("out of range"), std::string::npos);
  EXPECT_FALSE(parse_double("--temp", "nan", 0, 2).ok());
  EXPECT_FALSE(parse_double("--temp", "0.5x", 0, 2).ok());
  EXPECT_DOUBLE_EQ(*parse_double("--temp", "0.5", 0, 2), 0.5);
}

TEST(Commands, TableHasEveryCommandWithHelp) {
  for (const char* name : {"chat", "run", "tokenize", "logits", "models", "bench", "import", "search", "kb", "ask"}) {
    const CommandSpec* spec = find_command(name);
    ASSERT_NE(spec, nullptr) << name;
    EXPECT_FALSE(spec->summary.empty()) << name;
    std::string help = command_help(*spec);
    EXPECT_NE(help.find("usage: lantern " + std::string(name)), std::string::npos) << name;
    EXPECT_NE(help.find("--home DIR"), std::string::npos) << name;
  }
  EXPECT_EQ(find_command("frobnicate"), nullptr);
}

}  // namespace
}  // namespace lantern::app
