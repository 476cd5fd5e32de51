// AVX2 / FMA / F16C kernels. Compiled with -mavx2 -mfma -mf16c (CMake does this for *_avx2.cpp);
// only reached through kernels.cpp after a runtime CPU check.
//
// The one thing to know: each function here must return what its scalar twin in quant_*.cpp
// returns up to float rounding; tests/engine/quant_test.cpp runs both on random blocks. Decode is
// memory bound only if these keep up with ~10 GB/s per core: a Q4_K block (144 bytes) has a budget
// of roughly 35 cycles, so the inner loops avoid anything per element that is not a vector op.
#include <immintrin.h>

#include <cmath>
#include <cstring>
#include <type_traits>

#include "kernels.h"
#include "kernels_x86.h"
#include "packed_rows.h"

namespace lantern::engine::kernels {
namespace {

inline float h2f(uint16_t h) { return _cvtsh_ss(h); }

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline int hsum_i32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

// ---- activation quantizers ---------------------------------------------------------------------

inline __m256 abs_ps(__m256 v) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v); }

inline float hmax(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

// Rounds 32 floats (times id) to int8, in element order.
inline __m256i round_pack_32(const float* x, __m256 id) {
  __m256i i0 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x), id));
  __m256i i1 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 8), id));
  __m256i i2 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 16), id));
  __m256i i3 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 24), id));
  // packs work per 128-bit lane; the permute restores element order.
  __m256i p01 = _mm256_packs_epi32(i0, i1);
  __m256i p23 = _mm256_packs_epi32(i2, i3);
  __m256i p = _mm256_packs_epi16(p01, p23);
  return _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

void q8_0_from_float(const float* src, void* dst, int64_t n) {
  BlockQ8_0* b = static_cast<BlockQ8_0*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    __m256 m = abs_ps(_mm256_loadu_ps(src));
    for (int j = 8; j < 32; j += 8) m = _mm256_max_ps(m, abs_ps(_mm256_loadu_ps(src + j)));
    const float amax = hmax(m);
    const float d = amax / 127.0f;
    const float id = amax != 0 ? 127.0f / amax : 0.0f;
    b[i].d = fp32_to_fp16(d);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(b[i].qs), round_pack_32(src, _mm256_set1_ps(id)));
  }
}

void q8_k_from_float(const float* src, void* dst, int64_t n) {
  BlockQ8_K* b = static_cast<BlockQ8_K*>(dst);
  for (int64_t i = 0; i < n / kQK_K; ++i, src += kQK_K) {
    __m256 m = abs_ps(_mm256_loadu_ps(src));
    for (int j = 8; j < 256; j += 8) m = _mm256_max_ps(m, abs_ps(_mm256_loadu_ps(src + j)));
    const float amax = hmax(m);
    b[i].d = amax / 127.0f;
    const __m256 id = _mm256_set1_ps(amax != 0 ? 127.0f / amax : 0.0f);
    for (int j = 0; j < 8; ++j) {
      const __m256i q = round_pack_32(src + 32 * j, id);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(b[i].qs + 32 * j), q);
      // bsums of the two 16-element groups: widen and add horizontally.
      const __m256i w = _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm256_castsi256_si128(q)), _mm256_set1_epi16(1));
      const __m256i w2 = _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm256_extracti128_si256(q, 1)), _mm256_set1_epi16(1));
      b[i].bsums[2 * j] = static_cast<int16_t>(hsum_i32(w));
      b[i].bsums[2 * j + 1] = static_cast<int16_t>(hsum_i32(w2));
    }
  }
}

// ---- legacy dots (activations Q8_0) ------------------------------------------------------------

float q8_0_dot(int64_t n, const void* vw, const void* vx) {
  const BlockQ8_0* w = static_cast<const BlockQ8_0*>(vw);
  const BlockQ8_0* x = static_cast<const BlockQ8_0*>(vx);
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  const int64_t nb = n / kQK;
  int64_t i = 0;
  for (; i + 2 <= nb; i += 2) {
    prefetch_ahead(w + i, 1);  // 68 bytes per step: about one line each
    const __m256i p0 = dot_i8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[i].qs)),
                              _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[i].qs)));
    const __m256i p1 = dot_i8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[i + 1].qs)),
                              _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[i + 1].qs)));
    acc0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), _mm256_cvtepi32_ps(p0), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i + 1].d) * h2f(x[i + 1].d)), _mm256_cvtepi32_ps(p1), acc1);
  }
  for (; i < nb; ++i) {
    const __m256i p = dot_i8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[i].qs)),
                             _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[i].qs)));
    acc0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), _mm256_cvtepi32_ps(p), acc0);
  }
  return hsum(_mm256_add_ps(acc0, acc1));
}

// 16 bytes of nibbles -> 32 bytes: low nibbles (elements 0..15) then high nibbles (16..31).
inline __m256i unpack_nibbles(const uint8_t* qs) {
  const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
  const __m256i both = _mm256_set_m128i(_mm_srli_epi16(q, 4), q);
  return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

float q4_0_dot(int64_t n, const void* vw, const void* vx) {
  const BlockQ4_0* w = static_cast<const BlockQ4_0*>(vw);
  const BlockQ8_0* x = static_cast<const BlockQ8_0*>(vx);
  __m256 acc = _mm256_setzero_ps();
  const __m256i eight = _mm256_set1_epi8(8);
  for (int64_t i = 0; i < n / kQK; ++i) {
    const __m256i q = _mm256_sub_epi8(unpack_nibbles(w[i].qs), eight);
    const __m256i p = dot_i8(q, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[i].qs)));
    acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), _mm256_cvtepi32_ps(p), acc);
  }
  return hsum(acc);
}

