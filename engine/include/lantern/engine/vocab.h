// Vocab: the tokenizer metadata of a model (tokenizer.ggml.* in a GGUF file) as plain values.
//
// A Vocab is what a Tokenizer is built from. It can be read from a GgufFile or assembled in
// memory (tests, tools). The one thing to know before editing: a special id of -1 means "the
// model has none"; GGUF files sometimes store 0xFFFFFFFF for that, which from_gguf maps to -1.
// validate() is the single place that checks array lengths and id ranges; Tokenizer::from_vocab
// calls it, so an invalid Vocab never reaches the tokenizer algorithms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lantern/status.h"

namespace lantern::engine {

class GgufFile;

// tokenizer.ggml.token_type values, numbered as in GGUF files.
enum class TokenType : int32_t {
  kUndefined = 0,
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,      // BOS, EOS, <|im_end|>: never produced from plain text
  kUserDefined = 4,  // added tokens: always matched in text as a whole, never split
  kUnused = 5,
  kByte = 6,         // "<0x41>": byte fallback of SentencePiece vocabularies
};

// Which algorithm the vocabulary belongs to (tokenizer.ggml.model).
enum class VocabKind {
  kSpm,  // "llama": SentencePiece, score-driven merges with byte fallback
  kBpe,  // "gpt2": byte-level BPE with ranked merges and a regex pre-tokenizer
  kWpm,  // "bert": WordPiece
};

struct Vocab {
  VocabKind kind = VocabKind::kSpm;
  std::string model;          // tokenizer.ggml.model as stored ("llama", "gpt2", "bert")
  std::string pre;            // tokenizer.ggml.pre ("" when absent)
  std::string architecture;   // general.architecture (some token attributes depend on it)
  std::string name;           // general.name

  std::vector<std::string> tokens;  // [n_vocab] token text as stored (SPM: "▁the", BPE: "Ġthe")
  std::vector<float> scores;        // [n_vocab] or empty (SPM merge priorities)
  std::vector<TokenType> types;     // [n_vocab] or empty (then all kNormal)
  std::vector<std::string> merges;  // BPE: "left right", rank = index

  int32_t bos = -1;
  int32_t eos = -1;
  int32_t eot = -1;  // end of turn (<|eot_id|>, <|im_end|>); -1: looked up by text
  int32_t eom = -1;
  int32_t unk = -1;
  int32_t sep = -1;
  int32_t pad = -1;
  int32_t cls = -1;
  int32_t mask = -1;

  // Absent in the file -> the tokenizer applies the default of its kind (SPM: BOS yes, EOS no,
  // prefix space yes; BPE: no, no, no; WordPiece: [CLS] ... [SEP]).
  std::optional<bool> add_bos;
  std::optional<bool> add_eos;
  std::optional<bool> add_space_prefix;

  std::string chat_template;  // tokenizer.chat_template ("" when absent)

  int32_t n_vocab() const { return static_cast<int32_t>(tokens.size()); }
  TokenType type(int32_t id) const { return types.empty() ? TokenType::kNormal : types[static_cast<size_t>(id)]; }

  // Checks the invariants every tokenizer relies on: a known model, a non-empty token list of at
  // most 2^31-1 entries, scores/types either empty or n_vocab long, every special id -1 or in
  // [0, n_vocab), merges of the form "left right". Messages name the field and the value.
  Status validate() const;

  // Reads tokenizer.ggml.* (and general.architecture/name) from a GGUF file, then validates.
  // Errors name the key ("tokenizer.ggml.scores: 31999 entries, expected 32000 (n_vocab)").
  static Result<Vocab> from_gguf(const GgufFile& file);
};

}  // namespace lantern::engine
