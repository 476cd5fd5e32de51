// attend_head: blocked online-softmax attention over the float32 or float16 KV cache.
// Hot loop: the q.k dot products and the weighted V sum, O(n_kv * head_dim) per query head; the
// query heads of one KV head go together, so each cache row is read and converted once for them.
#include "attention.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "attention_kernels.h"

namespace lantern::engine {
namespace {

constexpr int32_t kKeyBlock = 64;
constexpr int32_t kMaxGroup = 8;  // query heads per call (scores live on the stack)

// The cache rows of one element type (float or uint16_t half) and the kernels for them.
template <class T>
struct Rows {
  const KvCache& c;
  const AttentionKernels& kern;
  static constexpr bool kF32 = std::is_same_v<T, float>;
  const T* k(int32_t layer, int32_t head, int32_t pos) const {
    if constexpr (kF32) {
      return c.k32(layer, head, pos);
    } else {
      return c.k16(layer, head, pos);
    }
  }
  const T* v(int32_t layer, int32_t head, int32_t pos) const {
    if constexpr (kF32) {
      return c.v32(layer, head, pos);
    } else {
      return c.v16(layer, head, pos);
    }
  }
  // Scores of g heads against n_keys consecutive keys, and the weighted sum of their values.
  void dot(const float* q, int32_t qs, int32_t g, const T* k, int32_t n_keys, int32_t n, float* out, int32_t os) const {
    if constexpr (kF32) {
      kern.dot_f32(q, qs, g, k, c.head_dim(), n_keys, n, out, os);
    } else {
      kern.dot_f16(q, qs, g, k, c.head_dim(), n_keys, n, out, os);
    }
  }
  void axpy(const float* w, int32_t ws, int32_t g, const T* v, int32_t n_keys, float* out, int32_t os, int32_t n) const {
    if constexpr (kF32) {
      kern.axpy_f32(w, ws, g, v, c.head_dim(), n_keys, out, os, n);
    } else {
      kern.axpy_f16(w, ws, g, v, c.head_dim(), n_keys, out, os, n);
    }
  }
};

// Query heads [head0, head0 + g) of one token, all reading the same KV head, over keys
// [key_begin, key_end); q, out: [g][head_dim]. Leaves out unnormalized (sum of exp(score - max) *
// value) with each head's max and sum of weights, for normalize() or merge_partials().
template <class T>
void attend(const Rows<T>& rows, int32_t layer, const AttentionShape& s, int32_t head0, int32_t g, const float* q,
            int32_t key_begin, int32_t key_end, float* out, float* running_max, double* running_sum) {
  const int32_t d = s.head_dim;
  const int32_t kv_head = head0 / (s.n_head / s.n_head_kv);
  float scores[kMaxGroup][kKeyBlock];  // [head][key]; turned into softmax weights in place
  for (int32_t h = 0; h < g; ++h) {
    running_max[h] = -INFINITY;
    running_sum[h] = 0.0;
  }
  std::fill(out, out + static_cast<size_t>(g) * d, 0.0f);
  for (int32_t start = key_begin; start < key_end; start += kKeyBlock) {
    const int32_t n = std::min(kKeyBlock, key_end - start);
    rows.dot(q, d, g, rows.k(layer, kv_head, start), n, d, &scores[0][0], kKeyBlock);
    for (int32_t h = 0; h < g; ++h) {
      float* sc = scores[h];
      float block_max = -INFINITY;
      for (int32_t j = 0; j < n; ++j) block_max = std::max(block_max, sc[j] *= s.scale);
      // Rescale what was accumulated under the old max when the max grows.
      const float new_max = std::max(running_max[h], block_max);
      if (new_max > running_max[h] && running_max[h] != -INFINITY) {
        const float f = std::exp(running_max[h] - new_max);
        for (int32_t i = 0; i < d; ++i) out[h * d + i] *= f;
        running_sum[h] *= f;
      }
      running_max[h] = new_max;
      running_sum[h] += rows.kern.exp_shift(sc, n, new_max);
    }
    rows.axpy(&scores[0][0], kKeyBlock, g, rows.v(layer, kv_head, start), n, out, d, d);
  }
}

// Runs attend() over heads [head0, head0 + n_heads) in groups that share a KV head (at most
// kMaxGroup at once); max, sum: [n_heads].
void attend_range(const KvCache& cache, int32_t layer, const AttentionShape& shape, int32_t head0, int32_t n_heads,
                  const float* q, int32_t key_begin, int32_t key_end, float* out, float* max, double* sum,
                  const AttentionKernels& kernels) {
  const int32_t per_kv = shape.n_head / shape.n_head_kv;
  for (int32_t h = head0; h < head0 + n_heads;) {
    const int32_t kv_end = (h / per_kv + 1) * per_kv;
    const int32_t g = std::min({kMaxGroup, head0 + n_heads - h, kv_end - h});
    const size_t o = static_cast<size_t>(h - head0) * shape.head_dim;
    if (cache.type() == KvType::kF32) {
      attend(Rows<float>{cache, kernels}, layer, shape, h, g, q + o, key_begin, key_end, out + o, max + (h - head0),
             sum + (h - head0));
    } else {
      attend(Rows<uint16_t>{cache, kernels}, layer, shape, h, g, q + o, key_begin, key_end, out + o,
             max + (h - head0), sum + (h - head0));
    }
    h += g;
  }
}

}  // namespace

void attend_heads(const KvCache& cache, int32_t layer, const AttentionShape& shape, int32_t head0, int32_t n_heads,
                  const float* q, int32_t n_kv, float* out, const AttentionKernels& kernels) {
  constexpr int32_t kStackHeads = 64;
  float max[kStackHeads];
  double sum[kStackHeads];
  for (int32_t h = 0; h < n_heads; h += kStackHeads) {
    const int32_t nh = std::min(kStackHeads, n_heads - h);
    const size_t o = static_cast<size_t>(h) * shape.head_dim;
    attend_range(cache, layer, shape, head0 + h, nh, q + o, 0, n_kv, out + o, max, sum, kernels);
    for (int32_t k = 0; k < nh; ++k) {
      if (sum[k] <= 0.0) continue;
      const float inv = static_cast<float>(1.0 / sum[k]);
      for (int32_t i = 0; i < shape.head_dim; ++i) out[o + static_cast<size_t>(k) * shape.head_dim + i] *= inv;
    }
  }
}

void attend_heads_partial(const KvCache& cache, int32_t layer, const AttentionShape& shape, int32_t head0,
                          int32_t n_heads, const float* q, int32_t key_begin, int32_t key_end, AttentionPartial part,
                          const AttentionKernels& kernels) {
  attend_range(cache, layer, shape, head0, n_heads, q, key_begin, key_end, part.out, part.max, part.sum, kernels);
}

void merge_partials(const AttentionPartial* parts, int32_t n_parts, int32_t n_heads, int32_t head_dim, float* out) {
  for (int32_t h = 0; h < n_heads; ++h) {
    float m = -INFINITY;
    for (int32_t p = 0; p < n_parts; ++p) m = std::max(m, parts[p].max[h]);
    double total = 0.0;
    float* o = out + static_cast<size_t>(h) * head_dim;
    std::fill(o, o + head_dim, 0.0f);
    for (int32_t p = 0; p < n_parts; ++p) {
      if (parts[p].sum[h] <= 0.0) continue;  // an empty key range
      const float f = std::exp(parts[p].max[h] - m);
      total += parts[p].sum[h] * f;
      const float* po = parts[p].out + static_cast<size_t>(h) * head_dim;
      for (int32_t i = 0; i < head_dim; ++i) o[i] += f * po[i];
    }
    if (total > 0.0) {
      const float inv = static_cast<float>(1.0 / total);
      for (int32_t i = 0; i < head_dim; ++i) o[i] *= inv;
    }
  }
}

void attend_head(const KvCache& cache, int32_t layer, const AttentionShape& shape, int32_t head, const float* q,
                 int32_t n_kv, float* out, const AttentionKernels& kernels) {
  attend_heads(cache, layer, shape, head, 1, q, n_kv, out, kernels);
}

}  // namespace lantern::engine
