// Glyph segmentation and word wrap; see text_layout.h. utf8proc gives widths and grapheme breaks.
#include "text_layout.h"

#include <utf8proc.h>

namespace lantern::ui {
namespace {

// Decodes one code point; sanitized input is valid, but stay safe on anything: a bad byte counts
// as U+FFFD of length 1.
size_t decode(std::string_view s, size_t i, int32_t& cp) {
  utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                                        static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
  if (n <= 0) {
    cp = 0xFFFD;
    return 1;
  }
  return static_cast<size_t>(n);
}

bool is_space(const Glyph& g) { return g.text == " "; }

}  // namespace

int Line::width() const {
  int w = indent;
  for (const Glyph& g : glyphs) w += g.width;
  return w;
}

std::string Line::text() const {
  std::string out(static_cast<size_t>(indent), ' ');
  for (const Glyph& g : glyphs) out += g.text;
  return out;
}

int codepoint_width(uint32_t cp) {
  if (cp < 0x20 || cp == 0x7F) return 0;
  if (cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0xFEFF) return 0;
  int w = utf8proc_charwidth(static_cast<utf8proc_int32_t>(cp));
  if (w < 0) return 0;
  return w > 2 ? 2 : w;
}

void append_glyphs(GlyphRun& out, std::string_view text, Style style, int column) {
  utf8proc_int32_t state = 0;
  int32_t prev = -1;
  size_t i = 0;
  for (const Glyph& g : out) column += g.width;
  while (i < text.size()) {
    int32_t cp;
    size_t len = decode(text, i, cp);
    if (cp == '\t') {
      int n = 4 - (column % 4);
      for (int k = 0; k < n; ++k) out.push_back({" ", 1, style});
      column += n;
      prev = -1;
      i += len;
      continue;
    }
    bool joins = prev >= 0 && !out.empty() && !utf8proc_grapheme_break_stateful(prev, cp, &state);
    int w = codepoint_width(static_cast<uint32_t>(cp));
    if (joins) {
      Glyph& g = out.back();
      g.text.append(text.substr(i, len));
      // A cluster is as wide as its widest part (emoji + VS16 is 2, base + combining stays 1).
      if (w > g.width) {
        column += w - g.width;
        g.width = static_cast<uint8_t>(w);
      }
    } else {
      state = 0;
      out.push_back({std::string(text.substr(i, len)), static_cast<uint8_t>(w), style});
      column += w;
    }
    prev = cp;
    i += len;
  }
}

GlyphRun to_glyphs(std::string_view text, Style style) {
  GlyphRun run;
  append_glyphs(run, text, style);
  return run;
}

int display_width(std::string_view text) {
  int w = 0;
  for (const Glyph& g : to_glyphs(text)) w += g.width;
  return w;
}

std::vector<Line> wrap(const GlyphRun& run, int width, int first_indent, int hang) {
  std::vector<Line> lines;
  if (width < 1) width = 1;
  if (first_indent >= width) first_indent = 0;
  if (hang >= width) hang = 0;
  Line cur;
  cur.indent = first_indent;
  int cur_w = first_indent;
  size_t i = 0;
  auto new_line = [&]() {
    // Trailing spaces at a break are dropped: they would only push the margin.
    while (!cur.glyphs.empty() && is_space(cur.glyphs.back())) cur.glyphs.pop_back();
    lines.push_back(std::move(cur));
    cur = Line{};
    cur.indent = hang;
    cur_w = hang;
  };
  while (i < run.size()) {
    // Next unit: a run of spaces, a single wide glyph, or a word of narrow non-space glyphs.
    size_t j = i;
    int unit_w = 0;
    if (is_space(run[i])) {
      while (j < run.size() && is_space(run[j])) unit_w += run[j++].width;
      if (cur.glyphs.empty() && !lines.empty()) {
        i = j;  // spaces at the start of a continuation line are dropped
        continue;
      }
      if (cur_w + unit_w > width) {
        new_line();
        i = j;
        continue;
      }
      for (size_t k = i; k < j; ++k) cur.glyphs.push_back(run[k]);
      cur_w += unit_w;
      i = j;
      continue;
    }
    if (run[i].width == 2) {
      unit_w = 2;
      j = i + 1;
    } else {
      while (j < run.size() && !is_space(run[j]) && run[j].width != 2) unit_w += run[j++].width;
    }
    if (cur_w + unit_w <= width) {
      for (size_t k = i; k < j; ++k) cur.glyphs.push_back(run[k]);
      cur_w += unit_w;
      i = j;
      continue;
    }
    if (unit_w <= width - hang && cur_w > hang) {
      new_line();
      continue;  // retry the unit on the fresh line
    }
    // Longer than a whole line: split between glyphs.
    for (size_t k = i; k < j; ++k) {
      if (cur_w + run[k].width > width && cur_w > hang) new_line();
      cur.glyphs.push_back(run[k]);
      cur_w += run[k].width;
    }
    i = j;
  }
  while (!cur.glyphs.empty() && is_space(cur.glyphs.back())) cur.glyphs.pop_back();
  lines.push_back(std::move(cur));
  return lines;
}

GlyphRun fit(const GlyphRun& run, int width) {
  int total = 0;
  for (const Glyph& g : run) total += g.width;
  if (total <= width) return run;
  GlyphRun out;
  if (width <= 0) return out;
  int w = 0;
  for (const Glyph& g : run) {
    if (w + g.width > width - 1) break;
    out.push_back(g);
    w += g.width;
  }
  out.push_back({"…", 1, run.empty() ? Style::kNormal : run[out.empty() ? 0 : out.size() - 1].style});
  return out;
}

}  // namespace lantern::ui
