// Encoding detection and conversion to UTF-8 (see text_decode.h for the detection order).
//
// GB18030 goes through glibc's iconv; everything else is decoded here. iconv handles are opened
// per call: a file is decoded once, and iconv_t is not safe to share between import threads.
#include "text_decode.h"

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "utf8.h"

namespace lantern::kb {
namespace {

constexpr const char* kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at p (0 if invalid or truncated).
inline size_t utf8_seq_len(const unsigned char* p, size_t avail) {
  unsigned char b = p[0];
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) {
    return (avail >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
  }
  if (b >= 0xE0 && b <= 0xEF) {
    if (avail < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
    if (b == 0xE0 && p[1] < 0xA0) return 0;   // overlong
    if (b == 0xED && p[1] >= 0xA0) return 0;  // surrogates
    return 3;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    if (avail < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
    if (b == 0xF0 && p[1] < 0x90) return 0;   // overlong
    if (b == 0xF4 && p[1] >= 0x90) return 0;  // > U+10FFFF
    return 4;
  }
  return 0;
}

struct Utf8Stats {
  int64_t invalid = 0;
  int64_t multibyte = 0;
};

Utf8Stats utf8_stats(std::string_view s) {
  Utf8Stats st;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    size_t len = utf8_seq_len(p + i, n - i);
    if (len == 0) {
      ++st.invalid;
      ++i;
    } else {
      ++st.multibyte;
      i += len;
    }
  }
  return st;
}

struct GbStats {
  int64_t invalid = 0;
  int64_t multibyte = 0;
};

// GB18030 structure: 0x81-0xFE lead, then 0x40-0x7E/0x80-0xFE (2 bytes) or 0x30-0x39 0x81-0xFE
// 0x30-0x39 (4 bytes).
GbStats gb_stats(std::string_view s) {
  GbStats st;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned char b = p[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    if (b >= 0x81 && b <= 0xFE && i + 1 < n) {
      unsigned char c = p[i + 1];
      if ((c >= 0x40 && c <= 0x7E) || (c >= 0x80 && c <= 0xFE)) {
        ++st.multibyte;
        i += 2;
        continue;
      }
      if (c >= 0x30 && c <= 0x39 && i + 3 < n && p[i + 2] >= 0x81 && p[i + 2] <= 0xFE && p[i + 3] >= 0x30 &&
          p[i + 3] <= 0x39) {
        ++st.multibyte;
        i += 4;
        continue;
      }
    }
    ++st.invalid;
    ++i;
  }
  return st;
}

DecodedText decode_utf16(std::string_view s, bool little_endian, Encoding enc) {
  DecodedText out;
  out.encoding = enc;
  out.text.reserve(s.size() * 3 / 2);
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size() / 2;
  auto unit = [&](size_t k) -> char16_t {
    return little_endian ? char16_t(p[2 * k] | (p[2 * k + 1] << 8)) : char16_t((p[2 * k] << 8) | p[2 * k + 1]);
  };
  for (size_t k = 0; k < n; ++k) {
    char16_t u = unit(k);
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (k + 1 < n) {
        char16_t lo = unit(k + 1);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
          append_utf8(out.text, 0x10000 + ((char32_t(u) - 0xD800) << 10) + (lo - 0xDC00));
          ++k;
          continue;
        }
      }
      out.text += kReplacement;
      ++out.n_replaced;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      out.text += kReplacement;
      ++out.n_replaced;
    } else {
      append_utf8(out.text, u);
    }
  }
  if (s.size() % 2) {
    out.text += kReplacement;
    ++out.n_replaced;
  }
  return out;
}

// Converts with glibc iconv from `charset`, replacing undecodable bytes one at a time.
DecodedText iconv_decode(std::string_view s, const char* charset, Encoding enc) {
  DecodedText out;
  out.encoding = enc;
  iconv_t cd = iconv_open("UTF-8", charset);
  if (cd == reinterpret_cast<iconv_t>(-1)) {  // no converter: keep what is valid
    out.encoding = Encoding::kUtf8;
    out.n_replaced = append_valid_utf8(out.text, s);
    return out;
  }
  std::string buf(s.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(s.data());
  size_t in_left = s.size();
  size_t used = 0;
  while (in_left > 0) {
    char* outp = buf.data() + used;
    size_t out_left = buf.size() - used;
    size_t rc = iconv(cd, &in, &in_left, &outp, &out_left);
    used = buf.size() - out_left;
    if (rc != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {
      buf.resize(buf.size() * 2);
      continue;
    }
    // EILSEQ or EINVAL (truncated at the end): replace one byte and go on.
    if (buf.size() - used < 3) buf.resize(buf.size() * 2);
    std::memcpy(buf.data() + used, kReplacement, 3);
    used += 3;
    ++out.n_replaced;
    ++in;
    --in_left;
  }
  iconv_close(cd);
  buf.resize(used);
  out.text = std::move(buf);
  return out;
}

// BOM-less UTF-16: text in it has a zero byte in most code units of ASCII-range characters.
int utf16_guess(std::string_view s) {  // 0 none, 1 LE, 2 BE
  size_t n = std::min<size_t>(s.size(), 4096) & ~size_t{1};
  if (n < 8) return 0;
  size_t zero_even = 0, zero_odd = 0;
  for (size_t i = 0; i < n; i += 2) {
    zero_even += s[i] == 0;
    zero_odd += s[i + 1] == 0;
  }
  size_t units = n / 2;
  if (zero_odd * 10 >= units * 3 && zero_even * 50 <= units) return 1;
  if (zero_even * 10 >= units * 3 && zero_odd * 50 <= units) return 2;
  return 0;
}

}  // namespace

const char* encoding_name(Encoding e) {
  switch (e) {
    case Encoding::kUtf8: return "UTF-8";
    case Encoding::kUtf16Le: return "UTF-16LE";
    case Encoding::kUtf16Be: return "UTF-16BE";
    case Encoding::kGb18030: return "GB18030";
    case Encoding::kWindows1252: return "WINDOWS-1252";
  }
  return "?";
}

int64_t append_valid_utf8(std::string& out, std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0, run = 0;
  int64_t replaced = 0;
  out.reserve(out.size() + n);
  // Hot loop: copies valid runs in one append; runs over every imported byte.
  while (i < n) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    size_t len = utf8_seq_len(p + i, n - i);
    if (len) {
      i += len;
      continue;
    }
    out.append(s.data() + run, i - run);
    out += kReplacement;
    ++replaced;
    ++i;
    run = i;
  }
  out.append(s.data() + run, n - run);
  return replaced;
}

bool looks_binary(std::string_view bytes) {
  std::string_view head = bytes.substr(0, 8192);
  if (head.size() >= 2 && ((head[0] == '\xFF' && head[1] == '\xFE') || (head[0] == '\xFE' && head[1] == '\xFF'))) {
    return false;  // UTF-16 with BOM
  }
  if (utf16_guess(head)) return false;
  size_t control = 0;
  for (unsigned char c : head) {
    if (c == 0) return true;
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != '\v' && c != 0x1B) ++control;
  }
  return control * 20 > head.size();  // more than 5% control characters
}

