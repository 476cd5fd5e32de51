// The cell grid; see cell_grid.h for the wide-glyph invariant.
#include "cell_grid.h"

#include <algorithm>

namespace lantern::ui {

CellGrid::CellGrid(int width, int height)
    : width_(std::max(width, 1)), height_(std::max(height, 1)),
      cells_(static_cast<size_t>(width_) * height_) {}

void CellGrid::clear(Style style) {
  for (Cell& c : cells_) c = Cell{" ", 1, style};
}

void CellGrid::fill(const Rect& r, Style style) {
  for (int y = std::max(r.y, 0); y < std::min(r.y + r.h, height_); ++y) {
    for (int x = std::max(r.x, 0); x < std::min(r.x + r.w, width_); ++x) put(x, y, Glyph{" ", 1, style});
  }
}

int CellGrid::put(int x, int y, const Glyph& g, int right) {
  if (right < 0 || right > width_) right = width_;
  if (y < 0 || y >= height_ || x < 0 || x >= right) return 0;
  int w = g.width;
  if (w == 0) {
    // A lone zero-width glyph (a combining mark with nothing before it): attach to the left cell.
    if (x > 0) {
      Cell& left = cell(x - 1, y);
      if (left.width > 0) left.text += g.text;
    }
    return 0;
  }
  if (x + w > right) return 0;
  // Blank the halves of wide glyphs we overwrite.
  for (int k = x; k < x + w; ++k) {
    Cell& c = cell(k, y);
    if (c.width == 0 && k > 0) cell(k - 1, y) = Cell{" ", 1, cell(k - 1, y).style};
    if (c.width == 2 && k + 1 < width_) cell(k + 1, y) = Cell{" ", 1, c.style};
  }
  cell(x, y) = Cell{g.text, static_cast<uint8_t>(w), g.style};
  if (w == 2) cell(x + 1, y) = Cell{"", 0, g.style};
  return w;
}

int CellGrid::draw(int x, int y, const GlyphRun& run, int max_w) {
  int right = std::min(width_, x + std::max(max_w, 0));
  int used = 0;
  for (const Glyph& g : run) {
    if (g.width == 0) {
      put(x + used, y, g, right);
      continue;
    }
    if (x + used + g.width > right) break;
    used += put(x + used, y, g, right);
  }
  return used;
}

int CellGrid::text(int x, int y, std::string_view s, Style style, int max_w) {
  return draw(x, y, fit(to_glyphs(s, style), max_w), max_w);
}

void CellGrid::line(int x, int y, const Line& l, int max_w) {
  for (int k = 0; k < max_w; ++k) put(x + k, y, Glyph{" ", 1, l.fill}, x + max_w);
  int indent = std::min(l.indent, max_w);
  draw(x + indent, y, l.glyphs, max_w - indent);
}

void CellGrid::hline(int x, int y, int w, Style style) {
  for (int k = 0; k < w; ++k) put(x + k, y, Glyph{"─", 1, style});
}

void CellGrid::box(const Rect& r, Style style, std::string_view title) {
  if (r.w < 2 || r.h < 2) return;
  int x2 = r.x + r.w - 1, y2 = r.y + r.h - 1;
  put(r.x, r.y, {"┌", 1, style});
  put(x2, r.y, {"┐", 1, style});
  put(r.x, y2, {"└", 1, style});
  put(x2, y2, {"┘", 1, style});
  hline(r.x + 1, r.y, r.w - 2, style);
  hline(r.x + 1, y2, r.w - 2, style);
  for (int y = r.y + 1; y < y2; ++y) {
    put(r.x, y, {"│", 1, style});
    put(x2, y, {"│", 1, style});
  }
  if (!title.empty() && r.w > 6) {
    GlyphRun t = to_glyphs(" ", Style::kTitle);
    append_glyphs(t, title, Style::kTitle);
    append_glyphs(t, " ", Style::kTitle);
    draw(r.x + 2, r.y, fit(t, r.w - 4), r.w - 4);
  }
}

std::string CellGrid::row_text(int y) const {
  std::string out;
  for (int x = 0; x < width_; ++x) out += at(x, y).text;
  return out;
}

std::string CellGrid::to_string() const {
  std::string out;
  for (int y = 0; y < height_; ++y) {
    std::string row = row_text(y);
    while (!row.empty() && row.back() == ' ') row.pop_back();
    out += row;
    if (y + 1 < height_) out += '\n';
  }
  return out;
}

}  // namespace lantern::ui
