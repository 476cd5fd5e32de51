// Architecture `qwen2` (Qwen2, Qwen2.5, DeepSeek-R1-Distill-Qwen): the llama block plus Q/K/V
// biases, RoPE on split halves ("neox"), usually tied embeddings (no output.weight).
#include "arch.h"

namespace lantern::engine {

Status load_qwen2(WeightLoader& loader, ModelWeights& w) {
  DecoderParts parts;
  parts.qkv_bias = true;
  return load_decoder(loader, w, parts);
}

}  // namespace lantern::engine
