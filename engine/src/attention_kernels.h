// The inner loops of attention over KV-cache rows: q.k dot products and the weighted V sum, for
// float32 and float16 rows. AVX-512 (attention_kernels_avx512.cpp) or AVX2/F16C versions
// (attention_kernels_avx2.cpp) are used at the SIMD level kernels.cpp runs (LANTERN_NO_AVX512,
// LANTERN_NO_SIMD); the scalar ones are the reference.
//
// The one thing to know: each call serves g query heads that share one KV head (grouped-query
// attention) and a block of consecutive keys (cache rows `ks`/`vs` elements apart), so a K or V row
// is loaded and converted once for several heads, and the SIMD dot keeps one independent
// accumulator per (head, key) instead of one long dependency chain per key. n (the head size) may be any positive number; the SIMD versions handle
// the tail with scalar code, so results match the reference to float rounding, not bit for bit.
#pragma once

#include <cstdint>

namespace lantern::engine {

struct AttentionKernels {
  // Scores of g query heads against n_keys keys: out[h * os + j] = sum_i q[h * qs + i] * k[j * ks + i].
  void (*dot_f32)(const float* q, int32_t qs, int32_t g, const float* k, int64_t ks, int32_t n_keys, int32_t n,
                  float* out, int32_t os);
  void (*dot_f16)(const float* q, int32_t qs, int32_t g, const uint16_t* k, int64_t ks, int32_t n_keys, int32_t n,
                  float* out, int32_t os);
  // Weighted sum of n_keys value rows into g outputs: out[h * os + i] += sum_j w[h * ws + j] * v[j * vs + i].
  void (*axpy_f32)(const float* w, int32_t ws, int32_t g, const float* v, int64_t vs, int32_t n_keys, float* out,
                   int32_t os, int32_t n);
  void (*axpy_f16)(const float* w, int32_t ws, int32_t g, const uint16_t* v, int64_t vs, int32_t n_keys, float* out,
                   int32_t os, int32_t n);
  // Softmax weights in place: x[j] = exp(x[j] - shift) for j < n (x[j] <= shift); returns their sum.
  double (*exp_shift)(float* x, int32_t n, float shift);
};

const AttentionKernels& attention_kernels();       // the active set
const AttentionKernels& attention_kernels_scalar();
// The AVX2 set, or nullptr when this build or CPU has none.
const AttentionKernels* attention_kernels_avx2();
// The AVX-512 set (the AVX2 exp_shift, AVX-512 dot and axpy), or nullptr when the CPU lacks the
// AVX-512 level of kernels.cpp.
const AttentionKernels* attention_kernels_avx512();
// Sets the dot and axpy kernels of *k to the AVX-512 ones (attention_kernels_avx512.cpp). Call only
// on a CPU with the AVX-512 level.
void fill_attention_kernels_avx512(AttentionKernels* k);

}  // namespace lantern::engine
