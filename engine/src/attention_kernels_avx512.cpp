// AVX-512 attention block kernels (q.k scores and the weighted V sum), used where kernels.cpp
// runs the AVX-512 level. With grouped-query attention every cached K or V element serves all
// query heads of its KV head (6 for Qwen2-1.5B), so each half is converted once and fed to one FMA
// per head; the cache rows are prefetched ahead (attention_tiling.h), without which decode
// waited on memory latency rather than on the arithmetic.
//
// The one thing to know: everything after avx512_begin.h (the last include) is compiled for
// AVX-512 and must keep internal linkage (templates only inside the anonymous namespace, no std::
// calls): see that header. Head sizes need not be multiples of 16; the last slice is masked.
#include <immintrin.h>

#include <cstdint>

#include "attention_kernels.h"

// Last include: everything below is compiled for AVX-512 (see avx512_begin.h).
#include "avx512_begin.h"
// Inside the region, so that its loops are compiled for AVX-512 and can inline the tiles below
// (a function of the default target cannot inline an AVX-512 one). Internal linkage only.
#include "attention_tiling.h"

namespace lantern::engine {
namespace {

inline __m512 load16(const float* p, __mmask16 m) { return _mm512_maskz_loadu_ps(m, p); }
inline __m512 load16(const uint16_t* p, __mmask16 m) { return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p)); }

// Elements [i, i + 16) of a row of n, as a load mask.
inline __mmask16 slice_mask(int32_t i, int32_t n) {
  const int32_t rest = n - i;
  if (rest >= 16) return 0xFFFF;
  return rest <= 0 ? 0 : static_cast<__mmask16>((1u << rest) - 1);
}

// The sums of a0..a3, in that order.
inline __m128 sum4(__m512 a0, __m512 a1, __m512 a2, __m512 a3) {
  // Per 128-bit lane: a0 and a1 folded to two partial sums each, interleaved; a2 and a3 alike.
  const __m512 b0 = _mm512_add_ps(_mm512_unpacklo_ps(a0, a1), _mm512_unpackhi_ps(a0, a1));
  const __m512 b1 = _mm512_add_ps(_mm512_unpacklo_ps(a2, a3), _mm512_unpackhi_ps(a2, a3));
  // Per lane: the four sums of that lane.
  const __m512 c = _mm512_add_ps(_mm512_shuffle_ps(b0, b1, _MM_SHUFFLE(1, 0, 1, 0)),
                                 _mm512_shuffle_ps(b0, b1, _MM_SHUFFLE(3, 2, 3, 2)));
  const __m256 d = _mm256_add_ps(_mm512_castps512_ps256(c), _mm512_extractf32x8_ps(c, 1));
  return _mm_add_ps(_mm256_castps256_ps128(d), _mm256_extractf128_ps(d, 1));
}

// H heads x J keys (J = 4 or 1): every converted key slice feeds H FMAs.
template <int H, int J, class K>
void dot_tile(const float* q, int32_t qs, const K* k, int64_t ks, int32_t n, float* out, int32_t os) {
  __m512 acc[H][J];
  #pragma GCC unroll 8
  for (int h = 0; h < H; ++h) {
    #pragma GCC unroll 8
    for (int j = 0; j < J; ++j) acc[h][j] = _mm512_setzero_ps();
  }
  for (int32_t i = 0; i < n; i += 16) {
    const __mmask16 m = slice_mask(i, n);
    __m512 kv[J];
    #pragma GCC unroll 8
    for (int j = 0; j < J; ++j) kv[j] = load16(k + j * ks + i, m);
    #pragma GCC unroll 8
    for (int h = 0; h < H; ++h) {
      const __m512 qv = _mm512_maskz_loadu_ps(m, q + h * qs + i);
      #pragma GCC unroll 8
      for (int j = 0; j < J; ++j) acc[h][j] = _mm512_fmadd_ps(qv, kv[j], acc[h][j]);
    }
  }
  #pragma GCC unroll 8
  for (int h = 0; h < H; ++h) {
    if constexpr (J == 4) {
      _mm_storeu_ps(out + h * os, sum4(acc[h][0], acc[h][1], acc[h][2], acc[h][3]));
    } else {
      #pragma GCC unroll 8
      for (int j = 0; j < J; ++j) out[h * os + j] = _mm512_reduce_add_ps(acc[h][j]);
    }
  }
}

