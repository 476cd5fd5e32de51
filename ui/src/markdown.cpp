// Markdown-lite renderer; see markdown.h. Line-oriented on purpose: each source line is classified
// (fence, heading, list item, paragraph) and wrapped on its own, which keeps streaming cheap.
#include "markdown.h"

#include <cctype>

namespace lantern::ui {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string_view trim_left(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

// "[1]", "[12]", "[1, 2]", "[1,2,3]": length of the marker at s[0], or 0.
size_t citation_len(std::string_view s) {
  if (s.empty() || s[0] != '[') return 0;
  size_t i = 1;
  bool digit = false;
  while (i < s.size()) {
    char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digit = true;
    } else if (c == ',' || c == ' ') {
      if (!digit) return 0;
    } else if (c == ']') {
      return digit && std::isdigit(static_cast<unsigned char>(s[i - 1])) ? i + 1 : 0;
    } else {
      return 0;
    }
    if (++i > 24) return 0;
  }
  return 0;
}

// Length of a list marker ("- ", "* ", "+ ", "12. ", "3) ") at the start of s, or 0.
size_t list_marker(std::string_view s) {
  if (s.size() >= 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') && s[1] == ' ') return 2;
  size_t i = 0;
  while (i < s.size() && i < 4 && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i > 0 && i + 1 < s.size() && (s[i] == '.' || s[i] == ')') && s[i + 1] == ' ') return i + 2;
  return 0;
}

}  // namespace

GlyphRun render_inline(std::string_view line, Style base) {
  GlyphRun out;
  bool bold = false;
  bool code = false;
  std::string pending;
  Style cur = base;
  auto flush = [&]() {
    if (!pending.empty()) append_glyphs(out, pending, cur);
    pending.clear();
  };
  auto restyle = [&]() {
    flush();
    cur = code ? Style::kCode : bold ? Style::kBold : base;
  };
  size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (c == '`') {
      code = !code;
      restyle();
      ++i;
      continue;
    }
    if (!code && starts_with(line.substr(i), "**")) {
      bold = !bold;
      restyle();
      i += 2;
      continue;
    }
    if (!code) {
      if (size_t n = citation_len(line.substr(i))) {
        flush();
        append_glyphs(out, line.substr(i, n), Style::kCitation);
        i += n;
        continue;
      }
    }
    pending += c;
    ++i;
  }
  flush();
  return out;
}

std::vector<Line> render_plain(std::string_view text, int width, Style style, int indent) {
  std::vector<Line> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view para = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    for (Line& l : wrap(to_glyphs(para, style), width, indent, indent)) lines.push_back(std::move(l));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

std::vector<Line> render_markdown(std::string_view text, int width, int indent) {
  std::vector<Line> lines;
  bool in_code = false;
  // A paragraph or list item being collected: Markdown joins its lines (a single newline is a
  // soft break), so text hard-wrapped at 72 columns reflows to the pane.
  struct Block {
    bool open = false;
    std::string marker;  // "• " or "3. " for list items, "" for paragraphs
    int base = 0;        // indent of the first line
    std::string text;
  } block;
  auto flush = [&]() {
    if (!block.open) return;
    GlyphRun run;
    int hang = block.base;
    if (!block.marker.empty()) {
      append_glyphs(run, block.marker, Style::kBold);
      hang += display_width(block.marker);
    }
    GlyphRun body = render_inline(block.text);
    run.insert(run.end(), body.begin(), body.end());
    for (Line& l : wrap(run, width, block.base, hang)) lines.push_back(std::move(l));
    block = Block{};
  };
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view raw = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    std::string_view t = trim_left(raw);

    if (starts_with(t, "```")) {
      flush();
      in_code = !in_code;
      if (in_code) {
        // The fence line shows the language (if any) as a dim label over the block.
        std::string_view lang = trim_left(t.substr(3));
        Line l;
        l.indent = indent;
        if (!lang.empty()) l.glyphs = fit(to_glyphs(lang, Style::kDim), width - indent);
        l.fill = Style::kCode;
        lines.push_back(std::move(l));
      }
      continue;
    }
    if (in_code) {
      // Code keeps its spacing; long lines wrap by glyph with the same fill.
      GlyphRun run;
      append_glyphs(run, raw, Style::kCode);
      for (Line& l : wrap(run, width, indent + 1, indent + 1)) {
        l.fill = Style::kCode;
        lines.push_back(std::move(l));
      }
      continue;
    }
    if (t.empty()) {
      flush();
      Line l;
      l.indent = indent;
      lines.push_back(std::move(l));
      continue;
    }
    size_t hashes = 0;
    while (hashes < t.size() && hashes < 6 && t[hashes] == '#') ++hashes;
    if (hashes > 0 && hashes < t.size() && t[hashes] == ' ') {
      flush();
      GlyphRun run = render_inline(trim_left(t.substr(hashes)), Style::kHeading);
      for (Line& l : wrap(run, width, indent, indent)) lines.push_back(std::move(l));
      continue;
    }
    if (size_t m = list_marker(t)) {
      flush();
      size_t lead = raw.size() - t.size();  // nested lists keep their indentation
      block.open = true;
      block.base = indent + static_cast<int>(lead > 8 ? 8 : lead);
      block.marker = (t[0] == '-' || t[0] == '*' || t[0] == '+') ? "• " : std::string(t.substr(0, m));
      block.text = std::string(t.substr(m));
      continue;
    }
    if (block.open) {
      block.text += ' ';
      block.text += t;
      continue;
    }
    block.open = true;
    block.base = indent;
    block.text = std::string(t);
  }
  flush();
  return lines;
}

ThinkSplit split_think(std::string_view text) {
  ThinkSplit out;
  constexpr std::string_view kOpen = "<think>", kClose = "</think>";
  size_t open = text.find(kOpen);
  size_t close = text.find(kClose);
  if (open != std::string_view::npos && (close == std::string_view::npos || open < close)) {
    // Text before <think> (usually whitespace) belongs to the answer.
    std::string_view before = text.substr(0, open);
    if (close == std::string_view::npos) {
      out.reasoning = std::string(text.substr(open + kOpen.size()));
      out.answer = std::string(before);
      out.thinking = true;
      return out;
    }
    out.reasoning = std::string(text.substr(open + kOpen.size(), close - open - kOpen.size()));
    out.answer = std::string(before) + std::string(text.substr(close + kClose.size()));
  } else if (close != std::string_view::npos) {
    out.reasoning = std::string(text.substr(0, close));
    out.answer = std::string(text.substr(close + kClose.size()));
  } else {
    out.answer = std::string(text);
    return out;
  }
  // Trim the blank lines models put around the tags.
  size_t a = out.answer.find_first_not_of(" \n");
  out.answer = a == std::string::npos ? std::string() : out.answer.substr(a);
  size_t r0 = out.reasoning.find_first_not_of(" \n");
  size_t r1 = out.reasoning.find_last_not_of(" \n");
  out.reasoning = r0 == std::string::npos ? std::string() : out.reasoning.substr(r0, r1 - r0 + 1);
  return out;
}

}  // namespace lantern::ui