DecodedText decode_text(std::string_view bytes) {
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    DecodedText out;
    out.n_replaced = append_valid_utf8(out.text, bytes.substr(3));
    return out;
  }
  if (bytes.size() >= 2 && bytes[0] == '\xFF' && bytes[1] == '\xFE') {
    return decode_utf16(bytes.substr(2), true, Encoding::kUtf16Le);
  }
  if (bytes.size() >= 2 && bytes[0] == '\xFE' && bytes[1] == '\xFF') {
    return decode_utf16(bytes.substr(2), false, Encoding::kUtf16Be);
  }
  if (int g = utf16_guess(bytes)) {
    return decode_utf16(bytes, g == 1, g == 1 ? Encoding::kUtf16Le : Encoding::kUtf16Be);
  }
  Utf8Stats u = utf8_stats(bytes);
  if (u.invalid > 0) {
    GbStats g = gb_stats(bytes);
    // GB18030 when nearly all its high bytes pair up, and it explains the bytes better than UTF-8.
    if (g.multibyte > 0 && g.invalid * 100 <= g.multibyte && g.invalid < u.invalid) {
      return iconv_decode(bytes, "GB18030", Encoding::kGb18030);
    }
    // Single-byte Western text ("caf\xE9"): its high bytes almost never form UTF-8 sequences.
    if (u.multibyte * 20 <= u.invalid) {
      DecodedText d = iconv_decode(bytes, "WINDOWS-1252", Encoding::kWindows1252);
      if (d.n_replaced * 20 <= u.invalid) return d;
    }
  }
  DecodedText out;
  if (u.invalid == 0) {
    out.text.assign(bytes);
  } else {
    out.n_replaced = append_valid_utf8(out.text, bytes);
  }
  return out;
}

DecodedText decode_text_as(std::string_view bytes, std::string_view charset) {
  std::string cs;
  for (char c : charset) cs += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (cs.empty() || cs == "utf-8" || cs == "utf8" || cs == "us-ascii" || cs == "ascii" || cs.rfind("utf-16", 0) == 0) {
    return decode_text(bytes);
  }
  if (utf8_stats(bytes).invalid == 0) return decode_text(bytes);  // declared wrongly: it is UTF-8
  if (cs == "gb2312" || cs == "gbk" || cs == "gb18030" || cs == "x-gbk" || cs == "cp936") {
    return iconv_decode(bytes, "GB18030", Encoding::kGb18030);
  }
  DecodedText d = iconv_decode(bytes, cs.c_str(), Encoding::kUtf8);
  return d;
}

}  // namespace lantern::kb
