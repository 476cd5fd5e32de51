// AVX-512 (F + BW + VL) versions of the two dot products that dominate decoding Q4_K_M models:
// Q4_K and Q6_K against Q8_K activations. Only reached through kernels.cpp after a runtime check
// for avx512f/avx512bw/avx512vl, and skipped when LANTERN_NO_AVX512 is set.
//
// The one thing to know: this file enables AVX-512 with a target pragma placed after every
// #include, and defines only internal-linkage functions below it, so no inline function from a
// header is ever emitted with AVX-512 instructions (the linker could otherwise pick that copy for
// callers on CPUs without AVX-512). Keep it that way: no templates, no std:: calls below the pragma.
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels.h"

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c,bmi2")
// GCC 12's AVX-512 intrinsic headers trip these on their own "undefined" helper values.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace lantern::engine::kernels {
namespace {

inline float h2f_512(uint16_t h) { return _cvtsh_ss(h); }

// Q4_K / Q5_K scale bytes -> 8 scales and 8 mins (same packing as unpack_k4_scales), as the bytes
// of two 64-bit words. Built in registers: writing the halves to memory and reading them back as
// one 64-bit word would stall on store forwarding (it did: half the kernel's time).
inline void k4_scales_512(const uint8_t* q, uint64_t* sc, uint64_t* mn) {
  uint32_t u[3];
  __builtin_memcpy(u, q, 12);
  const uint32_t sc_lo = u[0] & 0x3F3F3F3F;
  const uint32_t sc_hi = (u[2] & 0x0F0F0F0F) | (((u[0] >> 6) & 0x03030303) << 4);
  const uint32_t mn_lo = u[1] & 0x3F3F3F3F;
  const uint32_t mn_hi = ((u[2] >> 4) & 0x0F0F0F0F) | (((u[1] >> 6) & 0x03030303) << 4);
  *sc = sc_lo | static_cast<uint64_t>(sc_hi) << 32;
  *mn = mn_lo | static_cast<uint64_t>(mn_hi) << 32;
}

inline int hsum_i32_128(__m128i s) {
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

// A vector of 16-bit words whose four 128-bit lanes hold w0, w1, w2, w3 in every word.
inline __m512i lane_words(int w0, int w1, int w2, int w3) {
  auto pair = [](int w) { return static_cast<int>((static_cast<uint32_t>(w) & 0xFFFF) * 0x10001u); };
  const int a = pair(w0), b = pair(w1), c = pair(w2), d = pair(w3);
  return _mm512_set_epi32(d, d, d, d, c, c, c, c, b, b, b, b, a, a, a, a);
}
// Word-permutation indices: lanes (a, a, b, b), and lanes (a, a + 1, a + 2, a + 3).
inline __m512i lane_pairs(int a, int b) { return lane_words(a, a, b, b); }
inline __m512i lane_steps(int a) { return lane_words(a, a + 1, a + 2, a + 3); }

float q4_k_dot_512(int64_t n, const void* vw, const void* vx) {
  const BlockQ4_K* w = static_cast<const BlockQ4_K*>(vw);
  const BlockQ8_K* x = static_cast<const BlockQ8_K*>(vx);
  const __m512i low4 = _mm512_set1_epi8(0x0F);
  // Scale word indices for the four 64-element groups (sub-blocks 4k, 4k+1 | 4k+2, 4k+3).
  const __m512i idx[4] = {lane_pairs(0, 1), lane_pairs(2, 3), lane_pairs(4, 5), lane_pairs(6, 7)};
  __m512 acc = _mm512_setzero_ps();
  float acc_m = 0;
  // Hot loop: decode of a Q4_K_M model spends most of its time here.
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    // About one row ahead: the hardware prefetcher alone left the loads stalling (~25% more
    // work per CPU-second with this, DRAM-resident weights).
    _mm_prefetch(reinterpret_cast<const char*>(w + i + 6), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(w + i + 6) + 64, _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(w + i + 6) + 128, _MM_HINT_T0);
    uint64_t sc64, mn64;
    k4_scales_512(w[i].scales, &sc64, &mn64);
    const float dx = x[i].d;
    {
      const __m128i b0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[i].bsums));
      const __m128i b1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[i].bsums + 8));
      const __m128i pairs = _mm_hadd_epi16(b0, b1);
      const __m128i mins = _mm_cvtepu8_epi16(_mm_cvtsi64_si128(static_cast<int64_t>(mn64)));
      acc_m += dx * h2f_512(w[i].dmin) * static_cast<float>(hsum_i32_128(_mm_madd_epi16(mins, pairs)));
    }
    const __m512i sc16 = _mm512_zextsi128_si512(_mm_cvtepu8_epi16(_mm_cvtsi64_si128(static_cast<int64_t>(sc64))));
    __m512i sum = _mm512_setzero_si512();
    for (int k = 0; k < 2; ++k) {
      const __m512i q = _mm512_loadu_si512(w[i].qs + 64 * k);
      const __m512i lo = _mm512_and_si512(q, low4);
      const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(q, 4), low4);
      // Chunk 2k: low nibbles are elements 0..31, high nibbles 32..63 (of this 128); chunk 2k+1 next.
      const __m512i a = _mm512_shuffle_i64x2(lo, hi, 0x44);
      const __m512i b = _mm512_shuffle_i64x2(lo, hi, 0xEE);
      const __m512i pa = _mm512_maddubs_epi16(a, _mm512_loadu_si512(x[i].qs + 128 * k));
      const __m512i pb = _mm512_maddubs_epi16(b, _mm512_loadu_si512(x[i].qs + 128 * k + 64));
      sum = _mm512_add_epi32(sum, _mm512_madd_epi16(pa, _mm512_permutexvar_epi16(idx[2 * k], sc16)));
      sum = _mm512_add_epi32(sum, _mm512_madd_epi16(pb, _mm512_permutexvar_epi16(idx[2 * k + 1], sc16)));
    }
    acc = _mm512_fmadd_ps(_mm512_set1_ps(dx * h2f_512(w[i].d)), _mm512_cvtepi32_ps(sum), acc);
  }
  return _mm512_reduce_add_ps(acc) - acc_m;
}

