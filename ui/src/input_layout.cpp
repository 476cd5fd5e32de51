// Input line layout; see input_layout.h.
#include "input_layout.h"

#include "lantern/ui/sanitize.h"

namespace lantern::ui {

InputLayout layout_input(std::string_view prompt, std::string_view text, size_t point, int width) {
  InputLayout out;
  if (width < 2) width = 2;
  Line cur;
  int x = 0;
  auto push = [&](const Glyph& g) {
    if (x + g.width > width) {
      out.lines.push_back(std::move(cur));
      cur = Line{};
      x = 0;
    }
    cur.glyphs.push_back(g);
    x += g.width;
  };
  for (const Glyph& g : to_glyphs(sanitize(prompt, {.keep_newlines = false, .keep_tabs = false}), Style::kUserLabel)) {
    push(g);
  }
  bool placed = false;
  auto place_cursor = [&]() {
    if (x >= width) {  // the cursor sits at the start of the next row
      out.lines.push_back(std::move(cur));
      cur = Line{};
      x = 0;
    }
    out.cursor_x = x;
    out.cursor_y = static_cast<int>(out.lines.size());
    placed = true;
  };
  // Split into grapheme glyphs while tracking byte offsets: glyphs of each code point run.
  GlyphRun run;
  std::vector<size_t> starts;  // byte offset in `text` where each glyph starts
  size_t i = 0;
  while (i < text.size()) {
    auto b = static_cast<unsigned char>(text[i]);
    size_t len = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
    if (i + len > text.size()) len = text.size() - i;
    std::string_view ch = text.substr(i, len);
    size_t before = run.size();
    if (ch == "\n") {
      run.push_back({"\n", 0, Style::kNormal});
    } else {
      append_glyphs(run, sanitize(ch, {.keep_newlines = false, .keep_tabs = false}), Style::kNormal);
    }
    if (run.size() > before) starts.push_back(i);  // a new glyph began here (else: joined)
    for (size_t k = before + 1; k < run.size(); ++k) starts.push_back(i);
    i += len;
  }
  for (size_t g = 0; g < run.size(); ++g) {
    if (!placed && starts[g] >= point) place_cursor();
    if (run[g].text == "\n") {
      out.lines.push_back(std::move(cur));
      cur = Line{};
      x = 0;
      continue;
    }
    push(run[g]);
  }
  if (!placed) place_cursor();
  out.lines.push_back(std::move(cur));
  return out;
}

}  // namespace lantern::ui