// Sum of the 32 int8 activations of a block (for the "+ m" term of Q4_1 / Q5_1).
inline int sum_i8(__m256i y) {
  return hsum_i32(_mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), y), _mm256_set1_epi16(1)));
}

float q4_1_dot(int64_t n, const void* vw, const void* vx) {
  const BlockQ4_1* w = static_cast<const BlockQ4_1*>(vw);
  const BlockQ8_0* x = static_cast<const BlockQ8_0*>(vx);
  __m256 acc = _mm256_setzero_ps();
  float acc_m = 0;
  for (int64_t i = 0; i < n / kQK; ++i) {
    const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[i].qs));
    const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(unpack_nibbles(w[i].qs), y), _mm256_set1_epi16(1));
    const float dx = h2f(x[i].d);
    acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * dx), _mm256_cvtepi32_ps(p), acc);
    acc_m += h2f(w[i].m) * dx * static_cast<float>(sum_i8(y));
  }
  return hsum(acc) + acc_m;
}

// The 32 fifth bits of a Q5 block as 0x10 bytes (element order).
inline __m256i q5_high_bits(const uint8_t* qh) {
  uint32_t bits;
  std::memcpy(&bits, qh, 4);
  // Byte j takes bit j: broadcast the 4 bytes, pick byte j / 8, then test bit j % 8.
  const __m256i shuf = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3,
                                        3, 3, 3, 3, 3, 3);
  const __m256i bytes = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(bits)), shuf);
  const __m256i mask = _mm256_set1_epi64x(0x8040201008040201LL);
  const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(bytes, mask), mask);
  return _mm256_and_si256(set, _mm256_set1_epi8(0x10));
}

float q5_0_dot(int64_t n, const void* vw, const void* vx) {
  const BlockQ5_0* w = static_cast<const BlockQ5_0*>(vw);
  const BlockQ8_0* x = static_cast<const BlockQ8_0*>(vx);
  __m256 acc = _mm256_setzero_ps();
  const __m256i sixteen = _mm256_set1_epi8(16);
  for (int64_t i = 0; i < n / kQK; ++i) {
    const __m256i q = _mm256_sub_epi8(_mm256_or_si256(unpack_nibbles(w[i].qs), q5_high_bits(w[i].qh)), sixteen);
    const __m256i p = dot_i8(q, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[i].qs)));
    acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), _mm256_cvtepi32_ps(p), acc);
  }
  return hsum(acc);
}

float q5_1_dot(int64_t n, const void* vw, const void* vx) {
  const BlockQ5_1* w = static_cast<const BlockQ5_1*>(vw);
  const BlockQ8_0* x = static_cast<const BlockQ8_0*>(vx);
  __m256 acc = _mm256_setzero_ps();
  float acc_m = 0;
  for (int64_t i = 0; i < n / kQK; ++i) {
    const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[i].qs));
    const __m256i q = _mm256_or_si256(unpack_nibbles(w[i].qs), q5_high_bits(w[i].qh));
    const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(q, y), _mm256_set1_epi16(1));
    const float dx = h2f(x[i].d);
    acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * dx), _mm256_cvtepi32_ps(p), acc);
    acc_m += h2f(w[i].m) * dx * static_cast<float>(sum_i8(y));
  }
  return hsum(acc) + acc_m;
}

// ---- K-quant dots (activations Q8_K) -----------------------------------------------------------

// Q4_K / Q5_K scale bytes -> 8 scales and 8 mins as the bytes of two 64-bit words, built in
// registers (storing 4-byte halves and reloading 8 bytes would stall on store forwarding).
inline void k4_scales(const uint8_t* q, uint64_t* sc, uint64_t* mn) {
  uint32_t u[3];
  std::memcpy(u, q, 12);
  const uint32_t sc_lo = u[0] & 0x3F3F3F3F;
  const uint32_t sc_hi = (u[2] & 0x0F0F0F0F) | (((u[0] >> 6) & 0x03030303) << 4);
  const uint32_t mn_lo = u[1] & 0x3F3F3F3F;
  const uint32_t mn_hi = ((u[2] >> 4) & 0x0F0F0F0F) | (((u[1] >> 6) & 0x03030303) << 4);
  *sc = sc_lo | static_cast<uint64_t>(sc_hi) << 32;
  *mn = mn_lo | static_cast<uint64_t>(mn_hi) << 32;
}

// Byte j of a word of 8 bytes (scales or mins from k4_scales).
inline int scale_at(uint64_t sc, int j) { return static_cast<int>((sc >> (8 * j)) & 0xFF); }