float q6_k_dot_512(int64_t n, const void* vw, const void* vx) {
  const BlockQ6_K* w = static_cast<const BlockQ6_K*>(vw);
  const BlockQ8_K* x = static_cast<const BlockQ8_K*>(vx);
  const __m512i low4 = _mm512_set1_epi8(0x0F), m03 = _mm512_set1_epi8(0x03);
  // Per-256-bit-half shift counts of qh: elements 0..31 use bits 0-1, 32..63 bits 2-3 (first
  // vector), 64..95 bits 4-5, 96..127 bits 6-7 (second vector).
  const __m512i shift01 = lane_words(0, 0, 2, 2);
  const __m512i shift23 = lane_words(4, 4, 6, 6);
  const __m512i idx[4] = {lane_steps(0), lane_steps(4), lane_steps(8), lane_steps(12)};
  __m512 acc = _mm512_setzero_ps();
  // Hot loop: Q6_K holds the output matrix and part of ffn_down / attn_v in Q4_K_M files.
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    for (int line = 0; line < 256; line += 64) {
      _mm_prefetch(reinterpret_cast<const char*>(w + i + 4) + line, _MM_HINT_T0);
    }
    const __m256i sc16_256 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w[i].scales)));
    const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[i].bsums));
    const __m256i prod = _mm256_madd_epi16(sc16_256, bs);
    const int offset_sum =
        hsum_i32_128(_mm_add_epi32(_mm256_castsi256_si128(prod), _mm256_extracti128_si256(prod, 1))) * 32;
    const __m512i sc16 = _mm512_zextsi256_si512(sc16_256);
    __m512i sum = _mm512_setzero_si512();
    for (int half = 0; half < 2; ++half) {
      const __m512i l = _mm512_loadu_si512(w[i].ql + 64 * half);
      const __m512i h = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[i].qh + 32 * half)));
      const __m512i q01 = _mm512_or_si512(_mm512_and_si512(l, low4),
                                          _mm512_slli_epi16(_mm512_and_si512(_mm512_srlv_epi16(h, shift01), m03), 4));
      const __m512i q23 = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(l, 4), low4),
                                          _mm512_slli_epi16(_mm512_and_si512(_mm512_srlv_epi16(h, shift23), m03), 4));
      const int8_t* y = x[i].qs + 128 * half;
      const __m512i p01 = _mm512_maddubs_epi16(q01, _mm512_loadu_si512(y));
      const __m512i p23 = _mm512_maddubs_epi16(q23, _mm512_loadu_si512(y + 64));
      sum = _mm512_add_epi32(sum, _mm512_madd_epi16(p01, _mm512_permutexvar_epi16(idx[2 * half], sc16)));
      sum = _mm512_add_epi32(sum, _mm512_madd_epi16(p23, _mm512_permutexvar_epi16(idx[2 * half + 1], sc16)));
    }
    const float d = x[i].d * h2f_512(w[i].d);
    acc = _mm512_fmadd_ps(_mm512_set1_ps(d), _mm512_cvtepi32_ps(sum), acc);
    acc = _mm512_mask_add_ps(acc, 1, acc, _mm512_set1_ps(-d * static_cast<float>(offset_sum)));
  }
  return _mm512_reduce_add_ps(acc);
}

}  // namespace

void fill_avx512_table(TypeTraits* table) {
  table[static_cast<int>(TensorType::kQ4_K)].vec_dot = q4_k_dot_512;
  table[static_cast<int>(TensorType::kQ6_K)].vec_dot = q6_k_dot_512;
}

}  // namespace lantern::engine::kernels

#pragma GCC diagnostic pop
#pragma GCC pop_options
