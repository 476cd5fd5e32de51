// Causal grouped-query attention of one query head against the KV cache, with online softmax.
//
// The one thing to know: scores are never materialized for the whole context: keys are visited in
// blocks of kKeyBlock, keeping a running max and sum (the "online softmax"), so memory is
// O(head_dim) per query head whatever the prompt length, and batched prompts and single-token
// decoding run exactly this code. Query head h reads KV head h / (n_head / n_head_kv).
#pragma once

#include <cstdint>

#include "attention_kernels.h"
#include "kv_cache.h"

namespace lantern::engine {

struct AttentionShape {
  int32_t n_head = 0;     // query heads
  int32_t n_head_kv = 0;  // key/value heads (divides n_head)
  int32_t head_dim = 0;
  float scale = 1.0f;     // applied to q.k, normally 1/sqrt(head_dim)
};

// out = softmax(scale * q . K[0..n_kv)) . V[0..n_kv) for query head `head` of one token.
// q: [head_dim] (already rotated); out: [head_dim]. Reads cache rows [0, n_kv) of `layer`.
// `kernels`: the inner loops (attention_kernels(): AVX2 where available; tests pass the scalar set).
void attend_head(const KvCache& cache, int32_t layer, const AttentionShape& shape, int32_t head,
                 const float* q, int32_t n_kv, float* out, const AttentionKernels& kernels = attention_kernels());
// The same for query heads [head0, head0 + n_heads) of one token at once (any range; heads that
// share a KV head are computed together). q, out: [n_heads][head_dim].
void attend_heads(const KvCache& cache, int32_t layer, const AttentionShape& shape, int32_t head0, int32_t n_heads,
                  const float* q, int32_t n_kv, float* out, const AttentionKernels& kernels = attention_kernels());

// Split-key attention for decoding, where one token has too few heads to keep every thread busy
// with whole KV groups: each thread takes all heads of a KV head over part of the keys, and the
// parts are merged ("flash decoding").
struct AttentionPartial {
  float* out;   // [n_heads][head_dim]: sum over the part's keys of exp(score - max) * value
  float* max;   // [n_heads]: the part's largest score
  double* sum;  // [n_heads]: sum of exp(score - max); 0 for an empty part
};
// Heads [head0, head0 + n_heads) of one token over keys [key_begin, key_end) into `part`.
void attend_heads_partial(const KvCache& cache, int32_t layer, const AttentionShape& shape, int32_t head0,
                          int32_t n_heads, const float* q, int32_t key_begin, int32_t key_end, AttentionPartial part,
                          const AttentionKernels& kernels = attention_kernels());
// out [n_heads][head_dim] = the attention over the union of the parts' key ranges.
void merge_partials(const AttentionPartial* parts, int32_t n_parts, int32_t n_heads, int32_t head_dim, float* out);

}  // namespace lantern::engine