// Q4_K and Q5_K: 8 sub-blocks of 32 with 6-bit scales and mins; Q5_K adds a fifth bit per
// element from qh. Chunk c (64 elements) is one 32-byte load of nibbles: low nibbles are
// sub-block 2c, high nibbles 2c + 1.
template <class Block>
float k4_family_dot(int64_t n, const void* vw, const void* vx) {
  constexpr bool kFifthBit = std::is_same_v<Block, BlockQ5_K>;
  const Block* w = static_cast<const Block*>(vw);
  const BlockQ8_K* x = static_cast<const BlockQ8_K*>(vx);
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  const __m256i one = _mm256_set1_epi8(1);
  // Each min byte twice (madd with the 16 bsums gives min_j * sub-block j's activation sum).
  const __m128i dup_mins = _mm_setr_epi8(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);
  __m256 acc = _mm256_setzero_ps(), acc_m = _mm256_setzero_ps();
  // Hot loop: decode of a Q4_K_M model spends most of its time here.
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    prefetch_ahead(w + i, sizeof(w[i]));
    const __m128 dd = k4_block_scales(&w[i].d, x[i].d);
    const __m128i sm = k4_scales_vec(w[i].scales);
    acc_m = k4_min_accumulate(sm, dup_mins, x[i].bsums, dd, acc_m);
    // Scale j as a 16-bit word in every lane: byte j of sm, high byte zeroed (index 0x80).
    const __m256i sc = _mm256_broadcastsi128_si256(sm);
    __m256i qh;
    if constexpr (kFifthBit) qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[i].qh));
    __m256i sum = _mm256_setzero_si256();
    const uint8_t* q = w[i].qs;
    const int8_t* y = x[i].qs;
    for (int c = 0; c < 4; ++c) {
      const __m256i q4 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + 32 * c));
      __m256i lo = _mm256_and_si256(q4, low4);
      __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q4, 4), low4);
      if constexpr (kFifthBit) {
        // Bit 2c of qh[l] -> 0x10 of the low half, bit 2c + 1 -> 0x10 of the high half.
        lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * c), one), 4));
        hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * c + 1), one), 4));
      }
      const __m256i p0 = _mm256_maddubs_epi16(lo, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y + 64 * c)));
      const __m256i p1 =
          _mm256_maddubs_epi16(hi, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y + 64 * c + 32)));
      const __m256i s0 = _mm256_shuffle_epi8(sc, _mm256_set1_epi16(static_cast<int16_t>(0x8000 | (2 * c))));
      const __m256i s1 = _mm256_shuffle_epi8(sc, _mm256_set1_epi16(static_cast<int16_t>(0x8000 | (2 * c + 1))));
      sum = _mm256_add_epi32(sum, _mm256_add_epi32(_mm256_madd_epi16(p0, s0), _mm256_madd_epi16(p1, s1)));
    }
    acc = _mm256_fmadd_ps(_mm256_broadcastss_ps(dd), _mm256_cvtepi32_ps(sum), acc);
  }
  return hsum(acc) - hsum(acc_m);
}

float q4_k_dot(int64_t n, const void* vw, const void* vx) { return k4_family_dot<BlockQ4_K>(n, vw, vx); }
float q5_k_dot(int64_t n, const void* vw, const void* vx) { return k4_family_dot<BlockQ5_K>(n, vw, vx); }

// The 6-bit levels (0..63) of one 128-element half of a Q6_K block as 4 vectors of 32 bytes:
// q[k] holds elements 32k .. 32k + 31 of the half.
inline void q6_levels(const BlockQ6_K& b, int half, __m256i q[4]) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  const __m256i m03 = _mm256_set1_epi8(0x03), m0c = _mm256_set1_epi8(0x0C), m30 = _mm256_set1_epi8(0x30);
  const uint8_t* ql = b.ql + 64 * half;
  const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh + 32 * half));
  const __m256i ql0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
  const __m256i ql1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
  q[0] = _mm256_or_si256(_mm256_and_si256(ql0, low4), _mm256_slli_epi16(_mm256_and_si256(qh, m03), 4));
  q[1] = _mm256_or_si256(_mm256_and_si256(ql1, low4), _mm256_slli_epi16(_mm256_and_si256(qh, m0c), 2));
  q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4), _mm256_and_si256(qh, m30));
  q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4), _mm256_and_si256(_mm256_srli_epi16(qh, 2), m30));
}

// The loops over halves and chunks are unrolled by pragma: at -O2 GCC kept them rolled, with the
// four level vectors stored to the stack and reloaded (Zen 3, one core in L2: +32%; two threads
// from DRAM: +25%).
float q6_k_dot(int64_t n, const void* vw, const void* vx) {
  const BlockQ6_K* w = static_cast<const BlockQ6_K*>(vw);
  const BlockQ8_K* x = static_cast<const BlockQ8_K*>(vx);
  // Byte shuffles that spread, from a vector holding one half's 8 scales (words) in both 128-bit
  // lanes, scale 2k over the low lane and scale 2k + 1 over the high lane.
  __m256i spread[4];
#pragma GCC unroll 4
  for (int k = 0; k < 4; ++k) {
    const char lo0 = static_cast<char>(4 * k), lo1 = static_cast<char>(4 * k + 1);
    const char hi0 = static_cast<char>(4 * k + 2), hi1 = static_cast<char>(4 * k + 3);
    spread[k] = _mm256_setr_epi8(lo0, lo1, lo0, lo1, lo0, lo1, lo0, lo1, lo0, lo1, lo0, lo1, lo0, lo1, lo0, lo1,
                                 hi0, hi1, hi0, hi1, hi0, hi1, hi0, hi1, hi0, hi1, hi0, hi1, hi0, hi1, hi0, hi1);
  }
  __m256 acc = _mm256_setzero_ps();
  // Hot loop: Q6_K holds the output matrix and half of ffn_down / attn_v in Q4_K_M files.
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    prefetch_ahead(w + i, sizeof(w[i]));
    // The 16 scales as words, once per block. The levels are stored +32: sum sc * (q - 32) * y =
    // sum sc * q * y - 32 * sum sc * bsum, the second term subtracted as a vector (no horizontal
    // sum per block).
    const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w[i].scales)));
    const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[i].bsums));
    __m256i sum = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(_mm256_madd_epi16(sc16, bs), 5));
