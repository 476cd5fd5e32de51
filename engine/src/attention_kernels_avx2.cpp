// AVX2 + FMA + F16C attention kernels (compiled with -mavx2 -mfma -mf16c; called only after the
// runtime CPU check in attention_kernels.cpp). Hot loop for long contexts: scores and
// weighted V sums over blocks of keys for the query heads of one KV head.
#include <immintrin.h>

#include <cmath>

#include "attention_kernels.h"
#include "attention_tiling.h"
#include "exp_avx2.h"

namespace lantern::engine {
namespace {

float hsum(__m256 v) {
  __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
  lo = _mm_add_ps(lo, hi);
  lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
  lo = _mm_add_ss(lo, _mm_shuffle_ps(lo, lo, 1));
  return _mm_cvtss_f32(lo);
}


__m256 load8(const float* p) { return _mm256_loadu_ps(p); }
__m256 load8(const uint16_t* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
float load1(const float* p) { return *p; }
float load1(const uint16_t* p) { return _cvtsh_ss(*p); }

// H heads x J keys: J converted key chunks feed H x J independent accumulators.
template <int H, int J, class K>
void dot_tile(const float* q, int32_t qs, const K* k, int64_t ks, int32_t n, float* out, int32_t os) {
  __m256 acc[H][J];
  #pragma GCC unroll 8
  for (int h = 0; h < H; ++h) {
    #pragma GCC unroll 8
    for (int j = 0; j < J; ++j) acc[h][j] = _mm256_setzero_ps();
  }
  int32_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 kv[J];
    #pragma GCC unroll 8
    for (int j = 0; j < J; ++j) kv[j] = load8(k + j * ks + i);
    #pragma GCC unroll 8
    for (int h = 0; h < H; ++h) {
      const __m256 qv = _mm256_loadu_ps(q + h * qs + i);
      #pragma GCC unroll 8
      for (int j = 0; j < J; ++j) acc[h][j] = _mm256_fmadd_ps(qv, kv[j], acc[h][j]);
    }
  }
  #pragma GCC unroll 8
  for (int h = 0; h < H; ++h) {
    #pragma GCC unroll 8
    for (int j = 0; j < J; ++j) {
      float s = hsum(acc[h][j]);
      for (int32_t t = i; t < n; ++t) s += q[h * qs + t] * load1(k + j * ks + t);
      out[h * os + j] = s;
    }
  }
}

// Tiles of 4 keys for up to 2 heads, of 2 keys for more (the 16 registers: H x J accumulators,
// J keys and a query).
template <int H, class K>
void dot_heads(const float* q, int32_t qs, const K* k, int64_t ks, int32_t n_keys, int32_t n, float* out, int32_t os) {
  for_key_tiles<(H <= 2 ? 4 : 2)>(n_keys, n, [&](int32_t j) { return k + j * ks; },
                                  [&]<int J>(int32_t j) { dot_tile<H, J>(q, qs, k + j * ks, ks, n, out + j, os); });
}

template <class K>
void dot_block(const float* q, int32_t qs, int32_t g, const K* k, int64_t ks, int32_t n_keys, int32_t n, float* out,
               int32_t os) {
  for_head_tiles(g, [&]<int H>(int32_t h) { dot_heads<H>(q + h * qs, qs, k, ks, n_keys, n, out + h * os, os); });
}

// HN heads, 16 output elements at a time: 2 * HN independent accumulation chains over the keys.
template <int HN, class V>
void axpy_heads(const float* w, int32_t ws, const V* v, int64_t vs, int32_t n_keys, float* out, int32_t os,
                int32_t n) {
  int32_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256 a[HN][2];
    #pragma GCC unroll 8
    for (int h = 0; h < HN; ++h) {
      a[h][0] = _mm256_loadu_ps(out + h * os + i);
      a[h][1] = _mm256_loadu_ps(out + h * os + i + 8);
    }
    for (int32_t j = 0; j < n_keys; ++j) {
      if ((i * sizeof(V)) % 64 == 0) _mm_prefetch(reinterpret_cast<const char*>(v + (j + kRowsAhead) * vs + i), _MM_HINT_T0);
      const __m256 v0 = load8(v + j * vs + i), v1 = load8(v + j * vs + i + 8);
      #pragma GCC unroll 8
      for (int h = 0; h < HN; ++h) {
        const __m256 wv = _mm256_broadcast_ss(w + h * ws + j);
        a[h][0] = _mm256_fmadd_ps(wv, v0, a[h][0]);
        a[h][1] = _mm256_fmadd_ps(wv, v1, a[h][1]);
      }
    }
    #pragma GCC unroll 8
    for (int h = 0; h < HN; ++h) {
      _mm256_storeu_ps(out + h * os + i, a[h][0]);
      _mm256_storeu_ps(out + h * os + i + 8, a[h][1]);
    }
  }
  for (; i < n; ++i) {
    for (int h = 0; h < HN; ++h) {
      float s = out[h * os + i];
      for (int32_t j = 0; j < n_keys; ++j) s += w[h * ws + j] * load1(v + j * vs + i);
      out[h * os + i] = s;
    }
  }
}

template <class V>
void axpy_block(const float* w, int32_t ws, int32_t g, const V* v, int64_t vs, int32_t n_keys, float* out, int32_t os,
                int32_t n) {
  for_head_tiles(g, [&]<int H>(int32_t h) { axpy_heads<H>(w + h * ws, ws, v, vs, n_keys, out + h * os, os, n); });
}

double exp_shift(float* x, int32_t n, float shift) {
  const __m256 s = _mm256_set1_ps(shift);
  __m256 acc = _mm256_setzero_ps();
  int32_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const __m256 e = exp_nonpositive(_mm256_sub_ps(_mm256_loadu_ps(x + j), s));
    _mm256_storeu_ps(x + j, e);
    acc = _mm256_add_ps(acc, e);
  }
  double sum = hsum(acc);
  for (; j < n; ++j) sum += (x[j] = std::exp(x[j] - shift));
  return sum;
}

}  // namespace

const AttentionKernels* attention_kernels_avx2() {
  static const AttentionKernels k{dot_block<float>, dot_block<uint16_t>, axpy_block<float>, axpy_block<uint16_t>,
                                  exp_shift};
  return &k;
}

}  // namespace lantern::engine
