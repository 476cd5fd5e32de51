// Tokenizer: text <-> token ids exactly as the model's family does it, plus streaming decode.
//
// Three algorithms, picked by tokenizer.ggml.model:
//   "llama"  SentencePiece-style: spaces become U+2581 "▁", a prefix space is added (unless
//            tokenizer.ggml.add_space_prefix says no), adjacent pieces merge by highest score,
//            anything not in the vocabulary falls back to <0xXX> byte tokens, else <unk>.
//   "gpt2"   byte-level BPE: the text is split by the regex set named by tokenizer.ggml.pre
//            (gpt-2, llama3/llama-bpe, qwen2/deepseek-r1-qwen, deepseek-llm, deepseek-coder,
//            deepseek-v3, falcon, starcoder, refact, mpt; "default" is gpt-2), every byte maps
//            to a printable code point, and ranked merges join them. An unknown pre falls back to
//            gpt-2 and is reported in warnings() (the library never prints).
//   "bert"   WordPiece: clean, split CJK characters and punctuation, lower-case, strip accents,
//            greedy longest match with continuation pieces; [UNK] for words that do not fit.
//
// Special tokens: control tokens (<s>, <|im_end|>) are recognised in text only when
// `parse_special` is set; user-defined tokens (added tokens) are always matched whole, as the
// reference tokenizers do. `add_special` adds BOS/EOS as tokenizer.ggml.add_bos_token /
// add_eos_token say (defaults per algorithm when absent).
//
// Decoding: token_piece() gives the bytes a token stands for; decode() joins them. Control tokens
// decode to nothing unless `render_special`. Pieces may end in the middle of a UTF-8 character
// (byte tokens, byte-level BPE); StreamDecoder holds such bytes back until the character is
// complete and turns invalid bytes into U+FFFD, so what it emits is always whole, valid UTF-8.
//
// Threading: a Tokenizer is immutable after construction; all const methods may run
// concurrently. A StreamDecoder is a small per-stream object (one per generation), not shared.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lantern/engine/vocab.h"
#include "lantern/status.h"

namespace lantern::engine {

class GgufFile;

// A byte range [begin, end) of a text.
struct TextSpan {
  size_t begin = 0;
  size_t end = 0;
};

class Tokenizer {
 public:
  // Validates `vocab` and builds the lookup tables (token map, merge ranks, regexes).
  static Result<std::unique_ptr<Tokenizer>> from_vocab(Vocab vocab);
  // Vocab::from_gguf + from_vocab; errors gain "tokenizer: " context.
  static Result<std::unique_ptr<Tokenizer>> from_gguf(const GgufFile& file);

  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // Token ids of `text`. add_special: BOS/EOS as the metadata says. parse_special: control
  // tokens written in the text ("<|im_start|>") become their ids instead of being spelled out.
  // Invalid UTF-8 in `text` is tokenized as U+FFFD (BPE) or byte tokens (SentencePiece).
  std::vector<int32_t> encode(std::string_view text, bool add_special, bool parse_special) const;
  // The same, except that no special token is recognised where it overlaps one of `literal`
  // (sorted, non-overlapping): there the text stays text. For prompts whose scaffolding holds
  // special tokens but whose message contents (user input, retrieved documents) must not inject
  // any; ChatTemplate::encode uses it. Ids are those of encode() whenever the literal spans hold
  // no special-token text.
  std::vector<int32_t> encode(std::string_view text, bool add_special, bool parse_special,
                              const std::vector<TextSpan>& literal) const;

  // Concatenated pieces of `ids`, with the prefix space the tokenizer added removed. Control
  // tokens are skipped unless render_special. Ids out of range are skipped. Invalid UTF-8 that
  // results (a cut-off byte sequence) becomes U+FFFD.
  std::string decode(const std::vector<int32_t>& ids, bool render_special = false) const;

  // The bytes token `id` stands for: "▁the" -> " the", "<0x0A>" -> "\n", "Ġthe" -> " the".
  // May be a partial UTF-8 character. Control tokens give their text ("<s>"). "" if out of range.
  std::string token_piece(int32_t id) const;
  // The vocabulary string as stored ("▁the", "Ġthe", "<0x0A>"). "" if out of range.
  const std::string& token_text(int32_t id) const;
  // The id whose vocabulary string is exactly `text`, or -1.
  int32_t find_token(std::string_view text) const;
  TokenType token_type(int32_t id) const;

  int32_t n_vocab() const;
  int32_t bos() const;  // -1 when the model has none
  int32_t eos() const;
  int32_t eot() const;  // end of turn (<|eot_id|>, <|im_end|>, <|end|>, ...), -1 when none
  int32_t unk() const;
  bool add_bos() const;
  bool add_eos() const;
  // EOS, EOT, EOM, and control tokens that end a turn in known templates.
  bool is_end_of_generation(int32_t id) const;
  bool is_control(int32_t id) const;

  VocabKind kind() const;
  const Vocab& vocab() const;
  // The pre-tokenizer in use ("gpt-2", "llama3", ...; "" for SentencePiece and WordPiece).
  const std::string& pre_tokenizer() const;
  // Non-fatal problems found while building ("unknown tokenizer.ggml.pre 'x': using gpt-2").
  const std::vector<std::string>& warnings() const;

  struct Impl;

 private:
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Accumulates bytes and releases only complete, valid UTF-8. Invalid sequences become U+FFFD
// (one per maximal invalid subpart, as Unicode recommends). Independent of any tokenizer.
class Utf8Assembler {
 public:
  // Appends `bytes`; returns every complete character now available.
  std::string push(std::string_view bytes);
  // Ends the stream: a held-back incomplete sequence becomes U+FFFD.
  std::string flush();
  bool has_pending() const { return !pending_.empty(); }

 private:
  std::string pending_;  // an incomplete but so far valid sequence, at most 3 bytes
};

// Streaming detokenizer for generation: push() each new token, print what it returns.
//
//   StreamDecoder dec(tokenizer);
//   for (id : generated) std::cout << dec.push(id);
//   std::cout << dec.flush();
//
// The concatenation of everything returned equals decode(ids) (for the same render_special).
class StreamDecoder {
 public:
  // strip_leading_space: drop one space at the start of the stream (SentencePiece output right
  // after a prompt); off by default.
  explicit StreamDecoder(const Tokenizer& tokenizer, bool render_special = false, bool strip_leading_space = false);
  std::string push(int32_t id);
  std::string flush();
  void reset();

 private:
  const Tokenizer* tokenizer_;
  bool render_special_;
  bool strip_leading_space_;
  bool at_start_ = true;
  Utf8Assembler utf8_;
};

}  // namespace lantern::engine
