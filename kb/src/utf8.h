// Small UTF-8 helpers for text that is already valid UTF-8 (decode_text() guarantees it).
//
// The one thing to know: these do not validate. Feed them only the output of decode_text() or of
// utf8proc, never raw file bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lantern/utf8.h"  // append_utf8

namespace lantern::kb {

// Decodes the code point at s[i] and advances i past it.
inline char32_t next_cp(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    ++i;
    return b;
  }
  int n = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : 1;
  char32_t cp = b & (0x3F >> n);
  ++i;
  for (int k = 0; k < n && i < s.size(); ++k, ++i) cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
  return cp;
}

// The code point that ends just before byte i (i > 0), moving i back to its first byte.
inline char32_t prev_cp(std::string_view s, size_t& i) {
  size_t j = i - 1;
  while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) --j;
  size_t k = j;
  char32_t cp = next_cp(s, k);
  i = j;
  return cp;
}

// Han, kana, Hangul, CJK punctuation and full-width forms: the characters that weigh 2 in chunk
// sizes (see ChunkOptions) and that need no spaces between words.
inline bool is_cjk(char32_t cp) {
  return (cp >= 0x2E80 && cp <= 0x9FFF) ||   // radicals, CJK punctuation, kana, Han
         (cp >= 0xAC00 && cp <= 0xD7AF) ||   // Hangul syllables
         (cp >= 0xF900 && cp <= 0xFAFF) ||   // compatibility ideographs
         (cp >= 0xFF00 && cp <= 0xFFEF) ||   // full-width forms
         (cp >= 0x20000 && cp <= 0x3FFFF);   // Han extensions B-H
}

// Number of code points in valid UTF-8.
inline int64_t count_cps(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Byte offset of code point index `cp_index` (clamped to the end).
inline size_t byte_offset_of_cp(std::string_view s, int64_t cp_index) {
  int64_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (n == cp_index) return i;
      ++n;
    }
  }
  return s.size();
}

}  // namespace lantern::kb
