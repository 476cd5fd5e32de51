// End-to-end tests of `lantern chat`: the real binary in tmux (TUI) and on pipes (plain REPL).
#include <gtest/gtest.h>

#include "test_support.h"
#include "tmux_session.h"

namespace lantern::testing {
namespace {

std::string chat_command(const TempDir& home, const std::string& extra = "") {
  return "LANG=C.UTF-8 " + lantern_binary() + " --home " + home.path() + " chat " + extra;
}

TEST(ChatTui, StartsWithPanesAndQuitsOnlyAfterConfirmation) {
  TempDir home;
  TmuxSession t(chat_command(home), 100, 30);
  ASSERT_TRUE(t.started());
  ASSERT_TRUE(t.wait_for("Welcome to lantern")) << t.capture();
  std::string screen = t.capture();
  EXPECT_NE(screen.find("Sources"), std::string::npos) << screen;
  EXPECT_NE(screen.find("Stats"), std::string::npos);
  EXPECT_NE(screen.find("GPU"), std::string::npos);
  EXPECT_NE(screen.find("no model"), std::string::npos);
  t.send_keys({"C-c"});
  ASSERT_TRUE(t.wait_for("Quit lantern?")) << t.capture();
  t.send_keys({"x"});  // any other key stays
  ASSERT_TRUE(t.wait_gone("Quit lantern?")) << t.capture();
  EXPECT_FALSE(t.wait_exit(300));
  t.send_keys({"C-c"});
  ASSERT_TRUE(t.wait_for("Quit lantern?"));
  t.send_keys({"C-c"});
  EXPECT_TRUE(t.wait_exit()) << t.capture();
}

TEST(ChatTui, HelpOverlayResizeToNarrowTabsAndQuitCommand) {
  TempDir home;
  TmuxSession t(chat_command(home), 100, 30);
  ASSERT_TRUE(t.started());
  ASSERT_TRUE(t.wait_for("Welcome to lantern"));
  t.send_keys({"F1"});
  ASSERT_TRUE(t.wait_for("F1 or ?")) << t.capture();
  t.send_keys({"PageDown"});  // the overlay scrolls to the rest of the commands
  ASSERT_TRUE(t.wait_for("/export FILE.md")) << t.capture();
  t.send_keys({"Escape"});
  ASSERT_TRUE(t.wait_gone("/export FILE.md")) << t.capture();
  t.resize(60, 20);
  // Narrow: the side panes fold into tabs in the header.
  ASSERT_TRUE(t.wait_for("Chat  Sources  Stats")) << t.capture();
  t.send_keys({"Tab"});
  t.send_keys({"Tab"});
  ASSERT_TRUE(t.wait_for("No sources for this answer")) << t.capture();
  t.send_keys({"Tab"});
  ASSERT_TRUE(t.wait_for("GPU")) << t.capture();
  t.send_keys({"Escape"});
  ASSERT_TRUE(t.wait_for("Welcome to lantern")) << t.capture();
  t.type("/quit");
  t.send_keys({"Enter"});
  EXPECT_TRUE(t.wait_exit()) << t.capture();
}

TEST(ChatTui, EditsCjkPerCharacterAndRunsCommands) {
  TempDir home;
  TmuxSession t(chat_command(home), 80, 24);
  ASSERT_TRUE(t.started());
  ASSERT_TRUE(t.wait_for("Welcome to lantern"));
  t.type("中文字");
  ASSERT_TRUE(t.wait_for("› 中文字")) << t.capture();
  t.send_keys({"BSpace"});
  ASSERT_TRUE(t.wait_gone("中文字")) << t.capture();
  EXPECT_NE(t.capture().find("› 中文"), std::string::npos);
  t.send_keys({"C-u"});
  t.type("/set temp=0.3 k=4");
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("temp=0.3")) << t.capture();
  EXPECT_NE(t.capture().find("k=4"), std::string::npos);
  t.type("/nosuch");
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("unknown command '/nosuch'")) << t.capture();
  // Tab completes a command while typing.
  t.type("/sess");
  t.send_keys({"Tab"});
  ASSERT_TRUE(t.wait_for("› /sessions")) << t.capture();
  t.send_keys({"C-u"});
  t.type("/quit");
  t.send_keys({"Enter"});
  EXPECT_TRUE(t.wait_exit()) << t.capture();
  // History is persisted per data dir.
  EXPECT_NE(read_file(home.file("history")).find("/set temp=0.3 k=4"), std::string::npos);
}