template <int H, class K>
void dot_heads(const float* q, int32_t qs, const K* k, int64_t ks, int32_t n_keys, int32_t n, float* out, int32_t os) {
  for_key_tiles<4>(n_keys, n, [&](int32_t j) { return k + j * ks; },
                   [&]<int J>(int32_t j) { dot_tile<H, J>(q, qs, k + j * ks, ks, n, out + j, os); });
}

template <class K>
void dot_block(const float* q, int32_t qs, int32_t g, const K* k, int64_t ks, int32_t n_keys, int32_t n, float* out,
               int32_t os) {
  for_head_tiles(g, [&]<int H>(int32_t h) { dot_heads<H>(q + h * qs, qs, k, ks, n_keys, n, out + h * os, os); });
}

// H heads x elements [i0, i0 + 64) of the output: each key's value slices are converted once and
// feed H FMAs each.
template <int H, class V>
void axpy_tile(const float* w, int32_t ws, const V* v, int64_t vs, int32_t n_keys, float* out, int32_t os, int32_t i0,
               int32_t n) {
  constexpr int S = 4;
  __mmask16 m[S];
  #pragma GCC unroll 8
  for (int s = 0; s < S; ++s) m[s] = slice_mask(i0 + 16 * s, n);
  __m512 a[H][S];
  #pragma GCC unroll 8
  for (int h = 0; h < H; ++h) {
    #pragma GCC unroll 8
    for (int s = 0; s < S; ++s) a[h][s] = _mm512_maskz_loadu_ps(m[s], out + h * os + i0 + 16 * s);
  }
  for (int32_t j = 0; j < n_keys; ++j) {
    prefetch_row(v + (j + kRowsAhead) * vs + i0, n - i0 < 16 * S ? n - i0 : 16 * S);
    __m512 vv[S];
    #pragma GCC unroll 8
    for (int s = 0; s < S; ++s) vv[s] = load16(v + j * vs + i0 + 16 * s, m[s]);
    #pragma GCC unroll 8
    for (int h = 0; h < H; ++h) {
      const __m512 wv = _mm512_set1_ps(w[h * ws + j]);
      #pragma GCC unroll 8
      for (int s = 0; s < S; ++s) a[h][s] = _mm512_fmadd_ps(wv, vv[s], a[h][s]);
    }
  }
  #pragma GCC unroll 8
  for (int h = 0; h < H; ++h) {
    #pragma GCC unroll 8
    for (int s = 0; s < S; ++s) _mm512_mask_storeu_ps(out + h * os + i0 + 16 * s, m[s], a[h][s]);
  }
}

template <int H, class V>
void axpy_heads(const float* w, int32_t ws, const V* v, int64_t vs, int32_t n_keys, float* out, int32_t os,
                int32_t n) {
  for (int32_t i0 = 0; i0 < n; i0 += 64) axpy_tile<H>(w, ws, v, vs, n_keys, out, os, i0, n);
}

template <class V>
void axpy_block(const float* w, int32_t ws, int32_t g, const V* v, int64_t vs, int32_t n_keys, float* out, int32_t os,
                int32_t n) {
  for_head_tiles(g, [&]<int H>(int32_t h) { axpy_heads<H>(w + h * ws, ws, v, vs, n_keys, out + h * os, os, n); });
}

}  // namespace

void fill_attention_kernels_avx512(AttentionKernels* k) {
  k->dot_f32 = dot_block<float>;
  k->dot_f16 = dot_block<uint16_t>;
  k->axpy_f32 = axpy_block<float>;
  k->axpy_f16 = axpy_block<uint16_t>;
}

}  // namespace lantern::engine

#include "avx512_end.h"
