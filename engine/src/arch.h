// Architectures the engine can run, and how each reads its hyperparameters and weights.
//
// The one thing to know: an architecture is one file (arch_llama.cpp, arch_qwen2.cpp, ...) that
// registers an ArchLoader here; decoder-style ones load into the shared LayerWeights and run the
// shared block in forward.cpp, so adding qwen3 (Q/K norms) is a new file that sets two flags.
// Ones with a different block (deepseek2: MLA attention, mixture of experts) will add their own
// layer struct and forward function next to it.
#pragma once

#include <string>
#include <string_view>

#include "lantern/engine/model_params.h"
#include "model_weights.h"
#include "weight_loader.h"

namespace lantern::engine {

struct ArchLoader {
  std::string_view name;  // general.architecture
  // Loads every weight of w.layers etc. given w.hp (already read); errors name the tensor.
  Status (*load)(WeightLoader& loader, ModelWeights& w);
};

const ArchLoader* find_arch_loader(std::string_view name);
std::string supported_arch_names();  // "llama, qwen2"

// Reads the hyperparameters of `file` through read_model_params (model_params.h), refusing what
// the forward pass cannot run (yarn rope scaling, K and V head sizes that differ, ...);
// n_vocab comes from the token embedding's shape.
// `params` receives what read_model_params read (for ModelInfo).
Result<Hparams> read_hparams(const GgufFile& file, ModelParams& params);

// Which optional parts a decoder layer has.
struct DecoderParts {
  bool qkv_bias = false;  // attn_q.bias, attn_k.bias, attn_v.bias (required when set)
  bool qk_norm = false;   // attn_q_norm.weight, attn_k_norm.weight (required when set)
};
// The llama-style tensor set: token_embd, output_norm, output (or tied), rope_freqs (optional),
// blk.N.{attn_norm, attn_q, attn_k, attn_v, attn_output, ffn_norm, ffn_gate, ffn_up, ffn_down}.
Status load_decoder(WeightLoader& loader, ModelWeights& w, const DecoderParts& parts);

}  // namespace lantern::engine
