// End-to-end tests of `lantern chat`: the real binary in tmux (TUI) and on pipes (plain REPL).
#include <chrono>
#include <thread>
#include <gtest/gtest.h>

#include "test_support.h"
#include "tmux_session.h"

#include <filesystem>

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
  // A long multi-line paste lands in the input as it is; its newlines do not send it.
  std::string pasted;
  for (int i = 0; i < 40; ++i) pasted += "pasted line " + std::to_string(i) + "\n";
  pasted += "last";
  t.paste(pasted);
  ASSERT_TRUE(t.wait_for("pasted line 39\nlast")) << t.capture();
  EXPECT_EQ(t.capture().find("You\n"), std::string::npos);  // nothing was sent
  t.send_keys({"C-u"});
  ASSERT_TRUE(t.wait_gone("pasted line 39")) << t.capture();
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

#include "lantern/engine/synthetic_model.h"

namespace lantern::testing {
namespace {

// A random-weight qwen2-shaped model: answers are nonsense but the mechanics are real. `slow`
// makes it big enough that a long answer takes seconds (for Ctrl-C).
std::string write_model(const TempDir& home, bool slow) {
  auto spec = engine::synthetic_spec("qwen2-tiny");
  EXPECT_TRUE(spec.ok());
  spec->n_ctx_train = 4096;
  if (slow) {
    spec->n_embd = 512;
    spec->n_layer = 8;
    spec->n_head = 8;
    spec->n_head_kv = 2;
    spec->n_ff = 1536;
  }
  std::string path = home.file(slow ? "models/slow.gguf" : "models/tiny.gguf");
  std::filesystem::create_directories(home.file("models"));
  Status st = engine::write_synthetic_model(*spec, "Q8_0", path, 7);
  EXPECT_TRUE(st.ok()) << st.message();
  return path;
}

TEST(ChatTuiModel, LoadsFromModelsListAndStreamsAnAnswerWithStats) {
  TempDir home;
  write_corpus(home);
  write_model(home, false);
  TmuxSession t(chat_command(home), 100, 30);
  ASSERT_TRUE(t.started());
  ASSERT_TRUE(t.wait_for("Welcome to lantern"));
  t.type("/import " + home.file("corpus"));
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("2 added", 15000)) << t.capture();
  t.type("/models");
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("tiny.gguf")) << t.capture();
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("model tiny loaded (qwen2, Q8_0)", 15000)) << t.capture();
  t.type("/set max_tokens=24 temp=0");
  t.send_keys({"Enter"});
  t.type("what does the Fresnel lens do?");
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("tok/s ·", 20000)) << t.capture();  // the answer's label once done
  ASSERT_TRUE(t.wait_for("decode")) << t.capture();  // stats pane: tokens/s of the turn
  std::string screen = t.capture();
  EXPECT_NE(screen.find("[1] Lighthouses"), std::string::npos) << screen;
  EXPECT_NE(screen.find("qwen2 · Q8_0"), std::string::npos) << screen;
  t.type("/quit");
  t.send_keys({"Enter"});
  EXPECT_TRUE(t.wait_exit());
}

TEST(ChatTuiModel, CtrlCStopsGenerationAndKeepsTyping) {
  TempDir home;
  write_corpus(home);
  std::string model = write_model(home, true);
  TmuxSession t(chat_command(home, "-m " + model), 100, 30);
  ASSERT_TRUE(t.started());
  ASSERT_TRUE(t.wait_for("Welcome to lantern", 15000)) << t.capture();
  t.type("/import " + home.file("corpus"));
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("2 added", 15000)) << t.capture();
  t.type("/set max_tokens=3000 temp=1 seed=3");
  t.send_keys({"Enter"});
  t.type("tell me about lighthouses");
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("GENERATING", 10000)) << t.capture();
  // Typing is echoed while the model generates.
  t.type("typed meanwhile");
  ASSERT_TRUE(t.wait_for("› typed meanwhile", 3000)) << t.capture();
  t.send_keys({"C-c"});
  ASSERT_TRUE(t.wait_for("[stopped]", 10000)) << t.capture();
  ASSERT_TRUE(t.wait_gone("GENERATING", 5000)) << t.capture();
  // The typed text survived; Ctrl-C on a non-empty idle input clears it instead of quitting.
  EXPECT_NE(t.capture().find("› typed meanwhile"), std::string::npos);
  t.send_keys({"C-c"});
  ASSERT_TRUE(t.wait_gone("typed meanwhile")) << t.capture();
  t.send_keys({"C-c"});
  ASSERT_TRUE(t.wait_for("Quit lantern?"));
  t.send_keys({"y"});
  EXPECT_TRUE(t.wait_exit());
}

}  // namespace
}  // namespace lantern::testing

