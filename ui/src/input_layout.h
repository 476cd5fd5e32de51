// Layout of the input line: prompt + text wrapped at every glyph (not at words, so the cursor
// position is simple and stable while typing), '\n' starting a new row, and the cell of the cursor.
//
// The one thing to know: `point` is a byte offset into the raw (unsanitized) text, as readline
// keeps it; each character is sanitized on its own so offsets stay aligned.
#pragma once

#include <string_view>
#include <vector>

#include "text_layout.h"

namespace lantern::ui {

struct InputLayout {
  std::vector<Line> lines;
  int cursor_x = 0;
  int cursor_y = 0;
};

InputLayout layout_input(std::string_view prompt, std::string_view text, size_t point, int width);

}  // namespace lantern::ui
