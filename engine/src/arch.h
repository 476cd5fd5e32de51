// Architectures the engine can run, and how each reads its hyperparameters and weights.
//
// The one thing to know: an architecture is one file (arch_llama.cpp, arch_qwen2.cpp, ...) that
// registers an ArchSpec here; decoder-style ones load into the shared LayerWeights and run the
// shared block in forward.cpp, so adding qwen3 (Q/K norms) is a new file that sets two flags.
// Ones with a different block (deepseek2: MLA attention, mixture of experts) will add their own
// layer struct and forward function next to it.
#pragma once

#include <string>
#include <string_view>

#include "model_weights.h"
#include "weight_loader.h"

namespace lantern::engine {

struct ArchSpec {
  std::string_view name;  // general.architecture
  bool neox_rope;         // RoPE on split halves (qwen2) instead of adjacent pairs (llama)
  // Loads every weight of w.layers etc. given w.hp (already read); errors name the tensor.
  Status (*load)(WeightLoader& loader, ModelWeights& w);
};

const ArchSpec* find_arch(std::string_view name);
std::string supported_arch_names();  // "llama, qwen2"

// Reads the hyperparameters of `file` ({arch}.embedding_length, ...), checking ranges and
// consistency; n_vocab comes from the token embedding's shape.
Result<Hparams> read_hparams(const GgufFile& file);

// Which optional parts a decoder layer has.
struct DecoderParts {
  bool qkv_bias = false;  // attn_q.bias, attn_k.bias, attn_v.bias (required when set)
  bool qk_norm = false;   // attn_q_norm.weight, attn_k_norm.weight (required when set)
};
// The llama-style tensor set: token_embd, output_norm, output (or tied), rope_freqs (optional),
// blk.N.{attn_norm, attn_q, attn_k, attn_v, attn_output, ffn_norm, ffn_gate, ffn_up, ffn_down}.
Status load_decoder(WeightLoader& loader, ModelWeights& w, const DecoderParts& parts);

}  // namespace lantern::engine