#pragma GCC unroll 2
    for (int half = 0; half < 2; ++half) {
      __m256i q[4];
      q6_levels(w[i], half, q);
      const int8_t* y = x[i].qs + 128 * half;
      // This half's scales (words 8 * half ..) in both lanes.
      const __m256i sh = half == 0 ? _mm256_permute2x128_si256(sc16, sc16, 0x00) : _mm256_permute2x128_si256(sc16, sc16, 0x11);
#pragma GCC unroll 4
      for (int k = 0; k < 4; ++k) {
        const __m256i p = _mm256_maddubs_epi16(q[k], _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y + 32 * k)));
        // Low 128-bit lane: elements 0..15 (scale 2k), high lane: 16..31 (scale 2k + 1).
        sum = _mm256_add_epi32(sum, _mm256_madd_epi16(p, _mm256_shuffle_epi8(sh, spread[k])));
      }
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(x[i].d * h2f(w[i].d)), _mm256_cvtepi32_ps(sum), acc);
  }
  return hsum(acc);
}

// The 16 Q3_K scales (6 bits, offset 32) as int16 words; a local copy of unpack_q3_k_scales so no
// inline function of a header gets compiled with AVX2 here.
inline __m256i q3_k_scales16(const uint8_t* q) {
  alignas(32) int16_t out[16];
  for (int i = 0; i < 16; ++i) {
    const int low = (i < 8) ? (q[i] & 0xF) : (q[i - 8] >> 4);
    const int high = (q[8 + (i % 4)] >> (2 * (i / 4))) & 3;
    out[i] = static_cast<int16_t>((low | (high << 4)) - 32);
  }
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(out));
}

inline int hsum_madd(__m256i a, __m256i b) { return hsum_i32(_mm256_madd_epi16(a, b)); }

// Scale vector for a 32-element group: low 128-bit lane word s0, high lane word s1.
inline __m256i lane_scales(int s0, int s1) {
  return _mm256_set_m128i(_mm_set1_epi16(static_cast<int16_t>(s1)), _mm_set1_epi16(static_cast<int16_t>(s0)));
}

float q3_k_dot(int64_t n, const void* vw, const void* vx) {
  const BlockQ3_K* w = static_cast<const BlockQ3_K*>(vw);
  const BlockQ8_K* x = static_cast<const BlockQ8_K*>(vx);
  const __m256i m03 = _mm256_set1_epi8(0x03), m01 = _mm256_set1_epi8(0x01);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    alignas(32) int16_t sc[16];
    const __m256i sc16 = q3_k_scales16(w[i].scales);
    _mm256_store_si256(reinterpret_cast<__m256i*>(sc), sc16);
    // Levels are stored +4 (0..7): sum sc * (level - 4) * y = sum sc * level * y - 4 * sum sc * bsum.
    const int offset = 4 * hsum_madd(sc16, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[i].bsums)));
    const __m256i hm = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[i].hmask));
    __m256i sum = _mm256_setzero_si256();
    for (int half = 0; half < 2; ++half) {
      const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[i].qs + 32 * half));
      for (int j = 0; j < 4; ++j) {
        const __m256i low = _mm256_and_si256(_mm256_srli_epi16(q, 2 * j), m03);
        const __m256i high = _mm256_and_si256(_mm256_srli_epi16(hm, 4 * half + j), m01);
        const __m256i level = _mm256_or_si256(low, _mm256_slli_epi16(high, 2));
        const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[i].qs + 128 * half + 32 * j));
        const int s = 8 * half + 2 * j;
        sum = _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_maddubs_epi16(level, y), lane_scales(sc[s], sc[s + 1])));
      }
    }
    const float d = x[i].d * h2f(w[i].d);
    acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sum), acc);
    acc = _mm256_add_ps(acc, _mm256_setr_ps(-d * static_cast<float>(offset), 0, 0, 0, 0, 0, 0, 0));
  }
  return hsum(acc);
}

float q2_k_dot(int64_t n, const void* vw, const void* vx) {
  const BlockQ2_K* w = static_cast<const BlockQ2_K*>(vw);
  const BlockQ8_K* x = static_cast<const BlockQ8_K*>(vx);
  const __m256i m03 = _mm256_set1_epi8(0x03);
  __m256 acc = _mm256_setzero_ps();
  float acc_m = 0;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const __m128i sb = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w[i].scales));
    const __m256i mins16 = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(sb, 4), _mm_set1_epi8(0x0F)));
    alignas(16) uint8_t sc[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(sc), _mm_and_si128(sb, _mm_set1_epi8(0x0F)));
    const float dx = x[i].d;
    acc_m += dx * h2f(w[i].dmin) *
             static_cast<float>(hsum_madd(mins16, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[i].bsums))));
    __m256i sum = _mm256_setzero_si256();
    for (int half = 0; half < 2; ++half) {
      const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[i].qs + 32 * half));
      for (int j = 0; j < 4; ++j) {
        const __m256i level = _mm256_and_si256(_mm256_srli_epi16(q, 2 * j), m03);
        const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[i].qs + 128 * half + 32 * j));
        const int s = 8 * half + 2 * j;
        sum = _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_maddubs_epi16(level, y), lane_scales(sc[s], sc[s + 1])));
      }
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(dx * h2f(w[i].d)), _mm256_cvtepi32_ps(sum), acc);
  }
  return hsum(acc) - acc_m;
}

