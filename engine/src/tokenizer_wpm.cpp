// WpmEncoder: WordPiece (BERT) tokenization.
//
// Normalisation, as BERT's reference tokenizer does it: drop NUL, U+FFFD and control/format
// characters (tab, CR, LF count as whitespace); whitespace separates words; each CJK ideograph
// is a word of its own; keep only the first code point of each character's NFD decomposition
// (drops accents; a Hangul syllable becomes its leading jamo), lower-case; every
// punctuation character (ASCII punctuation or a Unicode P* category) is a word of its own.
// Then each word is cut greedily into the longest vocabulary pieces; a word that cannot be cut
// (or is longer than 100 characters) becomes [UNK].
// The one thing to know: the GGUF form of a BERT vocabulary marks word-initial pieces with a
// leading "▁" and stores continuation pieces ("##ing" in BERT) without a prefix.
#include <utf8proc.h>

#include <algorithm>

#include "tokenizer_internal.h"

namespace lantern::engine::tok {

namespace {

constexpr size_t kMaxWordChars = 100;
const std::string_view kWordStart = "\xE2\x96\x81";  // U+2581

bool is_cjk(uint32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool is_whitespace(uint32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
         c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool is_control(uint32_t c) {
  if (c == '\t' || c == '\n' || c == '\r') return false;
  const auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
  return cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF || cat == UTF8PROC_CATEGORY_CN ||
         cat == UTF8PROC_CATEGORY_CO || cat == UTF8PROC_CATEGORY_CS;
}

bool is_punctuation(uint32_t c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
  const auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
  return cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO;
}

// Normalised words of `text` (UTF-8 strings).
std::vector<std::string> bert_words(std::string_view text) {
  std::vector<std::string> words;
  std::string cur;
  auto finish = [&] {
    if (!cur.empty()) words.push_back(std::move(cur));
    cur.clear();
  };
  auto single = [&](uint32_t c) {
    finish();
    std::string w;
    append_utf8(w, c);
    words.push_back(std::move(w));
  };
  for (uint32_t c : decode_utf8(text)) {
    if (c == 0 || c == 0xFFFD || is_control(c)) continue;
    if (is_whitespace(c)) {
      finish();
      continue;
    }
    if (is_cjk(c)) {
      single(c);
      continue;
    }
    utf8proc_int32_t parts[16];
    int boundclass = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), parts, 16, UTF8PROC_DECOMPOSE, &boundclass);
    if (n < 0 || n > 16) {
      parts[0] = static_cast<utf8proc_int32_t>(c);
      n = 1;
    }
    // The reference (llama.cpp's WPM) maps each character to the FIRST code point of its
    // decomposition only, not to the whole NFD sequence. For accented letters that is the same
    // as dropping the accents, but a Hangul syllable becomes just its leading consonant jamo
    // (한 -> ᄒ, not ᄒ ᅡ ᆫ), and the vocabulary ids it expects are those of that jamo.
    const auto d = static_cast<uint32_t>(parts[0]);
    if (utf8proc_category(parts[0]) == UTF8PROC_CATEGORY_MN) continue;  // a combining mark in the input
    const auto lower = static_cast<uint32_t>(utf8proc_tolower(parts[0]));
    if (is_punctuation(lower) || is_punctuation(d)) {
      single(lower);
    } else {
      append_utf8(cur, lower);
    }
  }
  finish();
  return words;
}

}  // namespace

WpmEncoder::WpmEncoder(const Vocab& vocab, const TokenIndex& index) : vocab_(vocab), index_(index) {
  for (const auto& t : vocab.tokens) max_token_len_ = std::max(max_token_len_, t.size());
}

void WpmEncoder::encode(std::string_view text, std::vector<int32_t>& out) const {
  std::string probe;
  std::vector<size_t> bounds;  // byte offsets of character starts, plus the end
  for (const std::string& word : bert_words(text)) {
    bounds.clear();
    for (size_t i = 0; i < word.size(); i += utf8_seq_len(static_cast<uint8_t>(word[i]))) bounds.push_back(i);
    const size_t n_chars = bounds.size();
    bounds.push_back(word.size());
    const size_t mark = out.size();
    bool ok = n_chars <= kMaxWordChars;
    size_t start = 0;  // index into bounds
    while (ok && start < n_chars) {
      int32_t found = -1;
      size_t end = n_chars;
      for (; end > start; --end) {
        const size_t bytes = bounds[end] - bounds[start];
        if (bytes + kWordStart.size() > max_token_len_ + kWordStart.size()) continue;  // longer than any token
        probe.clear();
        if (start == 0) probe.append(kWordStart);
        probe.append(word, bounds[start], bytes);
        found = index_.find(probe);
        if (found >= 0) break;
      }
      if (found < 0) {
        ok = false;
        break;
      }
      out.push_back(found);
      start = end;
    }
    if (!ok) {
      out.resize(mark);
      if (vocab_.unk >= 0) out.push_back(vocab_.unk);
    }
  }
}

}  // namespace lantern::engine::tok