namespace lantern::testing {
namespace {

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

TEST(ChatTui, FirstRunDocsMultiLineInputHistorySearchRegenRenameNew) {
  TempDir home;
  TmuxSession t(chat_command(home), 100, 30);
  ASSERT_TRUE(t.started());
  ASSERT_TRUE(t.wait_for("is empty. Press F5")) << t.capture();
  t.send_keys({"F5"});  // one key imports lantern's own documentation
  ASSERT_TRUE(t.wait_for("import done", 15000)) << t.capture();
  EXPECT_EQ(t.capture().find(" 0 added"), std::string::npos) << t.capture();
  // Multi-line input: Alt-Enter, and a trailing backslash before Enter.
  t.type("how do I resume");
  t.send_keys({"M-Enter"});
  t.type("a conversation\\");
  t.send_keys({"Enter"});
  t.type("after a restart?");
  ASSERT_TRUE(t.wait_for("› how do I resume\na conversation\nafter a restart?")) << t.capture();
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("lantern (extractive)")) << t.capture();
  ASSERT_TRUE(t.wait_for("/sessions")) << t.capture();
  // /regen replaces the answer instead of adding one.
  t.type("/regen");
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_gone("› /regen")) << t.capture();
  // The old answer's header is on screen until the new one replaces it, so waiting for the header
  // proves nothing: poll until the screen settles on one finished answer (its header shows the
  // time once done), which a slow (sanitizer) build reaches later.
  std::string screen;
  for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(8);
       std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(std::chrono::milliseconds(50))) {
    screen = t.capture();
    size_t header = screen.find("lantern (extractive)");
    std::string line = header == std::string::npos ? "" : screen.substr(header, screen.find('\n', header) - header);
    if (count(screen, "lantern (extractive)") == 1 && line.find(" s  ") != std::string::npos) break;
  }
  EXPECT_EQ(count(screen, "lantern (extractive)"), 1u) << screen;
  t.type("/rename Resuming notes");
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("│ Resuming notes")) << t.capture();
  // Ctrl-R searches the history.
  t.send_keys({"C-r"});
  t.type("regen");
  ASSERT_TRUE(t.wait_for("(reverse-i-search)`regen': /regen")) << t.capture();
  t.send_keys({"C-g"});
  ASSERT_TRUE(t.wait_gone("reverse-i-search")) << t.capture();
  t.type("/new");
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("new conversation")) << t.capture();
  EXPECT_EQ(t.capture().find("Resuming notes"), std::string::npos) << t.capture();
  EXPECT_EQ(t.capture().find("lantern (extractive)"), std::string::npos) << t.capture();
  t.type("/quit");
  t.send_keys({"Enter"});
  EXPECT_TRUE(t.wait_exit());
}

TEST(ChatTui, BrowseMarksAndImportsFiles) {
  TempDir home;
  write_corpus(home);
  TmuxSession t(chat_command(home), 100, 30);
  ASSERT_TRUE(t.started());
  ASSERT_TRUE(t.wait_for("Welcome to lantern"));
  // Tab completes file paths after a command that takes one.
  t.type("/browse " + home.file("corp"));
  t.send_keys({"Tab"});
  ASSERT_TRUE(t.wait_for(home.file("corpus/"))) << t.capture();
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("[ ] lighthouse.md")) << t.capture();
  EXPECT_NE(t.capture().find("[ ] bread.md"), std::string::npos);
  t.send_keys({"Down"});   // from ".." to bread.md
  t.send_keys({"Space"});  // mark it
  ASSERT_TRUE(t.wait_for("[x] bread.md")) << t.capture();
  t.send_keys({"i"});
  ASSERT_TRUE(t.wait_for("1 added", 15000)) << t.capture();
  ASSERT_TRUE(t.wait_for("1 doc ·")) << t.capture();
  t.type("/quit");
  t.send_keys({"Enter"});
  EXPECT_TRUE(t.wait_exit());
}

}  // namespace
}  // namespace lantern::testing