// ---- float weights (activations F32) -----------------------------------------------------------

inline __m256 load_f16(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
inline __m256 load_bf16(const uint16_t* p) {
  const __m256i v = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  return _mm256_castsi256_ps(_mm256_slli_epi32(v, 16));
}

// Weight element types: 8 of them as floats, and one (for the tail).
struct F32Weights {
  using T = float;
  static __m256 load8(const float* p) { return _mm256_loadu_ps(p); }
  static float load1(const float* p) { return *p; }
};
struct F16Weights {
  using T = uint16_t;
  static __m256 load8(const uint16_t* p) { return load_f16(p); }
  static float load1(const uint16_t* p) { return h2f(*p); }
};
struct BF16Weights {
  using T = uint16_t;
  static __m256 load8(const uint16_t* p) { return load_bf16(p); }
  static float load1(const uint16_t* p) { return bf16_to_fp32(*p); }
};

// Float weights against float activations: four independent accumulators.
template <class W>
float float_dot(int64_t n, const void* vw, const void* vx) {
  const typename W::T* w = static_cast<const typename W::T*>(vw);
  const float* x = static_cast<const float*>(vx);
  __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    prefetch_stream_ahead(w + i, 32 * sizeof(w[i]));
    a0 = _mm256_fmadd_ps(W::load8(w + i), _mm256_loadu_ps(x + i), a0);
    a1 = _mm256_fmadd_ps(W::load8(w + i + 8), _mm256_loadu_ps(x + i + 8), a1);
    a2 = _mm256_fmadd_ps(W::load8(w + i + 16), _mm256_loadu_ps(x + i + 16), a2);
    a3 = _mm256_fmadd_ps(W::load8(w + i + 24), _mm256_loadu_ps(x + i + 24), a3);
  }
  for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(W::load8(w + i), _mm256_loadu_ps(x + i), a0);
  float s = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  for (; i < n; ++i) s += W::load1(w + i) * x[i];
  return s;
}

// ---- dequantization (prompt processing dequantizes weight tiles for sgemm) ---------------------

void f16_to_float(const void* src, float* dst, int64_t n) {
  const uint16_t* s = static_cast<const uint16_t*>(src);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, load_f16(s + i));
  for (; i < n; ++i) dst[i] = h2f(s[i]);
}

void bf16_to_float(const void* src, float* dst, int64_t n) {
  const uint16_t* s = static_cast<const uint16_t*>(src);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, load_bf16(s + i));
  for (; i < n; ++i) dst[i] = bf16_to_fp32(s[i]);
}

// 32 int8 -> 32 floats times d.
inline void store_scaled_i8(float* dst, __m256i q, __m256 d) {
  const __m128i lo = _mm256_castsi256_si128(q), hi = _mm256_extracti128_si256(q, 1);
  _mm256_storeu_ps(dst, _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(lo))));
  _mm256_storeu_ps(dst + 8, _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(lo, 8)))));
  _mm256_storeu_ps(dst + 16, _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(hi))));
  _mm256_storeu_ps(dst + 24, _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(hi, 8)))));
}
// 32 uint8 levels -> floats: d * q - m.
inline void store_affine_u8(float* dst, __m256i q, __m256 d, __m256 m) {
  const __m128i lo = _mm256_castsi256_si128(q), hi = _mm256_extracti128_si256(q, 1);
  _mm256_storeu_ps(dst, _mm256_fmsub_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(lo)), m));
  _mm256_storeu_ps(dst + 8, _mm256_fmsub_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(lo, 8))), m));
  _mm256_storeu_ps(dst + 16, _mm256_fmsub_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(hi)), m));
  _mm256_storeu_ps(dst + 24, _mm256_fmsub_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(hi, 8))), m));
}

void q8_0_to_float(const void* src, float* dst, int64_t n) {
  const BlockQ8_0* b = static_cast<const BlockQ8_0*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    store_scaled_i8(dst, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qs)), _mm256_set1_ps(h2f(b[i].d)));
  }
}

void q4_0_to_float(const void* src, float* dst, int64_t n) {
  const BlockQ4_0* b = static_cast<const BlockQ4_0*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const __m256i q = _mm256_sub_epi8(unpack_nibbles(b[i].qs), _mm256_set1_epi8(8));
    store_scaled_i8(dst, q, _mm256_set1_ps(h2f(b[i].d)));
  }
}

void q4_k_to_float(const void* src, float* dst, int64_t n) {
  const BlockQ4_K* b = static_cast<const BlockQ4_K*>(src);
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  for (int64_t i = 0; i < n / kQK_K; ++i, dst += kQK_K) {
    uint64_t sc, mn;
    k4_scales(b[i].scales, &sc, &mn);
    const float d = h2f(b[i].d), dmin = h2f(b[i].dmin);
    for (int c = 0; c < 4; ++c) {
      const __m256i q4 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qs + 32 * c));
      store_affine_u8(dst + 64 * c, _mm256_and_si256(q4, low4), _mm256_set1_ps(d * scale_at(sc, 2 * c)),
                      _mm256_set1_ps(dmin * scale_at(mn, 2 * c)));
      store_affine_u8(dst + 64 * c + 32, _mm256_and_si256(_mm256_srli_epi16(q4, 4), low4),
                      _mm256_set1_ps(d * scale_at(sc, 2 * c + 1)), _mm256_set1_ps(dmin * scale_at(mn, 2 * c + 1)));
    }
  }
}

