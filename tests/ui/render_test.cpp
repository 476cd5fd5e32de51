// Headless render tests: panes drawn into an in-memory CellGrid, read back as text.
#include <gtest/gtest.h>

#include "cell_grid.h"
#include "conversation.h"
#include "input_layout.h"
#include "markdown.h"
#include "side_panes.h"

namespace lantern::ui {
namespace {

std::string all_text(const std::vector<Line>& lines) {
  std::string out;
  for (const auto& l : lines) out += l.text() + "\n";
  return out;
}

bool has_style(const std::vector<Line>& lines, const std::string& text, Style style) {
  for (const auto& l : lines) {
    std::string run;
    for (const auto& g : l.glyphs) {
      if (g.style == style) run += g.text;
      else run += '\x01';
    }
    if (run.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(CellGrid, WideGlyphTakesTwoCellsAndIsNeverHalfDrawn) {
  CellGrid g(5, 1);
  g.text(0, 0, "ab中", Style::kNormal, 5);
  EXPECT_EQ(g.row_text(0), "ab中 ");
  g.put(3, 0, {"x", 1, Style::kNormal});  // overwrite the right half: the left half is blanked
  EXPECT_EQ(g.row_text(0), "ab x ");
  CellGrid h(3, 1);
  h.draw(0, 0, to_glyphs("a中中"), 3);  // the second wide glyph does not fit: not drawn at all
  EXPECT_EQ(h.row_text(0), "a中");
}

TEST(CellGrid, BoxWithTitle) {
  CellGrid g(12, 3);
  g.box({0, 0, 12, 3}, Style::kBorder, "Stats");
  EXPECT_EQ(g.row_text(0), "┌─ Stats ──┐");
  EXPECT_EQ(g.row_text(2), "└──────────┘");
}

TEST(Markdown, HeadingsListsBoldCodeAndCitations) {
  auto lines = render_markdown("# Title\n\nSome **bold** and `code` text [1].\n- item one\n2. second [2, 3]", 40);
  std::string t = all_text(lines);
  EXPECT_NE(t.find("Title"), std::string::npos);
  EXPECT_EQ(t.find("# Title"), std::string::npos);
  EXPECT_EQ(t.find("**"), std::string::npos);
  EXPECT_NE(t.find("• item one"), std::string::npos);
  EXPECT_NE(t.find("2. second"), std::string::npos);
  EXPECT_TRUE(has_style(lines, "Title", Style::kHeading));
  EXPECT_TRUE(has_style(lines, "bold", Style::kBold));
  EXPECT_TRUE(has_style(lines, "code", Style::kCode));
  EXPECT_TRUE(has_style(lines, "[1]", Style::kCitation));
  EXPECT_TRUE(has_style(lines, "[2, 3]", Style::kCitation));
}

TEST(Markdown, NotCitations) {
  auto lines = render_markdown("see [a] and [1a] and [] and [,1]", 60);
  for (const auto& l : lines) {
    for (const auto& g : l.glyphs) EXPECT_NE(g.style, Style::kCitation) << g.text;
  }
}

TEST(Markdown, FencedCodeKeepsSpacingAndStyle) {
  auto lines = render_markdown("before\n```cpp\nint  x = 1;\n```\nafter", 30);
  std::string t = all_text(lines);
  EXPECT_NE(t.find("int  x = 1;"), std::string::npos);
  EXPECT_EQ(t.find("```"), std::string::npos);
  EXPECT_TRUE(has_style(lines, "int  x = 1;", Style::kCode));
  bool fill = false;
  for (const auto& l : lines) fill |= l.fill == Style::kCode;
  EXPECT_TRUE(fill);
}

TEST(Markdown, ListContinuationHangsUnderTheText) {
  auto lines = render_markdown("- alpha beta gamma delta", 12);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[1].indent, 2);
}

TEST(Markdown, SplitThink) {
  auto s = split_think("<think>\nplan it\n</think>\n\nThe answer.");
  EXPECT_EQ(s.reasoning, "plan it");
  EXPECT_EQ(s.answer, "The answer.");
  EXPECT_FALSE(s.thinking);
  auto open = split_think("<think>still going");
  EXPECT_TRUE(open.thinking);
  EXPECT_EQ(open.answer, "");
  auto no_open = split_think("reasoning only</think>answer");
  EXPECT_EQ(no_open.reasoning, "reasoning only");
  EXPECT_EQ(no_open.answer, "answer");
}

TEST(Conversation, ThinkFoldedToOneDimLineAndExpandable) {
  Conversation c;
  MessageView q;
  q.role = Role::kUser;
  q.text = "why?";
  c.add(q);
  c.begin_answer("tiny");
  c.append_answer("<think>first I consider the question carefully");
  c.append_answer("</think>Because [1].");
  c.finish_answer({}, false, 1);
  std::string folded = all_text(c.lines(60));
  EXPECT_NE(folded.find("▸ reasoning (6 words"), std::string::npos) << folded;
  EXPECT_EQ(folded.find("consider"), std::string::npos);
  EXPECT_NE(folded.find("Because [1]."), std::string::npos);
  c.toggle_reasoning();
  std::string open = all_text(c.lines(60));
  EXPECT_NE(open.find("first I consider the question carefully"), std::string::npos);
}

TEST(Conversation, StreamedPiecesAreSanitizedAcrossSplits) {
  Conversation c;
  c.begin_answer("m");
  std::string cjk = "中";
  c.append_answer("a\x1b");
  c.append_answer("[31mred " + cjk.substr(0, 2));
  c.append_answer(cjk.substr(2) + "\xe2\x80\xae!");  // U+202E right-to-left override
  c.finish_answer({}, false, 0);
  std::string t = all_text(c.lines(40));
  EXPECT_EQ(t.find('\x1b'), std::string::npos);
  EXPECT_NE(t.find("\u241b[31mred 中\uFFFD!"), std::string::npos) << t;
}

TEST(Conversation, ScrollbackShowsNewOutputMarker) {
  Conversation c;
  for (int i = 0; i < 30; ++i) c.add_notice("line " + std::to_string(i));
  CellGrid g(40, 10);
  c.draw(g, {0, 0, 40, 10});
  EXPECT_NE(g.to_string().find("line 29"), std::string::npos);
  c.scroll_by(15, 10);
  CellGrid g1(40, 10);
  c.draw(g1, {0, 0, 40, 10});
  std::string before = g1.to_string();
  c.add_notice("fresh output");
  CellGrid g2(40, 10);
  c.draw(g2, {0, 0, 40, 10});
  std::string s = g2.to_string();
  // The scrolled-up view does not move when output arrives below it.
  EXPECT_EQ(before.substr(0, before.find('\n')), s.substr(0, s.find('\n')));
  EXPECT_EQ(s.find("fresh output"), std::string::npos);
  EXPECT_NE(s.find("new output below"), std::string::npos) << s;
  c.scroll_end();
  CellGrid g3(40, 10);
  c.draw(g3, {0, 0, 40, 10});
  EXPECT_NE(g3.to_string().find("fresh output"), std::string::npos);
}

TEST(Conversation, WrapsCjkAnswerWithinPane) {
  Conversation c;
  c.begin_answer("m");
  c.append_answer("这是一个很长的中文回答，用来测试按显示宽度换行是否正确。");
  c.finish_answer({}, false, 0);
  CellGrid g(21, 8);
  c.draw(g, {0, 0, 21, 8});
  for (int y = 0; y < 8; ++y) {
    int w = 0;
    for (int x = 0; x < 21; ++x) w += g.at(x, y).width;
    EXPECT_EQ(w, 21);  // every row still exactly the grid width: nothing spilled or was split
  }
  EXPECT_NE(g.to_string().find("这是一个"), std::string::npos);
}

TEST(SourcesPane, NumberTitleLocationScoreAndHighlights) {
  SourceView s;
  s.n = 2;
  s.title = "Install\x1b[2J guide";
  s.location = "p. 3";
  s.score = 4.25;
  s.snippet = "Run the installer, then restart the machine.";
  s.highlights = {"installer"};
  auto lines = render_sources({s}, 40, -1);
  std::string t = all_text(lines);
  EXPECT_NE(t.find("[2] Install\u241b[2J guide · p. 3"), std::string::npos) << t;
  EXPECT_NE(t.find("4.25"), std::string::npos);
  EXPECT_EQ(t.find('\x1b'), std::string::npos);
  EXPECT_TRUE(has_style(lines, "installer", Style::kHighlight));
  for (const auto& l : lines) EXPECT_LE(l.width(), 40);
}

TEST(SourcesPane, ViewerShowsContextAndFullText) {
  SourceView s;
  s.n = 1;
  s.title = "doc";
  s.text = "the passage itself";
  s.context_before = "text before";
  s.context_after = "text after";
  s.highlights = {"passage"};
  auto lines = render_source_viewer(s, 30);
  std::string t = all_text(lines);
  size_t before = t.find("text before"), mid = t.find("the passage itself"), after = t.find("text after");
  ASSERT_NE(before, std::string::npos);
  ASSERT_NE(mid, std::string::npos);
  ASSERT_NE(after, std::string::npos);
  EXPECT_LT(before, mid);
  EXPECT_LT(mid, after);
  EXPECT_TRUE(has_style(lines, "passage", Style::kHighlight));
}

TEST(StatsPane, CoresModelKbAndGpuNone) {
  StatsView st;
  st.cpu_per_core = {50, 100};
  st.process_cpu = 75;
  st.rss_bytes = 512ull << 20;
  st.model_name = "tiny";
  st.model_arch = "llama";
  st.model_quant = "Q8_0";
  st.threads = 2;
  st.ctx_used = 100;
  st.ctx_size = 2048;
  st.decode_tps = 12.5;
  st.kb_name = "default";
  st.kb_docs = 3;
  st.kb_chunks = 40;
  std::string t = all_text(render_stats(st, 36));
  EXPECT_NE(t.find(" 0["), std::string::npos);
  EXPECT_NE(t.find(" 50%"), std::string::npos);
  EXPECT_NE(t.find("100%"), std::string::npos);
  EXPECT_NE(t.find("RSS 512 MiB"), std::string::npos);
  EXPECT_NE(t.find("llama · Q8_0 · 2 threads"), std::string::npos);
  EXPECT_NE(t.find("100 / 2048"), std::string::npos);
  EXPECT_NE(t.find("decode 12.5"), std::string::npos);
  EXPECT_NE(t.find("3 docs · 40 chunks"), std::string::npos);
  EXPECT_NE(t.find("GPU: none"), std::string::npos);
  st.gpu_present = true;
  st.gpu_name = "NVIDIA H100";
  EXPECT_NE(all_text(render_stats(st, 36)).find("NVIDIA H100"), std::string::npos);
}

TEST(InputLayout, CursorAfterWideCharactersAndNewlines) {
  std::string text = "ab中";
  InputLayout l = layout_input("> ", text, text.size(), 20);
  EXPECT_EQ(l.cursor_y, 0);
  EXPECT_EQ(l.cursor_x, 2 + 2 + 2);
  InputLayout m = layout_input("> ", "one\ntwo", 7, 20);
  ASSERT_EQ(m.lines.size(), 2u);
  EXPECT_EQ(m.cursor_y, 1);
  EXPECT_EQ(m.cursor_x, 3);
  // A wide char never straddles the edge: width 5 holds "> " + "中" and wraps the next one.
  InputLayout w = layout_input("> ", "中文", 0, 5);
  ASSERT_EQ(w.lines.size(), 2u);
  EXPECT_EQ(w.lines[1].text(), "文");
  InputLayout esc = layout_input("> ", "a\x1b[2Jb", 1, 20);
  EXPECT_EQ(esc.lines[0].text().find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace lantern::ui

namespace lantern::ui {
namespace {

TEST(Markdown, SoftLineBreaksReflowParagraphsAndListItems) {
  auto lines = render_markdown("one two\nthree four\n\n- item starts\n  and continues\n- next", 80);
  std::string t = all_text(lines);
  EXPECT_NE(t.find("one two three four\n"), std::string::npos) << t;
  EXPECT_NE(t.find("• item starts and continues\n"), std::string::npos) << t;
  EXPECT_NE(t.find("• next"), std::string::npos);
}

}  // namespace
}  // namespace lantern::ui

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "picker.h"

namespace lantern::ui {
namespace {

Key bytes_key(const std::string& b) { return Key{KeyCode::kBytes, b}; }

TEST(Picker, BrowserMarksFilesAndReturnsThemToImport) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("lantern-picker-" + std::to_string(::getpid()));
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "a.md") << "a";
  std::ofstream(dir / "b.txt") << "b";
  std::ofstream(dir / ".hidden") << "h";
  Picker p;
  std::string error;
  ASSERT_TRUE(p.browse(dir.string(), error));
  CellGrid g(60, 10);
  p.draw(g, {0, 0, 60, 10});
  std::string screen = g.to_string();
  EXPECT_NE(screen.find("[ ] sub/"), std::string::npos) << screen;  // folders first
  EXPECT_NE(screen.find("[ ] a.md"), std::string::npos);
  EXPECT_EQ(screen.find(".hidden"), std::string::npos);
  // Entries: "..", sub/, a.md, b.txt. Mark a.md and b.txt, then import.
  p.handle_key({KeyCode::kDown, ""}, 5);
  p.handle_key({KeyCode::kDown, ""}, 5);
  p.handle_key(bytes_key(" "), 5);
  p.handle_key(bytes_key(" "), 5);
  Picker::Action a = p.handle_key(bytes_key("i"), 5);
  ASSERT_EQ(a.type, Picker::Action::Type::kImport);
  EXPECT_EQ(a.paths, (std::vector<std::string>{(fs::canonical(dir) / "a.md").string(), (fs::canonical(dir) / "b.txt").string()}));
  EXPECT_FALSE(p.browse((dir / "a.md").string(), error));
  fs::remove_all(dir);
}

TEST(Picker, ModelLabelsAreSanitizedAndEnterLoads) {
  ModelEntry m;
  m.name = "evil\x1b]0;x\x07.gguf";
  m.path = "/models/evil.gguf";
  m.origin = "models dir";
  m.size_bytes = 3u << 20;
  Picker p;
  p.show_models({m});
  CellGrid g(70, 6);
  p.draw(g, {0, 0, 70, 6});
  std::string screen = g.to_string();
  EXPECT_EQ(screen.find('\x1b'), std::string::npos);
  EXPECT_NE(screen.find("3 MiB"), std::string::npos) << screen;
  Picker::Action a = p.handle_key({KeyCode::kEnter, "\r"}, 5);
  EXPECT_EQ(a.type, Picker::Action::Type::kLoadModel);
  EXPECT_EQ(a.model, "/models/evil.gguf");
  EXPECT_EQ(p.handle_key({KeyCode::kEsc, ""}, 5).type, Picker::Action::Type::kClose);
}

}  // namespace
}  // namespace lantern::ui
