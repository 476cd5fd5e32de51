// NFC through utf8proc, then one pass of character clean-up and whitespace collapsing.
#include "normalize.h"

#include <utf8proc.h>

#include <cstdlib>

#include "utf8.h"

namespace lantern::kb {
namespace {

bool is_space_like(char32_t cp) {
  return cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

bool is_dropped(char32_t cp) {
  return (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD || cp == 0x200B ||
         cp == 0x200C || cp == 0x200D || cp == 0x2060 || cp == 0xFEFF;
}

// Code points NFC leaves alone in any context: canonical combining class 0, no canonical
// decomposition, and never the second half of a canonical composition. NFC never looks across
// such a character, so text can be normalized piecewise between them. Ranges: Latin-1 and Latin
// Extended A/B (combining marks start at U+0300), general punctuation (quotes, dashes), arrows,
// box drawing and other symbols, CJK symbols and kana minus the tone marks U+302A..U+302F and the
// voicing marks U+3099/U+309A, CJK ideographs, Hangul syllables (one can absorb a following
// trailing jamo, U+11A8.., which is not in this set) and the full-width/half-width forms.
// tests/kb/text_fast_path_test.cpp checks every one of them against utf8proc.
bool nfc_inert(char32_t cp) {
  return cp < 0x300 || (cp >= 0x2010 && cp <= 0x2027) || (cp >= 0x2030 && cp <= 0x205E) ||
         (cp >= 0x2190 && cp <= 0x21FF) || (cp >= 0x2500 && cp <= 0x27BF) || (cp >= 0x3000 && cp <= 0x3029) ||
         (cp >= 0x3030 && cp <= 0x3098) || (cp >= 0x309B && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xFF01 && cp <= 0xFFEE);
}

std::string utf8proc_nfc(std::string_view text) {
  utf8proc_uint8_t* out = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                                    static_cast<utf8proc_ssize_t>(text.size()), &out,
                                    static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0) return std::string(text);
  std::string result(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  std::free(out);
  return result;
}

}  // namespace

bool nfc_inert_for_testing(char32_t cp) { return nfc_inert(cp); }

// Copies runs of inert characters as they are and hands utf8proc only the pieces around other
// characters, each from the inert character before it (which may compose with what follows) to
// the next inert one. The import hot path: Chinese text is almost all inert.
std::string nfc(std::string_view text) {
  std::string out;
  size_t copied = 0;    // text[0, copied) is in out
  size_t boundary = 0;  // start of the last inert character seen (a piece may start there)
  for (size_t i = 0; i < text.size();) {
    size_t at = i;
    if (static_cast<unsigned char>(text[i]) < 0x80 || nfc_inert(next_cp(text, i))) {
      if (at == i) ++i;
      boundary = at;
      continue;
    }
    size_t end = i;
    while (end < text.size()) {
      size_t next = end;
      if (static_cast<unsigned char>(text[end]) < 0x80 || nfc_inert(next_cp(text, next))) break;
      end = next;
    }
    if (out.empty()) out.reserve(text.size() + 16);
    out.append(text, copied, boundary - copied);
    out += utf8proc_nfc(text.substr(boundary, end - boundary));
    copied = end;
    boundary = end;
    i = end;
  }
  if (copied == 0) return std::string(text);
  out.append(text, copied, std::string_view::npos);
  return out;
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