namespace lantern::testing {
namespace {

// Any SGR sequence that sets a foreground or background colour (30-37, 39-47, 49, 90-107, 38;/48;).
bool has_colour(const std::string& screen) {
  for (size_t at = screen.find("\x1b["); at != std::string::npos; at = screen.find("\x1b[", at + 2)) {
    size_t end = screen.find('m', at);
    if (end == std::string::npos) break;
    std::string params = screen.substr(at + 2, end - at - 2);
    size_t i = 0;
    while (i <= params.size()) {
      size_t semi = params.find(';', i);
      std::string p = params.substr(i, semi == std::string::npos ? std::string::npos : semi - i);
      int v = p.empty() ? 0 : std::atoi(p.c_str());
      if ((v >= 30 && v <= 38) || (v >= 40 && v <= 48) || (v >= 90 && v <= 107)) return true;
      if (semi == std::string::npos) break;
      i = semi + 1;
    }
  }
  return false;
}

TEST(ChatTui, ColoursByDefaultMonochromeWithNoColor) {
  TempDir home;
  {
    TmuxSession t(chat_command(home), 100, 30);
    ASSERT_TRUE(t.started());
    ASSERT_TRUE(t.wait_for("Welcome to lantern"));
    EXPECT_TRUE(has_colour(t.capture_with_attributes()));
  }
  TmuxSession t("NO_COLOR=1 " + chat_command(home), 100, 30);
  ASSERT_TRUE(t.started());
  ASSERT_TRUE(t.wait_for("Welcome to lantern"));
  std::string screen = t.capture_with_attributes();
  EXPECT_FALSE(has_colour(screen)) << screen;
  EXPECT_NE(screen.find("\x1b[7m"), std::string::npos);  // the status line is still reversed
}

}  // namespace
}  // namespace lantern::testing

#include <signal.h>

namespace lantern::testing {
namespace {

TEST(ChatTuiModel, ConversationSurvivesAKillDuringGenerationAndResumes) {
  TempDir home;
  write_corpus(home);
  std::string model = write_model(home, true);
  {
    TmuxSession t("LANG=C.UTF-8 exec " + lantern_binary() + " --home " + home.path() + " chat -m " + model, 100, 30);
    ASSERT_TRUE(t.started());
    ASSERT_TRUE(t.wait_for("Welcome to lantern", 15000)) << t.capture();
    t.type("/import " + home.file("corpus"));
    t.send_keys({"Enter"});
    ASSERT_TRUE(t.wait_for("2 added", 15000)) << t.capture();
    t.type("/set max_tokens=3000 temp=1 seed=5");
    t.send_keys({"Enter"});
    t.type("tell me about lighthouses");
    t.send_keys({"Enter"});
    ASSERT_TRUE(t.wait_for("GENERATING", 10000)) << t.capture();
    int pid = t.pane_pid();
    ASSERT_GT(pid, 1);
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    ASSERT_TRUE(t.wait_exit());
  }
  TmuxSession t(chat_command(home), 100, 30);
  ASSERT_TRUE(t.started());
  ASSERT_TRUE(t.wait_for("Welcome to lantern"));
  t.type("/sessions");
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("tell me about lighthouses")) << t.capture();
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("resumed:")) << t.capture();
  std::string screen = t.capture();
  EXPECT_NE(screen.find("[interrupted]"), std::string::npos) << screen;
  EXPECT_NE(screen.find("You"), std::string::npos);
  t.type("/quit");
  t.send_keys({"Enter"});
  EXPECT_TRUE(t.wait_exit());
}

}  // namespace
}  // namespace lantern::testing
