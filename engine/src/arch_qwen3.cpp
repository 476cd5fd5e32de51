// Architecture `qwen3` (Qwen3 dense models): the llama block with RMSNorm on every query and key
// head (attn_q_norm / attn_k_norm, [head_dim]) before RoPE on split halves; no Q/K/V biases.
// The head size comes from attention.key_length and may differ from n_embd / n_head.
#include "arch.h"

namespace lantern::engine {

Status load_qwen3(WeightLoader& loader, ModelWeights& w) {
  DecoderParts parts;
  parts.qk_norm = true;
  return load_decoder(loader, w, parts);
}

}  // namespace lantern::engine