TEST(ChatPlain, SameCommandsOnPipes) {
  TempDir home;
  RunResult r = run_lantern({"--home", home.path(), "chat"}, {}, "/set temp=0.2\n/help\n/nosuch\n/quit\n", 30);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("temp=0.2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/regen"), std::string::npos);
  EXPECT_NE(r.err.find("unknown command '/nosuch'"), std::string::npos) << r.err;
}

TEST(ChatPlain, RejectsUnexpectedArguments) {
  TempDir home;
  RunResult r = run_lantern({"--home", home.path(), "chat", "extra"}, {}, "", 30);
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace lantern::testing

namespace lantern::testing {
namespace {

void write_corpus(const TempDir& dir) {
  dir.write("corpus/lighthouse.md",
            "# Lighthouses\n\nThe Fresnel lens focuses the lamp of a lighthouse into a beam visible from far "
            "away at sea. Keepers trimmed the wick every night.\n");
  dir.write("corpus/bread.md",
            "# Baking\n\nSourdough bread rises because wild yeast and lactic bacteria ferment the dough "
            "over many hours.\n");
}

TEST(ChatTui, ImportsAFolderAnswersExtractivelyOpensASourceAndResumes) {
  TempDir home;
  write_corpus(home);
  {
    TmuxSession t(chat_command(home), 100, 30);
    ASSERT_TRUE(t.started());
    ASSERT_TRUE(t.wait_for("Welcome to lantern"));
    ASSERT_TRUE(t.wait_for("is empty. Press F5")) << t.capture();
    t.type("/import " + home.file("corpus"));
    t.send_keys({"Enter"});
    ASSERT_TRUE(t.wait_for("2 added", 15000)) << t.capture();
    t.type("what does the Fresnel lens do?");
    t.send_keys({"Enter"});
    ASSERT_TRUE(t.wait_for("lantern (extractive)")) << t.capture();
    ASSERT_TRUE(t.wait_for("[1] Lighthouses")) << t.capture();
    std::string screen = t.capture();
    EXPECT_NE(screen.find("focuses the lamp"), std::string::npos) << screen;
    // Focus the sources pane (Tab twice from an empty input) and open the passage.
    t.send_keys({"Tab"});
    t.send_keys({"Tab"});
    ASSERT_TRUE(t.wait_for("SOURCES")) << t.capture();
    t.send_keys({"Enter"});
    ASSERT_TRUE(t.wait_for("Passage [1]")) << t.capture();
    EXPECT_NE(t.capture().find("lighthouse.md"), std::string::npos);
    t.send_keys({"Escape"});
    ASSERT_TRUE(t.wait_gone("Passage [1]")) << t.capture();
    t.send_keys({"Escape"});
    ASSERT_TRUE(t.wait_for(" INPUT ")) << t.capture();  // else ESC + '/' would read as Alt-/
    t.type("/export " + home.file("out.md"));
    t.send_keys({"Enter"});
    ASSERT_TRUE(t.wait_for("exported to")) << t.capture();
    t.type("/quit");
    t.send_keys({"Enter"});
    ASSERT_TRUE(t.wait_exit()) << t.capture();
  }
  std::string md = read_file(home.file("out.md"));
  EXPECT_NE(md.find("what does the Fresnel lens do?"), std::string::npos) << md;
  EXPECT_NE(md.find("lighthouse.md"), std::string::npos) << md;
  // A restart resumes the saved conversation.
  TmuxSession t(chat_command(home), 100, 30);
  ASSERT_TRUE(t.started());
  ASSERT_TRUE(t.wait_for("Welcome to lantern"));
  t.type("/sessions");
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("what does the Fresnel lens do?")) << t.capture();
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("resumed:")) << t.capture();
  EXPECT_NE(t.capture().find("focuses the lamp"), std::string::npos) << t.capture();
  t.type("/quit");
  t.send_keys({"Enter"});
  EXPECT_TRUE(t.wait_exit());
}

TEST(ChatPlain, ImportsAndAnswersWithNumberedSources) {
  TempDir home;
  write_corpus(home);
  RunResult r = run_lantern({"--home", home.path(), "chat", "--plain"}, {},
                            "/import " + home.file("corpus") + "\nwhy does sourdough bread rise?\n/sources\n/quit\n", 60);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 added"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("wild yeast"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Sources:\n[1] Baking"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace lantern::testing
