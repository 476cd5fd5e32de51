// Utf8Assembler and StreamDecoder: streaming detokenization that only ever emits whole, valid
// UTF-8 characters.
//
// Validity follows Unicode Table 3-7 (no overlongs, no surrogates, nothing past U+10FFFF). An
// invalid sequence is replaced by one U+FFFD per maximal subpart: the longest prefix of a valid
// sequence that the stream contains, or one byte. The one thing to know: Utf8Assembler's pending
// bytes are always a proper prefix of a valid sequence, so the state is at most 3 bytes and
// flush() turns it into exactly one U+FFFD.
#include "tokenizer_internal.h"

namespace lantern::engine {

namespace {

const std::string_view kReplacement = "\xEF\xBF\xBD";

// For a lead byte: the sequence length and the allowed range of the second byte; len 0 when
// the byte cannot start a sequence.
struct Lead {
  int len;
  uint8_t lo;
  uint8_t hi;
};

Lead lead_info(uint8_t b) {
  if (b >= 0xC2 && b <= 0xDF) return {2, 0x80, 0xBF};
  if (b == 0xE0) return {3, 0xA0, 0xBF};
  if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) return {3, 0x80, 0xBF};
  if (b == 0xED) return {3, 0x80, 0x9F};
  if (b == 0xF0) return {4, 0x90, 0xBF};
  if (b >= 0xF1 && b <= 0xF3) return {4, 0x80, 0xBF};
  if (b == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

}  // namespace

std::string Utf8Assembler::push(std::string_view bytes) {
  std::string data;
  std::string_view in = bytes;
  if (!pending_.empty()) {
    data = pending_;
    data.append(bytes);
    pending_.clear();
    in = data;
  }
  std::string out;
  out.reserve(in.size());
  const auto* s = reinterpret_cast<const uint8_t*>(in.data());
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    if (s[i] < 0x80) {
      out.push_back(static_cast<char>(s[i++]));
      continue;
    }
    const Lead lead = lead_info(s[i]);
    if (lead.len == 0) {
      out.append(kReplacement);
      ++i;
      continue;
    }
    int k = 1;
    bool incomplete = false;
    for (; k < lead.len; ++k) {
      if (i + static_cast<size_t>(k) >= n) {
        incomplete = true;
        break;
      }
      const uint8_t c = s[i + static_cast<size_t>(k)];
      const bool ok = k == 1 ? (c >= lead.lo && c <= lead.hi) : (c >= 0x80 && c <= 0xBF);
      if (!ok) break;
    }
    if (incomplete) {
      pending_.assign(in.substr(i));
      break;
    }
    if (k < lead.len) {
      out.append(kReplacement);  // the maximal subpart s[i, i+k) is replaced as a whole
      i += static_cast<size_t>(k);
      continue;
    }
    out.append(in.substr(i, static_cast<size_t>(lead.len)));
    i += static_cast<size_t>(lead.len);
  }
  return out;
}

std::string Utf8Assembler::flush() {
  if (pending_.empty()) return {};
  pending_.clear();
  return std::string(kReplacement);
}

StreamDecoder::StreamDecoder(const Tokenizer& tokenizer, bool render_special, bool strip_leading_space)
    : tokenizer_(&tokenizer), render_special_(render_special), strip_leading_space_(strip_leading_space) {}

std::string StreamDecoder::push(int32_t id) {
  if (id < 0 || id >= tokenizer_->n_vocab()) return {};
  std::string piece;
  switch (tokenizer_->token_type(id)) {
    case TokenType::kControl:
      if (!render_special_) return {};
      piece = tokenizer_->token_text(id);
      break;
    case TokenType::kUnknown:
      piece = render_special_ ? tokenizer_->token_text(id) : std::string(kReplacement);
      break;
    default:
      piece = tokenizer_->token_piece(id);
      break;
  }
  if (at_start_ && !piece.empty()) {
    if (strip_leading_space_ && piece[0] == ' ') piece.erase(0, 1);
    at_start_ = false;
  }
  return utf8_.push(piece);
}

std::string StreamDecoder::flush() { return utf8_.flush(); }

void StreamDecoder::reset() {
  utf8_.flush();
  at_start_ = true;
}

}  // namespace lantern::engine
