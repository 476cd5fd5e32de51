// UTF-8 helpers for the tokenizers and the GPT-2 byte-level mapping.
//
// The one thing to know: decode_utf8 follows the reference tokenizer's lenient reading (a lead
// byte followed by the right number of continuation bytes is accepted, each failing byte becomes
// U+FFFD) so that token ids match byte for byte; only code points that cannot be re-encoded as
// valid UTF-8 (surrogates, > U+10FFFF) are replaced as well, because PCRE2 needs valid input.
#include "tokenizer_internal.h"

namespace lantern::engine::tok {

void append_utf8(std::string& out, uint32_t cpt) {
  if (cpt < 0x80) {
    out.push_back(static_cast<char>(cpt));
  } else if (cpt < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cpt >> 6)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else if (cpt < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cpt >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cpt >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  }
}

namespace {

constexpr uint32_t kReplacement = 0xFFFD;

bool is_cont(uint8_t b) { return (b & 0xC0) == 0x80; }

// One code point at text[pos]; advances pos. Invalid -> U+FFFD and pos advances by one byte.
uint32_t next_cpt(std::string_view text, size_t& pos) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  const uint8_t b0 = s[pos];
  uint32_t cpt = kReplacement;
  size_t len = 1;
  if (b0 < 0x80) {
    cpt = b0;
  } else if ((b0 & 0xE0) == 0xC0 && pos + 1 < n && is_cont(s[pos + 1])) {
    cpt = ((b0 & 0x1Fu) << 6) | (s[pos + 1] & 0x3Fu);
    len = 2;
  } else if ((b0 & 0xF0) == 0xE0 && pos + 2 < n && is_cont(s[pos + 1]) && is_cont(s[pos + 2])) {
    cpt = ((b0 & 0x0Fu) << 12) | ((s[pos + 1] & 0x3Fu) << 6) | (s[pos + 2] & 0x3Fu);
    len = 3;
  } else if ((b0 & 0xF8) == 0xF0 && pos + 3 < n && is_cont(s[pos + 1]) && is_cont(s[pos + 2]) &&
             is_cont(s[pos + 3])) {
    cpt = ((b0 & 0x07u) << 18) | ((s[pos + 1] & 0x3Fu) << 12) | ((s[pos + 2] & 0x3Fu) << 6) | (s[pos + 3] & 0x3Fu);
    len = 4;
  }
  if ((cpt >= 0xD800 && cpt <= 0xDFFF) || cpt > 0x10FFFF) {
    cpt = kReplacement;
    len = 1;
  }
  pos += len;
  return cpt;
}

}  // namespace

std::vector<uint32_t> decode_utf8(std::string_view text) {
  std::vector<uint32_t> out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) out.push_back(next_cpt(text, pos));
  return out;
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    // Fast path for ASCII runs: the common case in English and code.
    if (static_cast<uint8_t>(text[pos]) < 0x80) {
      out.push_back(text[pos++]);
      continue;
    }
    append_utf8(out, next_cpt(text, pos));
  }
  return out;
}

namespace {

struct ByteTables {
  std::array<std::string, 256> to_unicode;
  std::array<int16_t, 512> to_byte;  // code points < 512 only: the mapping never goes higher
  ByteTables() {
    to_byte.fill(-1);
    uint32_t next_extra = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      const uint32_t cpt = printable ? static_cast<uint32_t>(b) : next_extra++;
      append_utf8(to_unicode[static_cast<size_t>(b)], cpt);
      to_byte[cpt] = static_cast<int16_t>(b);
    }
  }
};

const ByteTables& byte_tables() {
  static const ByteTables tables;
  return tables;
}

}  // namespace

const std::array<std::string, 256>& byte_to_unicode() { return byte_tables().to_unicode; }

int unicode_to_byte(uint32_t cpt) { return cpt < 512 ? byte_tables().to_byte[cpt] : -1; }

}  // namespace lantern::engine::tok
