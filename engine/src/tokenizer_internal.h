// Private pieces of the tokenizer, one concept per file:
//   tokenizer_utf8.cpp        UTF-8 helpers and the GPT-2 byte <-> code point mapping
//   tokenizer_vocab.cpp       Vocab::validate, Vocab::from_gguf
//   tokenizer_special.cpp     SpecialSplitter: cut special/added tokens out of the text
//   tokenizer_pretokenize.cpp PreTokenizer: the regex sets of tokenizer.ggml.pre (PCRE2)
//   tokenizer_spm.cpp         SpmEncoder (SentencePiece, score merges, byte fallback)
//   tokenizer_bpe.cpp         BpeEncoder (byte-level BPE, ranked merges)
//   tokenizer_wpm.cpp         WpmEncoder (WordPiece)
//   tokenizer.cpp             Tokenizer: ties these together, decode
//   tokenizer_stream.cpp      Utf8Assembler, StreamDecoder
// The one thing to know: every encoder is immutable after construction and keeps per-call
// state on the stack, which is what makes Tokenizer safe for concurrent const use.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lantern/engine/tokenizer.h"
#include "lantern/engine/vocab.h"

namespace lantern::engine::tok {

// ---- UTF-8 ----------------------------------------------------------------------------------
// Length of the sequence a lead byte announces, by its top 4 bits; 1 for continuation bytes
// (SentencePiece splits text this way, without validating).
inline size_t utf8_seq_len(uint8_t lead) {
  static constexpr uint8_t kLen[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLen[lead >> 4];
}
void append_utf8(std::string& out, uint32_t cpt);
// Decodes text into code points; each byte that does not start a well-formed sequence becomes
// U+FFFD (surrogates, overlong forms and values past U+10FFFF included).
std::vector<uint32_t> decode_utf8(std::string_view text);
// `text` with every invalid byte replaced by U+FFFD (as decode_utf8 does), re-encoded.
std::string valid_utf8(std::string_view text);

// GPT-2 byte-level mapping: each of the 256 byte values has a printable code point
// ('!'..'~', '¡'..'¬', '®'..'ÿ' map to themselves, the rest to U+0100 upward).
const std::array<std::string, 256>& byte_to_unicode();
// Code point -> byte, or -1 when the code point is not part of the mapping.
int unicode_to_byte(uint32_t cpt);

// ---- token lookup shared by all encoders ----------------------------------------------------
// Text -> token id. An open-addressing table (linear probing, at most half full) of (hash, id)
// pairs: a probe touches one slot and, on a hash match, the token's text. Building it and the
// merge table is most of a tokenizer's load time, and std::unordered_map's per-node allocations
// and pointer chasing made that twice as slow.
class TokenIndex {
 public:
  // Indexes every non-empty token of `vocab`; for duplicate texts the lowest id wins.
  void build(const Vocab& vocab);
  int32_t find(std::string_view text) const {
    if (slots_.empty()) return -1;
    const uint64_t h = hash(text);
    const auto tag = static_cast<uint32_t>(h);
    const size_t mask = slots_.size() - 1;
    for (size_t i = static_cast<size_t>(h >> 32) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.id < 0) return -1;
      if (s.tag == tag && (*tokens_)[static_cast<size_t>(s.id)] == text) return s.id;
    }
  }

 private:
  struct Slot {
    uint32_t tag = 0;  // low 32 bits of the hash
    int32_t id = -1;   // -1: empty
  };
  static uint64_t hash(std::string_view s) {
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a, then a final mix so both halves are usable
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
  }
  const std::vector<std::string>* tokens_ = nullptr;
  std::vector<Slot> slots_;  // [power of two]
};

// ---- special tokens ------------------------------------------------------------------------
// A piece of the input: raw text to run through the encoder, or one already-known token.
struct Fragment {
  int32_t token = -1;  // >= 0: a special token
  size_t offset = 0;   // raw text: [offset, offset + length) of the input
  size_t length = 0;
};

class SpecialSplitter {
 public:
  // `lstrip`/`rstrip`: per token id, whether whitespace before/after a match is swallowed.
  SpecialSplitter(const Vocab& vocab, std::vector<uint8_t> lstrip, std::vector<uint8_t> rstrip);
  // Splits `text` as the reference does: special tokens by decreasing text length, each one cut
  // out of every remaining raw fragment left to right. Control and unknown tokens take part only
  // when parse_special; user-defined tokens always do.
  // Occurrences of control/unknown tokens overlapping a span of `literal` (sorted) are ignored.
  std::vector<Fragment> split(std::string_view text, bool parse_special, const std::vector<TextSpan>& literal) const;

