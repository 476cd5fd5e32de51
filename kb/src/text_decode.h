// Turns a file's bytes into valid UTF-8: BOM and encoding detection, conversion, replacement.
//
// The one thing to know: decoding never fails. Invalid or truncated sequences become U+FFFD and
// are counted, so a damaged file still imports. Detection order: BOM (UTF-8, UTF-16 LE/BE), then
// BOM-less UTF-16 by its zero bytes, then valid UTF-8, then GB18030 (a superset of GBK and GB2312)
// when its byte structure fits clearly better than UTF-8 does, then Windows-1252 (a superset of
// Latin-1) when almost no high byte forms valid UTF-8, else UTF-8 with replacements.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lantern::kb {

enum class Encoding { kUtf8, kUtf16Le, kUtf16Be, kGb18030, kWindows1252 };
const char* encoding_name(Encoding e);

struct DecodedText {
  std::string text;        // valid UTF-8, BOM removed
  Encoding encoding = Encoding::kUtf8;
  int64_t n_replaced = 0;  // invalid sequences replaced by U+FFFD
};

DecodedText decode_text(std::string_view bytes);

// For formats that declare their charset (HTML <meta charset>): UTF-8 and GB names map to the
// detection above; other names go through iconv. Bytes that are valid UTF-8 stay UTF-8 whatever
// the declaration says (a common mistake in saved web pages). Unknown names fall back to
// decode_text().
DecodedText decode_text_as(std::string_view bytes, std::string_view charset);

// True when `bytes` (a prefix of a file is enough) is not text in any encoding decode_text()
// knows: NUL bytes outside UTF-16, or many control characters.
bool looks_binary(std::string_view bytes);

// Appends valid UTF-8 for `bytes`, replacing invalid sequences; returns how many were replaced.
int64_t append_valid_utf8(std::string& out, std::string_view bytes);

}  // namespace lantern::kb
