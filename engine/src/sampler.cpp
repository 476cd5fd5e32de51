// Sampler: penalties, greedy, top-k, temperature, top-p, min-p and the seeded draw.
// The one thing to know: candidates are kept sorted by logit (ties by lower id) after top-k, so
// top-p and min-p are prefix cuts and the draw is deterministic for a given seed.
#include "lantern/engine/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

namespace lantern::engine {

Status validate(const SamplerParams& p) {
  auto bad = [](const char* field, double value, const char* range) {
    return Status::invalid_argument(std::string("sampler: ") + field + " " + std::to_string(value) +
                                    " out of range " + range);
  };
  if (!std::isfinite(p.temperature)) return bad("temperature", p.temperature, "(finite)");
  if (!(p.top_p >= 0.0f && p.top_p <= 1.0f)) return bad("top_p", p.top_p, "[0, 1]");
  if (!(p.min_p >= 0.0f && p.min_p <= 1.0f)) return bad("min_p", p.min_p, "[0, 1]");
  if (!(p.repeat_penalty > 0.0f) || !std::isfinite(p.repeat_penalty)) {
    return bad("repeat_penalty", p.repeat_penalty, "(0, inf)");
  }
  if (p.repeat_last_n < -1) return bad("repeat_last_n", p.repeat_last_n, "[-1, inf)");
  if (!std::isfinite(p.frequency_penalty)) return bad("frequency_penalty", p.frequency_penalty, "(finite)");
  if (!std::isfinite(p.presence_penalty)) return bad("presence_penalty", p.presence_penalty, "(finite)");
  return ok_status();
}

int32_t argmax(std::span<const float> values) {
  if (values.empty()) return -1;
  size_t best = 0;
  for (size_t i = 1; i < values.size(); ++i) {
    if (values[i] > values[best]) best = i;
  }
  return static_cast<int32_t>(best);
}

void apply_penalties(const SamplerParams& p, std::span<float> logits, std::span<const int32_t> history) {
  const bool any = p.repeat_penalty != 1.0f || p.frequency_penalty != 0.0f || p.presence_penalty != 0.0f;
  if (!any || p.repeat_last_n == 0 || history.empty()) return;
  size_t window = p.repeat_last_n < 0 ? history.size()
                                      : std::min(history.size(), static_cast<size_t>(p.repeat_last_n));
  std::unordered_map<int32_t, int32_t> counts;
  for (size_t i = history.size() - window; i < history.size(); ++i) ++counts[history[i]];
  for (const auto& [token, count] : counts) {
    if (token < 0 || static_cast<size_t>(token) >= logits.size()) continue;
    float& l = logits[token];
    // Dividing a negative logit would raise it; multiplying lowers it (as llama.cpp and Ollama do).
    l = l > 0.0f ? l / p.repeat_penalty : l * p.repeat_penalty;
    l -= static_cast<float>(count) * p.frequency_penalty + p.presence_penalty;
  }
}

Sampler::Sampler(const SamplerParams& params) : params_(params) {
  seed_ = params.seed;
  if (seed_ == kRandomSeed) {
    std::random_device rd;
    seed_ = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    if (seed_ == kRandomSeed) seed_ = 0;
  }
  rng_.seed(seed_);
}

double Sampler::uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

int32_t Sampler::sample(std::span<const float> logits, std::span<const int32_t> history) {
  if (logits.empty()) return -1;
  values_.assign(logits.begin(), logits.end());
  apply_penalties(params_, values_, history);
  for (float& v : values_) {
    if (std::isnan(v)) v = -INFINITY;
  }
  if (params_.temperature <= 0.0f) return argmax(values_);

  const size_t n = values_.size();
  ids_.resize(n);
  std::iota(ids_.begin(), ids_.end(), 0);
  auto by_logit = [this](int32_t a, int32_t b) {
    return values_[a] > values_[b] || (values_[a] == values_[b] && a < b);
  };
  size_t k = params_.top_k > 0 ? std::min(n, static_cast<size_t>(params_.top_k)) : n;
  std::partial_sort(ids_.begin(), ids_.begin() + static_cast<ptrdiff_t>(k), ids_.end(), by_logit);
  ids_.resize(k);

  // Softmax at temperature over the candidates, in double so long tails do not lose mass.
  std::vector<double> probs(k);
  const double max_logit = values_[ids_[0]];
  if (!std::isfinite(max_logit)) return ids_[0];
  double sum = 0.0;
  for (size_t i = 0; i < k; ++i) {
    probs[i] = std::exp((static_cast<double>(values_[ids_[i]]) - max_logit) / params_.temperature);
    sum += probs[i];
  }
  for (double& p : probs) p /= sum;

  size_t keep = k;
  if (params_.top_p < 1.0f) {
    double cum = 0.0;
    for (size_t i = 0; i < k; ++i) {
      cum += probs[i];
      if (cum >= params_.top_p) {
        keep = i + 1;
        break;
      }
    }
  }
  if (params_.min_p > 0.0f) {
    const double floor = params_.min_p * probs[0];
    size_t i = 1;
    while (i < keep && probs[i] >= floor) ++i;
    keep = i;
  }

  double kept = 0.0;
  for (size_t i = 0; i < keep; ++i) kept += probs[i];
  double r = uniform() * kept;
  for (size_t i = 0; i < keep; ++i) {
    r -= probs[i];
    if (r < 0.0) return ids_[i];
  }
  return ids_[keep - 1];
}

}  // namespace lantern::engine