void q6_k_to_float(const void* src, float* dst, int64_t n) {
  const BlockQ6_K* b = static_cast<const BlockQ6_K*>(src);
  const __m256i m32 = _mm256_set1_epi8(32);
  for (int64_t i = 0; i < n / kQK_K; ++i, dst += kQK_K) {
    const float d = h2f(b[i].d);
    for (int half = 0; half < 2; ++half) {
      __m256i q[4];
      q6_levels(b[i], half, q);
      for (int k = 0; k < 4; ++k) {
        const __m256i v = _mm256_sub_epi8(q[k], m32);
        float* out = dst + 128 * half + 32 * k;
        const int s = 8 * half + 2 * k;
        const __m128i lo = _mm256_castsi256_si128(v), hi = _mm256_extracti128_si256(v, 1);
        const __m256 d0 = _mm256_set1_ps(d * b[i].scales[s]), d1 = _mm256_set1_ps(d * b[i].scales[s + 1]);
        _mm256_storeu_ps(out, _mm256_mul_ps(d0, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(lo))));
        _mm256_storeu_ps(out + 8, _mm256_mul_ps(d0, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(lo, 8)))));
        _mm256_storeu_ps(out + 16, _mm256_mul_ps(d1, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(hi))));
        _mm256_storeu_ps(out + 24, _mm256_mul_ps(d1, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(hi, 8)))));
      }
    }
  }
}

// ---- Q4_K lanes order (packed_rows.h), four rows per call ------------------------------------
// The AVX-512 lanes dot (kernels_avx512_packed.cpp) in 256-bit halves: the first 32 bytes of each
// 64-byte load of the lanes order are rows 0 and 1 (one per 128-bit lane), the second 32 rows 2
// and 3, and each activation chunk is broadcast to both lanes. So, as there, the products of a
// row meet its scales and d in its own lane, and the activations are loaded once for four rows.
// Against the one-row-per-load order it replaced (Zen 3, kernel_bench, one core in L2): 20.2-21.5
// -> 24.4-25.0 GB/s. GCC -O2 leaves short `for` loops rolled and arrays of vectors on the stack,
// and AVX2 has 16 registers: hence the pragmas, and the metas worked after the products, so that
// at most ~14 vectors are live in the loads' loop (a first version that kept both in flight made
// 14 GB/s).

// Two rows' 16-byte metas (one per 128-bit lane) -> per lane the bytes sc0..sc7, mn0..mn7 of
// that row (k4_scales_vec, two rows at a time).
inline __m256i k4_scales_x2(__m256i meta) {
  const __m256i a = _mm256_shuffle_epi8(meta, _mm256_broadcastsi128_si256(_mm_setr_epi8(0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11)));
  const __m256i a2 = _mm256_blend_epi32(a, _mm256_srli_epi16(a, 4), 0x88);
  const __m256i low = _mm256_and_si256(
      a2, _mm256_broadcastsi128_si256(_mm_setr_epi8(63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 15, 15, 15, 15)));
  const char z = static_cast<char>(0x80);
  const __m256i b = _mm256_shuffle_epi8(meta, _mm256_broadcastsi128_si256(_mm_setr_epi8(z, z, z, z, 0, 1, 2, 3, z, z, z, z, 4, 5, 6, 7)));
  return _mm256_or_si256(low, _mm256_and_si256(_mm256_srli_epi16(b, 2), _mm256_set1_epi8(0x30)));
}

// Two rows' metas (at meta, one row per 128-bit lane) decoded: per lane the row's 8 scales and 8
// mins as 16-bit words, and its d and dmin 4 times each.
struct K4LanesMeta {
  __m256i scales, mins;
  __m256 d, dmin;
};
inline K4LanesMeta k4_lanes_meta(const uint8_t* meta) {
  const char z = static_cast<char>(0x80);
  const __m256i m = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(meta));
  const __m256i sm = k4_scales_x2(m);
  // [d0 x4, dmin0 x4 | d1 x4, dmin1 x4] -> [d0 x4, d1 x4 | dmin0 x4, dmin1 x4] as halves.
  const __m256i d_halves = _mm256_broadcastsi128_si256(_mm_setr_epi8(12, 13, 12, 13, 12, 13, 12, 13, 14, 15, 14, 15, 14, 15, 14, 15));
  const __m256i dh = _mm256_permute4x64_epi64(_mm256_shuffle_epi8(m, d_halves), 0xD8);
  return {_mm256_shuffle_epi8(sm, _mm256_broadcastsi128_si256(_mm_setr_epi8(0, z, 1, z, 2, z, 3, z, 4, z, 5, z, 6, z, 7, z))),
          _mm256_shuffle_epi8(sm, _mm256_broadcastsi128_si256(_mm_setr_epi8(8, z, 9, z, 10, z, 11, z, 12, z, 13, z, 14, z, 15, z))),
          _mm256_cvtph_ps(_mm256_castsi256_si128(dh)), _mm256_cvtph_ps(_mm256_extracti128_si256(dh, 1))};
}

