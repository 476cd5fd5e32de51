// Builds small random-weight GGUF models of real architectures for engine tests, so the engine is
// covered without ../shared. The vocabulary is SentencePiece-style (<unk>, <s>, </s>, 256 byte
// tokens, then a few words), so tokenizer and generation tests can use the same files.
#pragma once

#include <cstdint>
#include <string>

#include "lantern/engine/tensor_type.h"
#include "lantern/status.h"

namespace lantern::engine::testing {

struct TinySpec {
  std::string arch = "llama";     // "llama", "qwen2" (adds Q/K/V biases) or "qwen3" (Q/K norms)
  int32_t n_embd = 64;
  int32_t n_layer = 2;
  int32_t n_head = 4;
  int32_t n_head_kv = 2;
  int32_t n_ff = 96;
  int32_t n_ctx = 128;
  TensorType type = TensorType::kF32;  // 2-D weights (norms and biases stay F32)
  bool tied = false;                   // no output.weight
  bool rope_freqs = false;             // add rope_freqs.weight
  float rope_freq_divisor = 1.0f;      // value of every rope_freqs entry past the first half
  uint32_t seed = 1;
  std::string omit_tensor;             // leave this tensor out
  std::string misshape_tensor;         // give this 2-D tensor one row too many
  std::string bad_type_tensor;         // store this tensor as I32 (a type with no kernels)
};

// Writes the model to `path`.
Status write_tiny_model(const std::string& path, const TinySpec& spec);

// Token ids of the tiny vocabulary: byte tokens are 3 + byte; words start at kFirstWord.
constexpr int32_t kTinyBos = 1;
constexpr int32_t kTinyEos = 2;
constexpr int32_t kFirstWord = 259;
constexpr int32_t kTinyVocab = 272;

}  // namespace lantern::engine::testing
