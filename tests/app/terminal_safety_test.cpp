// Terminal safety through the real binary: documents and token pieces holding ESC/CSI/OSC
// sequences, C1 controls and bidi overrides reach a terminal (a pty) or a pipe only as visible,
// inert characters; --raw-output writes them unchanged.
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "test_support.h"

namespace {

using lantern::testing::lantern_binary;
using lantern::testing::run_lantern;
using lantern::testing::TempDir;

const std::string kHostile = std::string("lantern \x1b]0;pwned\x07 title \x1b[2J\x1b[H clear \x1b]52;c;SGVsbG8=\x07 clip ") +
                             "\xc2\x9b" + "31m c1 \xe2\x80\xae" + "evil bidi \x1bP+q dcs \x1b\\ end";

// Runs lantern with stdout and stderr on a pseudo-terminal; returns what the terminal received.
std::string run_on_pty(const std::vector<std::string>& args) {
  int master = -1;
  pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    std::vector<char*> argv;
    std::string bin = lantern_binary();
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  std::string out;
  char buf[4096];
  while (true) {
    ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the child has exited and closed the slave
    out.append(buf, static_cast<size_t>(n));
  }
  close(master);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  return out;
}

// Nothing that could drive a terminal, apart from lantern's own SGR styling ("\x1b[...m").
void expect_inert(const std::string& out, bool esc_shown = true) {
  for (size_t at = out.find('\x1b'); at != std::string::npos; at = out.find('\x1b', at + 1)) {
    size_t end = at + 1;
    ASSERT_LT(end, out.size()) << "bare ESC at the end";
    ASSERT_EQ(out[end], '[') << "non-CSI escape at " << at << ": " << out;
    ++end;
    while (end < out.size() && (isdigit(static_cast<unsigned char>(out[end])) || out[end] == ';')) ++end;
    ASSERT_LT(end, out.size());
    EXPECT_EQ(out[end], 'm') << "CSI other than SGR at " << at << ": " << out.substr(at, 12);
  }
  EXPECT_EQ(out.find("\x07"), std::string::npos) << "BEL (ends an OSC)";
  EXPECT_EQ(out.find("\xc2\x9b"), std::string::npos) << "C1 CSI";
  EXPECT_EQ(out.find("\xe2\x80\xae"), std::string::npos) << "bidi override";
  if (esc_shown) EXPECT_NE(out.find("\xe2\x90\x9b"), std::string::npos) << "ESC shown as U+241B";
}

TEST(TerminalSafety, SearchResultsOnAPtyAndAPipeAreInert) {
  TempDir home, docs;
  docs.write("d/hostile.txt", kHostile + "\n\nA second paragraph about lantern.\n");
  ASSERT_EQ(run_lantern({"--home", home.path(), "import", docs.file("d")}).exit_code, 0);
  std::string tty = run_on_pty({"--home", home.path(), "search", "lantern"});
  // The importer already drops control characters from stored text; the sanitizer is the second line.
  EXPECT_NE(tty.find("hostile"), std::string::npos) << tty;
  EXPECT_NE(tty.find("clear"), std::string::npos) << tty;
  expect_inert(tty, false);
  auto piped = run_lantern({"--home", home.path(), "search", "lantern"});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.out.find('\x1b'), std::string::npos) << piped.out;
  expect_inert(piped.out, false);
}

TEST(TerminalSafety, TokenPiecesAreSanitizedUnlessRawOutput) {
  LT_REQUIRE_SHARED(shared);
  const std::string model = shared + "/models/real/aidreams260K.gguf";
  // Byte-fallback tokens: the ESC of each sequence is its own piece, split from what follows.
  auto r = run_lantern({"tokenize", "-m", model, "--pieces", "--text", kHostile});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_inert(r.out + "\x1b[0m");
  std::string tty = run_on_pty({"tokenize", "-m", model, "--pieces", "--text", kHostile});
  expect_inert(tty);
  auto raw = run_lantern({"--raw-output", "tokenize", "-m", model, "--pieces", "--text", kHostile});
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  EXPECT_NE(raw.out.find('\x1b'), std::string::npos) << "--raw-output writes the bytes unchanged";
}

}  // namespace