void q4_k_dot_lanes_avx2(int64_t n, const void* vg, const void* vx, float* out) {
  const uint8_t* g = static_cast<const uint8_t*>(vg);
  const BlockQ8_K* x = static_cast<const BlockQ8_K*>(vx);
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  constexpr int64_t kGroupBytes = sizeof(Q4KPackedGroup), kMeta = offsetof(Q4KPackedGroup, meta);
  __m256 acc01 = _mm256_setzero_ps(), acc23 = _mm256_setzero_ps();  // lane r % 2: row r's 4 partial sums
  for (int64_t i = 0; i < n / kQK_K; ++i, g += kGroupBytes) {
    prefetch_ahead(g, kGroupBytes);
    const int8_t* xq = x[i].qs;
    // Per pair of rows and half of the loads, the byte products per 16-bit word:
    // |p| <= 4 * 2 * 2 * 15 * 127 = 30480.
    __m256i p01[2], p23[2];
#pragma GCC unroll 2
    for (int half = 0; half < 2; ++half) {
      __m256i a01 = _mm256_setzero_si256(), a23 = _mm256_setzero_si256();
#pragma GCC unroll 4
      for (int k = 4 * half; k < 4 * half + 4; ++k) {
        const __m256i x_lo = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(xq + 32 * k)));
        const __m256i x_hi = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(xq + 32 * k + 16)));
        const __m256i q01 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(g + 64 * k));
        const __m256i q23 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(g + 64 * k + 32));
        a01 = _mm256_add_epi16(a01, _mm256_maddubs_epi16(_mm256_and_si256(q01, low4), x_lo));
        a23 = _mm256_add_epi16(a23, _mm256_maddubs_epi16(_mm256_and_si256(q23, low4), x_lo));
        a01 = _mm256_add_epi16(a01, _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q01, 4), low4), x_hi));
        a23 = _mm256_add_epi16(a23, _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q23, 4), low4), x_hi));
      }
      p01[half] = a01;
      p23[half] = a23;
    }
    const __m256 dx = _mm256_set1_ps(x[i].d);
    const __m256i bsums = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x[i].bsums)));
    auto finish = [&](const uint8_t* meta, __m256i lo, __m256i hi, __m256 acc) {
      const K4LanesMeta m = k4_lanes_meta(meta);
      const __m256i sum = _mm256_add_epi32(_mm256_madd_epi16(lo, m.scales), _mm256_madd_epi16(hi, m.scales));
      const __m256i mins = _mm256_madd_epi16(m.mins, bsums);
      acc = _mm256_fmadd_ps(_mm256_mul_ps(m.d, dx), _mm256_cvtepi32_ps(sum), acc);
      return _mm256_fnmadd_ps(_mm256_mul_ps(m.dmin, dx), _mm256_cvtepi32_ps(mins), acc);
    };
    acc01 = finish(g + kMeta, p01[0], p01[1], acc01);
    acc23 = finish(g + kMeta + 32, p23[0], p23[1], acc23);
  }
  alignas(32) float a[16];
  _mm256_store_ps(a, acc01);
  _mm256_store_ps(a + 8, acc23);
  for (int r = 0; r < kPackRows; ++r) out[r] = (a[4 * r] + a[4 * r + 1]) + (a[4 * r + 2] + a[4 * r + 3]);
}

// q4_k_dot_lanes_avx2 for several tokens: T tokens at a time, each 32-byte load's nibbles are
// unpacked once for all T (the single-token dot unpacks them again for every token of a batch),
// one pair of rows at a time so that T's accumulators stay in registers. The loads' loop is left
// rolled on purpose: unrolled, GCC issued all 32 byte products of a half first and spilled them
// (matvec_bench 8960x1536, 64 tokens, two Zen 3 cores: 145-149 GFLOP/s unrolled, 176-212 rolled;
// the one-token dot 106, sgemm over float tiles 106-119).
template <int T>
void q4_k_lanes_tokens_avx2(int64_t n, const uint8_t* g0, const uint8_t* x0, int64_t x_stride, float* out,
                            int64_t out_stride) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  constexpr int64_t kGroupBytes = sizeof(Q4KPackedGroup), kMeta = offsetof(Q4KPackedGroup, meta);
  auto xblock = [&](int t, int64_t i) { return reinterpret_cast<const BlockQ8_K*>(x0 + t * x_stride) + i; };
#pragma GCC unroll 1
  for (int p = 0; p < 2; ++p) {  // rows 2p, 2p + 1: lanes 0 and 1
    __m256 acc[T];
#pragma GCC unroll 4
    for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
    const uint8_t* g = g0;
    for (int64_t i = 0; i < n / kQK_K; ++i, g += kGroupBytes) {
      const K4LanesMeta m = k4_lanes_meta(g + kMeta + 32 * p);
#pragma GCC unroll 2
      for (int half = 0; half < 2; ++half) {
        __m256i a[T];
#pragma GCC unroll 4
        for (int t = 0; t < T; ++t) a[t] = _mm256_setzero_si256();
#pragma GCC unroll 1
        for (int k = 4 * half; k < 4 * half + 4; ++k) {
          const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(g + 64 * k + 32 * p));
          const __m256i lo = _mm256_and_si256(q, low4), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low4);
#pragma GCC unroll 4
          for (int t = 0; t < T; ++t) {
            const int8_t* xq = xblock(t, i)->qs + 32 * k;
            const __m256i pl = _mm256_maddubs_epi16(lo, _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(xq))));
            const __m256i ph = _mm256_maddubs_epi16(hi, _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(xq + 16))));
            a[t] = _mm256_add_epi16(a[t], _mm256_add_epi16(pl, ph));
          }
        }
