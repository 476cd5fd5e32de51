// Normalization of extracted text before it is stored: NFC (utf8proc) and whitespace clean-up.
//
// The one thing to know: this is the stored, displayed text. It stays close to the original (NFC
// only, no case folding or NFKC); the search tokenizer applies its own, stronger normalization
// when indexing. Input must be valid UTF-8 (from decode_text()).
#pragma once

#include <string>
#include <string_view>

namespace lantern::kb {

enum class Spacing {
  kProse,     // runs of spaces/tabs become one space, lines trimmed
  kPreserve,  // indentation kept (code, Markdown source), trailing spaces removed
};

// NFC; CR/LF and Unicode line separators to '\n'; control, zero-width and soft-hyphen characters
// dropped; exotic spaces to ' ' (prose); more than one blank line collapsed; ends trimmed.
std::string normalize_text(std::string_view text, Spacing spacing);

// Just NFC (a piece utf8proc refuses is kept as it is). Only the pieces around characters NFC can
// change go through utf8proc, so mostly-CJK or ASCII text is a plain copy.
std::string nfc(std::string_view text);

// Whether NFC leaves this code point alone in every context (the fast path of nfc()); for tests.
bool nfc_inert_for_testing(char32_t cp);

}  // namespace lantern::kb
