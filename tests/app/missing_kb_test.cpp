// Runs the real binary: a named knowledge base that does not exist is one error line and exit 1 in
// every command that takes one, while the default knowledge base of a fresh home is simply empty;
// also the small usage rules around it (empty search query, `help help`).
#include <gtest/gtest.h>

#include "test_support.h"

namespace {

using lantern::testing::run_lantern;
using lantern::testing::RunResult;
using lantern::testing::TempDir;

size_t count_lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

const char kMissing[] = "no knowledge base named 'nosuch' (see 'lantern kb list')";

void expect_missing_kb(const RunResult& r, const std::string& what) {
  EXPECT_EQ(r.exit_code, 1) << what << ": " << r.err;
  EXPECT_EQ(count_lines(r.err), 1u) << what << ": " << r.err;
  EXPECT_NE(r.err.find(kMissing), std::string::npos) << what << ": " << r.err;
  EXPECT_TRUE(r.out.empty()) << what << ": " << r.out;
}

// Checks both a fresh home (no database yet) and one where another knowledge base exists.
TEST(MissingKb, NamedKbThatDoesNotExistIsAnErrorEverywhere) {
  TempDir tmp;
  for (int imported = 0; imported < 2; ++imported) {
    std::string home = tmp.file(imported ? "home-imported" : "home-fresh");
    if (imported) {
      std::string doc = tmp.write("notes.txt", "lanterns light the harbour at night\n");
      auto imp = run_lantern({"--home", home, "import", doc, "-q"});
      ASSERT_EQ(imp.exit_code, 0) << imp.err;
    }
    expect_missing_kb(run_lantern({"--home", home, "search", "harbour", "--kb", "nosuch"}), "search");
    expect_missing_kb(run_lantern({"--home", home, "search", "harbour", "--kb", "nosuch", "--json"}), "search --json");
    expect_missing_kb(run_lantern({"--home", home, "kb", "docs", "nosuch"}), "kb docs");
    expect_missing_kb(run_lantern({"--home", home, "kb", "info", "nosuch"}), "kb info");
    expect_missing_kb(run_lantern({"--home", home, "kb", "docs", "--kb", "nosuch"}), "kb docs --kb");
    expect_missing_kb(run_lantern({"--home", home, "kb", "rm", "nosuch"}), "kb rm");
    expect_missing_kb(run_lantern({"--home", home, "kb", "forget", "x", "--kb", "nosuch"}), "kb forget");
    expect_missing_kb(run_lantern({"--home", home, "ask", "harbour?", "--kb", "nosuch"}), "ask");
    expect_missing_kb(run_lantern({"--home", home, "chat", "--plain", "--kb", "nosuch"}), "chat");
  }
}

TEST(MissingKb, DefaultKbOnAFreshHomeIsEmpty) {
  TempDir tmp;
  std::string home = tmp.file("home");
  auto docs = run_lantern({"--home", home, "kb", "docs"});
  EXPECT_EQ(docs.exit_code, 0) << docs.err;
  EXPECT_NE(docs.out.find("no documents in 'default'"), std::string::npos) << docs.out;
  auto info = run_lantern({"--home", home, "kb", "info"});
  EXPECT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("documents:   0"), std::string::npos) << info.out;
  auto json = run_lantern({"--home", home, "search", "anything", "--json"});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.out, "[]\n");
  auto named_default = run_lantern({"--home", home, "search", "anything", "--kb", "default", "--json"});
  EXPECT_EQ(named_default.exit_code, 0) << named_default.err;
}

TEST(MissingKb, EmptySearchQueryIsUsageError) {
  TempDir tmp;
  std::string home = tmp.file("home");
  for (const char* q : {"", "   ", " \t "}) {
    auto r = run_lantern({"--home", home, "search", q});
    EXPECT_EQ(r.exit_code, 2) << "'" << q << "': " << r.err;
    EXPECT_EQ(count_lines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find("empty QUERY"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(MissingKb, HelpHelpPrintsGeneralHelp) {
  auto general = run_lantern({"--help"});
  auto r = run_lantern({"help", "help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_EQ(r.out, general.out);
}

// One-letter options (-k, -n) are named as typed in errors and help, and their long form still works.
TEST(MissingKb, OneLetterOptionsAreNamedAsTyped) {
  TempDir tmp;
  std::string home = tmp.file("home");
  auto k = run_lantern({"--home", home, "ask", "-k", "0", "why?"});
  EXPECT_EQ(k.exit_code, 2) << k.err;
  EXPECT_NE(k.err.find("ask: -k: 0 is out of range"), std::string::npos) << k.err;
  auto n = run_lantern({"--home", home, "run", "-m", "/nonexistent/m.gguf", "-p", "x", "-n", "-3"});
  EXPECT_EQ(n.exit_code, 2) << n.err;
  EXPECT_NE(n.err.find("run: -n: -3 is out of range"), std::string::npos) << n.err;
  EXPECT_EQ(n.err.find("--n"), std::string::npos) << n.err;
  auto help = run_lantern({"help", "search"});
  EXPECT_NE(help.out.find("  -k K "), std::string::npos) << help.out;
  EXPECT_EQ(help.out.find("--k "), std::string::npos) << help.out;
  auto long_form = run_lantern({"--home", home, "search", "anything", "--k", "3", "--json"});
  EXPECT_EQ(long_form.exit_code, 0) << long_form.err;
}

}  // namespace
