// attend_head: blocked online-softmax attention over the float32 or float16 KV cache.
// Hot loop: the q.k dot products and the weighted V sum, O(n_kv * head_dim) per query head.
#include "attention.h"

#include <algorithm>
#include <cmath>

#include "attention_kernels.h"

namespace lantern::engine {
namespace {

constexpr int32_t kKeyBlock = 64;

struct F32Rows {
  const KvCache& c;
  const AttentionKernels& kern;
  const float* k(int32_t layer, int32_t pos) const { return c.k32(layer, pos); }
  const float* v(int32_t layer, int32_t pos) const { return c.v32(layer, pos); }
  float dot(const float* q, const float* k, int32_t n) const { return kern.dot_f32(q, k, n); }
  void axpy(float w, const float* v, float* out, int32_t n) const { kern.axpy_f32(w, v, out, n); }
};
struct F16Rows {
  const KvCache& c;
  const AttentionKernels& kern;
  const uint16_t* k(int32_t layer, int32_t pos) const { return c.k16(layer, pos); }
  const uint16_t* v(int32_t layer, int32_t pos) const { return c.v16(layer, pos); }
  float dot(const float* q, const uint16_t* k, int32_t n) const { return kern.dot_f16(q, k, n); }
  void axpy(float w, const uint16_t* v, float* out, int32_t n) const { kern.axpy_f16(w, v, out, n); }
};

template <class Rows>
void attend(const Rows& rows, int32_t layer, const AttentionShape& s, int32_t head, const float* q, int32_t n_kv,
            float* out) {
  const int32_t kv_head = head / (s.n_head / s.n_head_kv);
  const int32_t off = kv_head * s.head_dim;
  float scores[kKeyBlock];
  float running_max = -INFINITY;
  double running_sum = 0.0;
  std::fill(out, out + s.head_dim, 0.0f);
  for (int32_t start = 0; start < n_kv; start += kKeyBlock) {
    const int32_t n = std::min(kKeyBlock, n_kv - start);
    float block_max = -INFINITY;
    for (int32_t j = 0; j < n; ++j) {
      scores[j] = rows.dot(q, rows.k(layer, start + j) + off, s.head_dim) * s.scale;
      block_max = std::max(block_max, scores[j]);
    }
    // Rescale what was accumulated under the old max when the max grows.
    const float new_max = std::max(running_max, block_max);
    if (new_max > running_max && running_max != -INFINITY) {
      const float f = std::exp(running_max - new_max);
      for (int32_t d = 0; d < s.head_dim; ++d) out[d] *= f;
      running_sum *= f;
    }
    running_max = new_max;
    for (int32_t j = 0; j < n; ++j) {
      const float w = std::exp(scores[j] - running_max);
      running_sum += w;
      rows.axpy(w, rows.v(layer, start + j) + off, out, s.head_dim);
    }
  }
  if (running_sum > 0.0) {
    const float inv = static_cast<float>(1.0 / running_sum);
    for (int32_t d = 0; d < s.head_dim; ++d) out[d] *= inv;
  }
}

}  // namespace

void attend_head(const KvCache& cache, int32_t layer, const AttentionShape& shape, int32_t head, const float* q,
                 int32_t n_kv, float* out, const AttentionKernels& kernels) {
  if (cache.type() == KvType::kF32) {
    attend(F32Rows{cache, kernels}, layer, shape, head, q, n_kv, out);
  } else {
    attend(F16Rows{cache, kernels}, layer, shape, head, q, n_kv, out);
  }
}

}  // namespace lantern::engine
