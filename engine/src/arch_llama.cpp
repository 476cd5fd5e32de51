// Architecture `llama` (Llama 1-3, Mistral, DeepSeek-R1-Distill-Llama, deepseek-llm, ...):
// RoPE on adjacent pairs, optional rope_freqs divisors, separate or tied output, no biases.
#include "arch.h"

namespace lantern::engine {

Status load_llama(WeightLoader& loader, ModelWeights& w) { return load_decoder(loader, w, DecoderParts{}); }

}  // namespace lantern::engine
