// libFuzzer target for the TUI's markdown renderer and word wrapper: any bytes, sanitized as the
// TUI does, must render into lines no wider than the width asked for (when it leaves room for one
// glyph), and every prefix (a streamed answer) must render too. The first byte picks the width.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "lantern/ui/sanitize.h"
#include "markdown.h"

using namespace lantern::ui;

namespace {

void check_lines(const std::vector<Line>& lines, int width, int indent) {
  for (const Line& l : lines) {
    FUZZ_CHECK(lantern::fuzz::valid_utf8(l.text()), "rendered line is valid UTF-8");
    // A line may exceed the width only when indent leaves no room for a 2-cell glyph.
    if (width - indent >= 8) FUZZ_CHECK(l.width() <= width, "rendered line fits the width");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 16384) return 0;
  const int width = 1 + data[0] % 100;
  const int indent = (data[0] >> 6) * 2;
  std::string text = sanitize(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));

  check_lines(render_markdown(text, width, indent), width, indent);
  check_lines(render_plain(text, width, Style::kDim, indent), width, indent);
  ThinkSplit split = split_think(text);
  check_lines(render_markdown(split.answer, width, indent), width, indent);
  // A streamed answer: the text cut at a few places (on character boundaries, as the TUI holds
  // incomplete sequences back).
  for (size_t cut = text.size() / 3; cut < text.size(); cut += text.size() / 3 + 1) {
    size_t c = cut;
    while (c > 0 && (static_cast<unsigned char>(text[c]) & 0xC0) == 0x80) --c;
    check_lines(render_markdown(std::string_view(text).substr(0, c), width, indent), width, indent);
  }
  return 0;
}
