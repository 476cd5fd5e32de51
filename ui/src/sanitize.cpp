// Terminal sanitizer; see sanitize.h for the rules. Decodes UTF-8 strictly (no overlongs, no
// surrogates, nothing past U+10FFFF) so a malformed sequence cannot smuggle a control byte.
#include "lantern/ui/sanitize.h"

#include "lantern/utf8.h"

#include <cstdint>

namespace lantern::ui {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

std::string sanitize(std::string_view text, SanitizeOptions options) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    char32_t cp = 0;
    size_t len = decode_utf8(text, i, cp);
    if (len == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    i += len;
    if (cp == '\n' && options.keep_newlines) {
      out += '\n';
    } else if (cp == '\n') {
      append_utf8(out, 0x2424);  // SYMBOL FOR NEWLINE
    } else if (cp == '\t' && options.keep_tabs) {
      out += '\t';
    } else if (cp < 0x20) {
      append_utf8(out, 0x2400 + cp);  // Control Pictures: U+241B for ESC
    } else if (cp == 0x7F) {
      append_utf8(out, 0x2421);
    } else if ((cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) {
      out += kReplacement;
    } else {
      append_utf8(out, cp);
    }
  }
  return out;
}

namespace {
// Length of an incomplete UTF-8 sequence at the end of `s` that could still complete (0 if none).
size_t incomplete_tail(std::string_view s) {
  size_t n = s.size();
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    auto b = static_cast<unsigned char>(s[n - back]);
    if ((b & 0xC0) == 0x80) continue;  // continuation byte: keep looking for the lead
    size_t need = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
    return need > back ? back : 0;
  }
  return 0;
}
}  // namespace

std::string StreamSanitizer::push(std::string_view piece) {
  held_.append(piece);
  size_t keep = incomplete_tail(held_);
  std::string out = sanitize(std::string_view(held_).substr(0, held_.size() - keep), options_);
  held_.erase(0, held_.size() - keep);
  return out;
}

std::string StreamSanitizer::finish() {
  std::string out = sanitize(held_, options_);
  held_.clear();
  return out;
}

}  // namespace lantern::ui
