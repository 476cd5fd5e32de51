// Token sampling: turns one row of logits into the next token id.
//
// The chain, in order (the order Ollama uses, so its defaults mean the same here):
//   penalties over the last `repeat_last_n` tokens (repeat / frequency / presence)
//   -> temperature <= 0: greedy argmax, done
//   -> top-k -> softmax at `temperature` -> top-p -> min-p -> draw with the seeded RNG.
// The one thing to know: a Sampler owns only its RNG; the token history it penalizes is passed in
// by the caller (the session knows it), so a Sampler can be reused across turns and two samplers
// with the same seed and inputs pick the same tokens on every machine (the RNG is mt19937_64 and
// the uniform draw is computed here, not by <random>'s implementation-defined distributions).
// Not thread-safe: one Sampler per generating thread.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "lantern/status.h"

namespace lantern::engine {

// A seed value meaning "pick one from std::random_device" (runs differ).
constexpr uint64_t kRandomSeed = UINT64_MAX;

struct SamplerParams {
  float temperature = 0.8f;       // <= 0: greedy (argmax after penalties)
  int32_t top_k = 40;             // <= 0: no limit
  float top_p = 0.9f;             // >= 1: off
  float min_p = 0.0f;             // <= 0: off; keeps tokens with p >= min_p * p_max
  float repeat_penalty = 1.1f;    // 1: off; logit / r if positive, * r if negative
  int32_t repeat_last_n = 64;     // window of history the penalties look at; 0: off, -1: all
  float frequency_penalty = 0.0f; // subtracted count * f
  float presence_penalty = 0.0f;  // subtracted once if the token occurs
  uint64_t seed = kRandomSeed;
  std::vector<std::string> stop;  // stop strings (applied to the text by the generator)
};

// Checks ranges (negative temperature is fine: greedy); one-line error naming the field.
Status validate(const SamplerParams& params);

class Sampler {
 public:
  explicit Sampler(const SamplerParams& params);

  // Picks a token from `logits` ([n_vocab]); `history` is every token so far (prompt and
  // generated), oldest first. `logits` is not modified.
  int32_t sample(std::span<const float> logits, std::span<const int32_t> history);

  const SamplerParams& params() const { return params_; }
  uint64_t seed() const { return seed_; }  // the seed actually used (resolved kRandomSeed)

 private:
  // A uniform double in [0, 1) from the RNG, identical on every platform.
  double uniform();

  SamplerParams params_;
  uint64_t seed_;
  std::mt19937_64 rng_;
  // Scratch reused between calls: candidate ids and their logits/probabilities.
  std::vector<int32_t> ids_;    // [n_candidates]
  std::vector<float> values_;   // [n_vocab]
};

// Applies the repeat / frequency / presence penalties of `params` to `logits` in place, looking at
// the last repeat_last_n tokens of `history`. Exposed for tests.
void apply_penalties(const SamplerParams& params, std::span<float> logits, std::span<const int32_t> history);

// Index of the largest value (the first on ties); -1 for an empty span.
int32_t argmax(std::span<const float> values);

}  // namespace lantern::engine