 private:
  struct Node {
    std::vector<std::pair<uint8_t, int32_t>> next;  // sorted by byte
    int32_t token = -1;                             // token whose text ends here
  };
  const Vocab& vocab_;
  std::vector<int32_t> order_;     // special ids, longest text first (ties by id)
  std::vector<int32_t> rank_;      // [n_vocab] position in order_, -1 when not special
  std::vector<Node> trie_;         // [0] is the root
  std::vector<uint8_t> lstrip_, rstrip_;
};

// ---- pre-tokenizer --------------------------------------------------------------------------
class PreTokenizer {
 public:
  // The regex set for `pre`; `known` is false when the name was not recognised (gpt-2 is used).
  static std::unique_ptr<PreTokenizer> create(const std::string& pre, bool* known, std::string* canonical);
  ~PreTokenizer();
  // Splits valid UTF-8 text into words, applying each regex in turn to the pieces of the
  // previous one; text between matches is kept as its own piece. Views point into `text`.
  std::vector<std::string_view> split(std::string_view text) const;

 private:
  PreTokenizer() = default;
  struct Regex;
  std::vector<Regex*> regexes_;
};

// ---- encoders --------------------------------------------------------------------------------
class SpmEncoder {
 public:
  SpmEncoder(const Vocab& vocab, const TokenIndex& index);
  // Appends the tokens of `text` (spaces already escaped to "▁").
  void encode(std::string_view text, std::vector<int32_t>& out) const;

 private:
  const Vocab& vocab_;
  const TokenIndex& index_;
  std::array<int32_t, 256> byte_token_{};  // <0xXX> ids, unk when absent
};

class BpeEncoder {
 public:
  BpeEncoder(const Vocab& vocab, const TokenIndex& index, bool ignore_merges);
  // Appends the tokens of one pre-tokenized word (raw UTF-8; byte-encoded here).
  void encode_word(std::string_view word, std::vector<int32_t>& out) const;
  size_t n_merges_skipped() const { return n_merges_skipped_; }

 private:
  struct Merge {
    int32_t rank;
    int32_t result;  // token id of the joined text, -1 when not in the vocabulary
  };
  int32_t rank_of(int32_t left, int32_t right, std::string_view left_text, std::string_view right_text,
                  int32_t* result) const;
  // Open-addressing table (linear probing, at most half full) keyed by left id << 32 | right id:
  // the hot path of BPE, two probes per join, several times faster than std::unordered_map.
  struct Slot {
    uint64_t key = kEmptyKey;
    Merge merge{-1, -1};
  };
  static constexpr uint64_t kEmptyKey = ~0ull;
  void insert_merge(uint64_t key, Merge merge);
  const Merge* find_merge(uint64_t key) const;

  const Vocab& vocab_;
  const TokenIndex& index_;
  bool ignore_merges_;
  std::vector<Slot> slots_;  // [power of two]
  int shift_ = 64;           // 64 - log2(slots_.size())
  std::unordered_map<std::string, Merge> merges_by_text_;  // "left\x01right" when a side is no token
  std::array<int32_t, 256> byte_token_{};                  // token of each byte's mapped character
  size_t n_merges_skipped_ = 0;
};

class WpmEncoder {
 public:
  WpmEncoder(const Vocab& vocab, const TokenIndex& index);
  void encode(std::string_view text, std::vector<int32_t>& out) const;

 private:
  const Vocab& vocab_;
  const TokenIndex& index_;
  size_t max_token_len_ = 0;
};

}  // namespace lantern::engine::tok
