// Markdown-lite: turns an answer's text into styled, wrapped lines. Headings, **bold**, `code`,
// bullet and numbered lists with hanging indent, fenced code blocks in their own style, and
// citation markers like [1] or [2, 3] highlighted. Anything else is plain text.
//
// The one thing to know: input is sanitized text and may be incomplete (streaming): an unclosed
// fence or ** simply styles to the end, and the next render with more text is correct.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "text_layout.h"

namespace lantern::ui {

// Styles inline markup of one line of text.
GlyphRun render_inline(std::string_view line, Style base = Style::kNormal);
// Renders `text` into lines at most `width` cells wide, each indented by `indent` cells.
std::vector<Line> render_markdown(std::string_view text, int width, int indent = 0);
// Plain wrapped text in one style (notices, reasoning, snippets), honouring '\n'.
std::vector<Line> render_plain(std::string_view text, int width, Style style, int indent = 0);

// R1-style reasoning: "<think>...</think>answer". A missing opening tag with a closing one (some
// chat templates open the block in the prompt) counts everything before </think> as reasoning.
struct ThinkSplit {
  std::string reasoning;
  std::string answer;
  bool thinking = false;  // <think> opened and not closed yet (still streaming reasoning)
};
ThinkSplit split_think(std::string_view text);

}  // namespace lantern::ui
