// An in-memory screen: a grid of cells that every pane draws into. The terminal layer copies it to
// ncurses; tests read it back as text. Nothing here touches a terminal.
//
// The one thing to know: a wide glyph occupies two cells; the second is a continuation cell
// (width 0, empty text) that the blitter skips. Writing over either half of a wide glyph blanks
// the other half, so a glyph is never half-drawn.
#pragma once

#include <string>
#include <vector>

#include "text_layout.h"

namespace lantern::ui {

struct Cell {
  std::string text = " ";  // grapheme cluster; "" for the right half of a wide glyph
  uint8_t width = 1;
  Style style = Style::kNormal;
};

struct Rect {
  int x = 0, y = 0, w = 0, h = 0;
};

class CellGrid {
 public:
  CellGrid(int width, int height);
  int width() const { return width_; }
  int height() const { return height_; }
  const Cell& at(int x, int y) const { return cells_[static_cast<size_t>(y) * width_ + x]; }

  void clear(Style style = Style::kNormal);
  void fill(const Rect& r, Style style);
  // Puts one glyph at (x, y); returns the cells used (0 when it does not fit before `right`).
  int put(int x, int y, const Glyph& g, int right = -1);
  // Draws glyphs from (x, y), clipped at x + max_w; returns the cells used.
  int draw(int x, int y, const GlyphRun& run, int max_w);
  // Draws sanitized UTF-8 text (one line), clipped with "…" when longer than max_w.
  int text(int x, int y, std::string_view s, Style style, int max_w);
  // Draws a wrapped line (its indent then glyphs) and fills the rest of `max_w` with line.fill.
  void line(int x, int y, const Line& line, int max_w);
  void box(const Rect& r, Style style, std::string_view title = {});
  void hline(int x, int y, int w, Style style);

  // Row as text (continuation cells skipped), trailing spaces kept; for tests.
  std::string row_text(int y) const;
  std::string to_string() const;  // all rows joined with '\n', trailing spaces trimmed per row

 private:
  Cell& cell(int x, int y) { return cells_[static_cast<size_t>(y) * width_ + x]; }
  int width_, height_;
  std::vector<Cell> cells_;
};

}  // namespace lantern::ui
