// Runs the real binary: exit codes and the one-line error contract of the command line.
#include <gtest/gtest.h>

#include "test_support.h"

namespace {

using lantern::testing::run_lantern;
using lantern::testing::TempDir;

size_t count_lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

TEST(ExitCodes, VersionAndHelp) {
  auto v = run_lantern({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("lantern ", 0), 0u) << v.out;
  auto h = run_lantern({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("import"), std::string::npos);
  auto hi = run_lantern({"help", "import"});
  EXPECT_EQ(hi.exit_code, 0);
  EXPECT_NE(hi.out.find("usage: lantern import"), std::string::npos);
  auto hi2 = run_lantern({"import", "--help"});
  EXPECT_EQ(hi2.exit_code, 0);
  EXPECT_EQ(hi2.out, hi.out);
}

TEST(ExitCodes, UnknownCommandIsOneLineAndExit2) {
  auto r = run_lantern({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("unknown command 'frobnicate'"), std::string::npos);
  EXPECT_TRUE(r.out.empty());
}

TEST(ExitCodes, BadOptionIsExit2) {
  auto r = run_lantern({"search", "--frob"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("help search"), std::string::npos);
  auto h = run_lantern({"help", "frobnicate"});
  EXPECT_EQ(h.exit_code, 2);
}

TEST(ExitCodes, NoCommandWithoutTerminalIsUsage) {
  auto r = run_lantern({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("usage"), std::string::npos);
}

TEST(ExitCodes, MalformedConfigIsExit1NamingLine) {
  TempDir tmp;
  std::string cfg = tmp.write("config.toml", "threads = 2\nmodel qwen\n");
  auto r = run_lantern({"--config", cfg, "--home", tmp.file("home"), "models"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(cfg + ":2:"), std::string::npos) << r.err;
  EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  auto missing = run_lantern({"--config", tmp.file("absent.toml"), "models"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("absent.toml"), std::string::npos);
}

}  // namespace