#pragma GCC unroll 4
        for (int t = 0; t < T; ++t) {
          const __m256 dt = _mm256_mul_ps(m.d, _mm256_set1_ps(xblock(t, i)->d));
          acc[t] = _mm256_fmadd_ps(dt, _mm256_cvtepi32_ps(_mm256_madd_epi16(a[t], m.scales)), acc[t]);
        }
      }
#pragma GCC unroll 4
      for (int t = 0; t < T; ++t) {
        const BlockQ8_K* xb = xblock(t, i);
        const __m256i bsums = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(xb->bsums)));
        acc[t] = _mm256_fnmadd_ps(_mm256_mul_ps(m.dmin, _mm256_set1_ps(xb->d)), _mm256_cvtepi32_ps(_mm256_madd_epi16(m.mins, bsums)), acc[t]);
      }
    }
#pragma GCC unroll 4
    for (int t = 0; t < T; ++t) {
      const __m128 lo = _mm256_castps256_ps128(acc[t]), hi = _mm256_extractf128_ps(acc[t], 1);
      const __m128 s = _mm_hadd_ps(lo, hi);  // row 2p: s0 + s1, s2 + s3 of lane 0; row 2p + 1 the same of lane 1
      const __m128 r = _mm_hadd_ps(s, s);
      out[t * out_stride + 2 * p] = _mm_cvtss_f32(r);
      out[t * out_stride + 2 * p + 1] = _mm_cvtss_f32(_mm_shuffle_ps(r, r, 1));
    }
  }
}

void q4_k_dot_lanes_tokens_avx2(int64_t n, const void* group, const void* x, int64_t x_stride, int64_t n_tokens,
                                float* out, int64_t out_stride) {
  const uint8_t* g = static_cast<const uint8_t*>(group);
  const uint8_t* xb = static_cast<const uint8_t*>(x);
  int64_t t = 0;
  for (; t + 4 <= n_tokens; t += 4) q4_k_lanes_tokens_avx2<4>(n, g, xb + t * x_stride, x_stride, out + t * out_stride, out_stride);
  switch (n_tokens - t) {
    case 3: q4_k_lanes_tokens_avx2<3>(n, g, xb + t * x_stride, x_stride, out + t * out_stride, out_stride); break;
    case 2: q4_k_lanes_tokens_avx2<2>(n, g, xb + t * x_stride, x_stride, out + t * out_stride, out_stride); break;
    case 1: q4_k_lanes_tokens_avx2<1>(n, g, xb + t * x_stride, x_stride, out + t * out_stride, out_stride); break;
    default: break;
  }
}

// A group's dequantization (sgemm tiles, which packed Q4_K batches take only when
// LANTERN_GEMM_MIN_TOKENS says so).
void q4_k_to_float_lanes_avx2(const void* group, float* out, int64_t n) {
  q4_k_to_float_group(group, out, n, unpack_q4_k_row, q4_k_to_float);
}

}  // namespace

void fill_avx2_table(TypeTraits* t) {
  auto at = [&](TensorType type) -> TypeTraits& { return t[static_cast<int>(type)]; };
  at(TensorType::kF32).vec_dot = float_dot<F32Weights>;
  at(TensorType::kF16).vec_dot = float_dot<F16Weights>;
  at(TensorType::kF16).to_float = f16_to_float;
  at(TensorType::kBF16).vec_dot = float_dot<BF16Weights>;
  at(TensorType::kBF16).to_float = bf16_to_float;
  at(TensorType::kQ8_0).vec_dot = q8_0_dot;
  at(TensorType::kQ8_0).from_float = q8_0_from_float;
  at(TensorType::kQ8_0).to_float = q8_0_to_float;
  at(TensorType::kQ4_0).vec_dot = q4_0_dot;
  at(TensorType::kQ4_0).to_float = q4_0_to_float;
  at(TensorType::kQ4_1).vec_dot = q4_1_dot;
  at(TensorType::kQ5_0).vec_dot = q5_0_dot;
  at(TensorType::kQ5_1).vec_dot = q5_1_dot;
  at(TensorType::kQ4_K).vec_dot = q4_k_dot;
  at(TensorType::kQ4_K).to_float = q4_k_to_float;
  at(TensorType::kQ5_K).vec_dot = q5_k_dot;
  at(TensorType::kQ6_K).vec_dot = q6_k_dot;
  at(TensorType::kQ6_K).to_float = q6_k_to_float;
  at(TensorType::kQ8_K).from_float = q8_k_from_float;
  at(TensorType::kQ2_K).vec_dot = q2_k_dot;
  at(TensorType::kQ3_K).vec_dot = q3_k_dot;
  TypeTraits& q4k = at(TensorType::kQ4_K);  // packed rows in the lanes order (packed_rows.h), as at AVX-512
  q4k.pack = pack_q4_k;
  q4k.unpack_row = unpack_q4_k_row;
  q4k.x_permute_packed = q4_k_x_permute_packed;
  q4k.vec_dot_packed = q4_k_dot_lanes_avx2;
  q4k.vec_dot_packed_tokens = q4_k_dot_lanes_tokens_avx2;
  q4k.packed_gemm_min_tokens = kNeverGemm;
  q4k.to_float_packed = q4_k_to_float_lanes_avx2;
  q4k.band_min_cols = kQ4KBandMinCols;
  q4k.band_segment_blocks = kQ4KBandSegmentBlocks;
}

}  // namespace lantern::engine::kernels
