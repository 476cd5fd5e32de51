// NFC through utf8proc, then one pass of character clean-up and whitespace collapsing.
#include "normalize.h"

#include <utf8proc.h>

#include <cstdlib>

#include "utf8.h"

namespace lantern::kb {
namespace {

bool is_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

bool is_space_like(char32_t cp) {
  return cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

bool is_dropped(char32_t cp) {
  return (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD || cp == 0x200B ||
         cp == 0x200C || cp == 0x200D || cp == 0x2060 || cp == 0xFEFF;
}

}  // namespace

std::string nfc(std::string_view text) {
  if (is_ascii(text)) return std::string(text);
  utf8proc_uint8_t* out = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                                    static_cast<utf8proc_ssize_t>(text.size()), &out,
                                    static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0) return std::string(text);
  std::string result(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  std::free(out);
  return result;
}

std::string normalize_text(std::string_view input, Spacing spacing) {
  std::string composed = nfc(input);
  std::string_view s = composed;
  std::string out;
  out.reserve(s.size());
  const bool prose = spacing == Spacing::kProse;
  int newlines = 0;        // consecutive '\n' just emitted (or pending at start)
  bool pending_space = false;
  std::string indent;  // kPreserve: spaces/tabs not yet emitted (only emitted before a visible char)
  bool at_line_start = true;
  // Hot loop: one pass over all extracted text.
  for (size_t i = 0; i < s.size();) {
    char32_t cp;
    unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      cp = b;
      ++i;
    } else {
      cp = next_cp(s, i);
    }
    if (cp == '\r') {
      if (i < s.size() && s[i] == '\n') continue;  // CRLF: the LF follows
      cp = '\n';
    }
    if (cp == 0x2028 || cp == 0x2029 || cp == '\f' || cp == '\v') cp = '\n';
    if (cp == '\n') {
      pending_space = false;
      indent.clear();
      at_line_start = true;
      if (!out.empty() && newlines < 2) out += '\n';
      ++newlines;
      continue;
    }
    if (is_dropped(cp)) continue;
    if (cp == ' ' || cp == '\t' || (prose && is_space_like(cp))) {
      if (prose) {
        if (!at_line_start) pending_space = true;
      } else {
        indent += cp == '\t' ? '\t' : ' ';
      }
      continue;
    }
    // A visible character.
    if (prose) {
      if (pending_space) out += ' ';
    } else if (!indent.empty()) {
      out += indent;
    }
    pending_space = false;
    indent.clear();
    at_line_start = false;
    newlines = 0;
    append_utf8(out, cp);
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace lantern::kb
