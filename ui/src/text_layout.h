// Display-width text layout: UTF-8 -> glyphs (grapheme clusters with a cell width and a style),
// and word wrapping of styled glyph runs into lines no wider than a given number of cells.
//
// The one thing to know: a glyph is the unit that is never split. Widths come from utf8proc
// (East Asian wide and emoji: 2 cells, combining marks: 0, joined into the glyph before them).
// Input must already be sanitized (valid UTF-8, no controls but '\n' and '\t').
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lantern::ui {

// What a cell looks like; the terminal layer maps these to colours/attributes.
enum class Style : uint8_t {
  kNormal,
  kDim,
  kBold,
  kHeading,
  kCode,
  kCitation,
  kHighlight,   // matched search terms
  kUserLabel,
  kBotLabel,
  kNotice,
  kError,
  kBorder,
  kTitle,       // pane titles and the header bar
  kSelected,    // selected row in a list
  kStatus,      // status line background
  kStatusKey,   // key names on the status line
  kBarFill,     // meter bars
  kWarn,
};

struct Glyph {
  std::string text;   // one grapheme cluster (UTF-8)
  uint8_t width = 1;  // 0, 1 or 2 cells
  Style style = Style::kNormal;
};

using GlyphRun = std::vector<Glyph>;

struct Line {
  GlyphRun glyphs;
  int indent = 0;  // cells of blank space drawn before the glyphs
  Style fill = Style::kNormal;  // style of the rest of the row (code blocks)
  int width() const;
  std::string text() const;  // indent spaces + glyph text, for tests and plain output
};

// Width in cells of one code point (0 for combining marks and zero-width characters).
int codepoint_width(uint32_t cp);
// Splits sanitized UTF-8 into glyphs with `style`. Tabs become spaces up to the next multiple of 4
// counted from `column` (the cell the text starts at).
void append_glyphs(GlyphRun& out, std::string_view text, Style style, int column = 0);
GlyphRun to_glyphs(std::string_view text, Style style = Style::kNormal);
// Display width of sanitized UTF-8 text.
int display_width(std::string_view text);

// Word-wraps one paragraph (no '\n' inside) into lines of at most `width` cells. Breaks after
// spaces and on either side of wide (CJK) glyphs; a word longer than a line is split between
// glyphs. Continuation lines get `hang` cells of indent; the first gets `first_indent`.
std::vector<Line> wrap(const GlyphRun& run, int width, int first_indent = 0, int hang = 0);

// Truncates `text` to `width` cells, ending with "…" when something was cut.
GlyphRun fit(const GlyphRun& run, int width);

}  // namespace lantern::ui
