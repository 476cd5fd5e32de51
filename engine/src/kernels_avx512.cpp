// AVX-512 (F + BW + VL) versions of the dot products that dominate decoding: Q4_K and Q6_K
// against Q8_K activations (Q4_K_M models), and Q8_0 against Q8_0 activations (Q8_0 models).
// Only reached through kernels.cpp after a runtime check for avx512f/avx512bw/avx512vl, and
// skipped when LANTERN_NO_AVX512 is set.
//
// The one thing to know: everything after avx512_begin.h (the last include) is compiled for
// AVX-512 and defines only internal-linkage functions, so no inline function from a header is
// ever emitted with AVX-512 instructions (the linker could otherwise pick that copy for callers
// on CPUs without AVX-512). Keep it that way: no templates, no std:: calls in that region.
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels.h"
#include "packed_rows.h"  // kQ8Span

// Last include: everything below is compiled for AVX-512 (see avx512_begin.h).
#include "avx512_begin.h"

namespace lantern::engine::kernels {
namespace {

// A vector of 16-bit words whose four 128-bit lanes hold w0, w1, w2, w3 in every word.
inline __m512i lane_words(int w0, int w1, int w2, int w3) {
  auto pair = [](int w) { return static_cast<int>((static_cast<uint32_t>(w) & 0xFFFF) * 0x10001u); };
  const int a = pair(w0), b = pair(w1), c = pair(w2), d = pair(w3);
  return _mm512_set_epi32(d, d, d, d, c, c, c, c, b, b, b, b, a, a, a, a);
}

// Q4_K's activation layout at this level: in each 128-element half of a Q8_K block the 32-element
// chunks go in the order 0, 2, 1, 3 (bsums alike). A 64-byte load of Q4_K nibbles holds chunks
// 0 and 2 in its low nibbles and 1 and 3 in its high nibbles, so with this order the activations
// line up with the nibbles without a shuffle per load.
void q4_k_x_permute(void* vx, int64_t n) {
  BlockQ8_K* x = static_cast<BlockQ8_K*>(vx);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    for (int half = 0; half < 2; ++half) {
      int8_t* q = x[i].qs + 128 * half;
      int8_t t[32];
      __builtin_memcpy(t, q + 32, 32);
      __builtin_memcpy(q + 32, q + 64, 32);
      __builtin_memcpy(q + 64, t, 32);
      int16_t* b = x[i].bsums + 8 * half;
      int16_t u[2] = {b[2], b[3]};
      b[2] = b[4];
      b[3] = b[5];
      b[4] = u[0];
      b[5] = u[1];
    }
  }
}

// Byte-shuffle indices that turn 16 bytes (sc0..7, mn0..7) broadcast to every 128-bit lane into
// 16-bit scale words: sub-block a in the low 256 bits, sub-block b in the high 256 bits.
inline __m512i scale_words(int a, int b) {
  const int wa = a | 0x8000, wb = b | 0x8000;  // high byte: index with the top bit set -> 0
  const int pa = wa | wa << 16, pb = wb | wb << 16;
  return _mm512_set_epi32(pb, pb, pb, pb, pb, pb, pb, pb, pa, pa, pa, pa, pa, pa, pa, pa);
}

float q4_k_dot_512(int64_t n, const void* vw, const void* vx) {
  const BlockQ4_K* w = static_cast<const BlockQ4_K*>(vw);
  const BlockQ8_K* x = static_cast<const BlockQ8_K*>(vx);
  const __m512i low4 = _mm512_set1_epi8(0x0F);
  // Load k: low nibbles are sub-blocks 4k and 4k+2, high nibbles 4k+1 and 4k+3.
  const __m512i sidx[4] = {scale_words(0, 2), scale_words(1, 3), scale_words(4, 6), scale_words(5, 7)};
  // Each min twice, as words, in the permuted bsums order: madd with the 16 bsums gives
  // min_j * (sum of sub-block j's activations).
  const __m128i dup_mins = _mm_setr_epi8(8, 8, 10, 10, 9, 9, 11, 11, 12, 12, 14, 14, 13, 13, 15, 15);
  __m512 acc = _mm512_setzero_ps();
  __m256 acc_m = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    prefetch_stream_ahead(w + i, sizeof(w[i]));  // no activation prefetch for one row: see the Q6_K dot
    const __m128 dd = k4_block_scales(&w[i].d, x[i].d);
    const __m128i sm = k4_scales_vec(w[i].scales);
    acc_m = k4_min_accumulate(sm, dup_mins, x[i].bsums, dd, acc_m);
    const __m512i sc = _mm512_broadcast_i32x4(sm);
    __m512i sum = _mm512_setzero_si512();
    for (int k = 0; k < 2; ++k) {
      const __m512i q = _mm512_loadu_si512(w[i].qs + 64 * k);
      const __m512i lo = _mm512_and_si512(q, low4);
      const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(q, 4), low4);
      const __m512i pa = _mm512_maddubs_epi16(lo, _mm512_loadu_si512(x[i].qs + 128 * k));
      const __m512i pb = _mm512_maddubs_epi16(hi, _mm512_loadu_si512(x[i].qs + 128 * k + 64));
      sum = _mm512_add_epi32(sum, _mm512_madd_epi16(pa, _mm512_shuffle_epi8(sc, sidx[2 * k])));
      sum = _mm512_add_epi32(sum, _mm512_madd_epi16(pb, _mm512_shuffle_epi8(sc, sidx[2 * k + 1])));
    }
    acc = _mm512_fmadd_ps(_mm512_broadcastss_ps(dd), _mm512_cvtepi32_ps(sum), acc);
  }
  return _mm512_reduce_add_ps(acc) - hsum_ps_256(acc_m);
}

// Word indices for vpermw: word j of 128-bit lane L takes word a + L of the block's 16 scales.
inline __m512i lane_scale_words(int a) { return lane_words(a, a + 1, a + 2, a + 3); }

float q6_k_dot_512(int64_t n, const void* vw, const void* vx) {
  const BlockQ6_K* w = static_cast<const BlockQ6_K*>(vw);
  const BlockQ8_K* x = static_cast<const BlockQ8_K*>(vx);
  const __m512i low4 = _mm512_set1_epi8(0x0F), bits45 = _mm512_set1_epi8(0x30);
  // qh holds four 2-bit fields per byte; element e of half h takes field e / 32 of qh byte
  // 32h + e % 32, as bits 4-5 of its 6-bit value. Per 256-bit half of the broadcast qh vector,
  // the 16-bit shifts that move the field there: q01 (elements 0..63) fields 0 and 1 left by 4
  // and 2, q23 (elements 64..127) fields 2 and 3 right by 0 and 2. Bits shifted in from the
  // neighbouring byte are masked off with bits45.
  const __m512i shl01 = lane_words(4, 4, 2, 2);
  const __m512i shr23 = lane_words(0, 0, 2, 2);
  // Sub-blocks of 16: vector q01 of half h covers 8h + 0..3 (one per 128-bit lane), q23 8h + 4..7.
  const __m512i sidx[4] = {lane_scale_words(0), lane_scale_words(4), lane_scale_words(8), lane_scale_words(12)};
  __m512 acc = _mm512_setzero_ps();
  // Hot loop: Q6_K holds the output matrix and part of ffn_down / attn_v in Q4_K_M files.
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    // Weights only. Unlike the packed dots, a one-row dot keeps its activations in L1 even over
    // 8960 columns (7.3 KB of weights between two uses of a block), and prefetching them too (5
    // prefetches per block against the weights' 4) made 8960-column rows read 45 instead of 62
    // GB/s in fast minutes (a copy of this loop, two threads, interleaved with a plain read that
    // made 67-69) and no faster in slow ones (bench/RESULTS.md).
    prefetch_stream_ahead(w + i, sizeof(w[i]));
    // The 16 scales as words, once: for the -32 offset of every element (sum_j sc_j * 32 *
    // activation sum of sub-block j, subtracted as a vector, no horizontal sum per block) and,
    // spread by vpermw, as the multipliers of each sub-block's products.
    const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w[i].scales)));
    const __m256i offset =
        _mm256_slli_epi32(_mm256_madd_epi16(sc16, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[i].bsums))), 5);
    const __m512i scw = _mm512_castsi256_si512(sc16);
    __m512i sum = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_zextsi256_si512(offset));
    for (int half = 0; half < 2; ++half) {
      const __m512i l = _mm512_loadu_si512(w[i].ql + 64 * half);
      const __m512i h = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[i].qh + 32 * half)));
      // (l & 0x0F) | high bits, in one ternary-logic op (0xEC: A & C | B).
      const __m512i q01 =
          _mm512_ternarylogic_epi32(l, _mm512_and_si512(_mm512_sllv_epi16(h, shl01), bits45), low4, 0xEC);
      const __m512i q23 = _mm512_ternarylogic_epi32(_mm512_srli_epi16(l, 4),
                                                    _mm512_and_si512(_mm512_srlv_epi16(h, shr23), bits45), low4, 0xEC);
      const int8_t* y = x[i].qs + 128 * half;
      const __m512i p01 = _mm512_maddubs_epi16(q01, _mm512_loadu_si512(y));
      const __m512i p23 = _mm512_maddubs_epi16(q23, _mm512_loadu_si512(y + 64));
      const __m512i s01 = _mm512_permutexvar_epi16(sidx[2 * half], scw);
      const __m512i s23 = _mm512_permutexvar_epi16(sidx[2 * half + 1], scw);
      sum = _mm512_add_epi32(sum, _mm512_add_epi32(_mm512_madd_epi16(p01, s01), _mm512_madd_epi16(p23, s23)));
    }
    acc = _mm512_fmadd_ps(_mm512_set1_ps(x[i].d * h2f_512(w[i].d)), _mm512_cvtepi32_ps(sum), acc);
  }
  return _mm512_reduce_add_ps(acc);
}

// ---- Q8_0 ---------------------------------------------------------------------------------------

// The 32 quants of blocks b[0] and b[1]: b[0] in the low 256 bits.
inline __m512i load_q8_pair(const BlockQ8_0* b) {
  return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[0].qs))),
                            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[1].qs)), 1);
}

// The scale halves of b[0..3] in one 64-bit word, b[0] lowest.
inline uint64_t four_halves(const BlockQ8_0* b) {
  return uint64_t{b[0].d} | uint64_t{b[1].d} << 16 | uint64_t{b[2].d} << 32 | uint64_t{b[3].d} << 48;
}

// The 16 scales d of b[0..15] as floats. The halves are gathered with scalar loads, shifts and
// ors, which run on the integer units beside the vector work (a vector gather was slower than the
// whole rest of the loop on AMD Zen 5).
inline __m512 q8_scales16(const BlockQ8_0* b) {
  const __m128i lo = _mm_set_epi64x(static_cast<int64_t>(four_halves(b + 4)), static_cast<int64_t>(four_halves(b)));
  const __m128i hi = _mm_set_epi64x(static_cast<int64_t>(four_halves(b + 12)), static_cast<int64_t>(four_halves(b + 8)));
  return _mm512_cvtph_ps(_mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1));
}

// Q8_0's activation layout at this level: each whole group of 16 blocks (544 bytes) holds its
// 16 x 32 quants first and its 16 scale halves after them, so the kernel reads two blocks' quants
// with one 64-byte load and the 16 scales with one 32-byte load. Blocks past the last whole
// group keep the plain layout.
void q8_0_x_permute(void* vx, int64_t n) {
  BlockQ8_0* x = static_cast<BlockQ8_0*>(vx);
  for (int64_t g = 0; g + kQ8Span <= n / kQK; g += kQ8Span) {
    uint8_t qs[kQ8Span * kQK];
    uint16_t d[kQ8Span];
    for (int64_t k = 0; k < kQ8Span; ++k) {
      __builtin_memcpy(qs + k * kQK, x[g + k].qs, kQK);
      d[k] = x[g + k].d;
    }
    uint8_t* out = reinterpret_cast<uint8_t*>(x + g);
    __builtin_memcpy(out, qs, sizeof qs);
    __builtin_memcpy(out + sizeof qs, d, sizeof d);
  }
}

// Q8_0 weights against Q8_0 activations, 16 blocks per step: two blocks per 512-bit product, and
// the 32 scales of a step converted together instead of one by one (the per-block scale work
// was half of the AVX2 loop). The last n / 32 % 16 blocks go one at a time.
float q8_0_dot_512(int64_t n, const void* vw, const void* vx) {
  const BlockQ8_0* w = static_cast<const BlockQ8_0*>(vw);
  const BlockQ8_0* x = static_cast<const BlockQ8_0*>(vx);
  const int64_t nb = n / kQK;
  // Lane indices that spread the scales of blocks 2p, 2p + 1 over the low and high 256 bits.
  const __m512i pair0 = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
  const __m512i two = _mm512_set1_epi32(2);
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + kQ8Span <= nb; i += kQ8Span) {
    const uint8_t* xg = reinterpret_cast<const uint8_t*>(x + i);  // see q8_0_x_permute
    const __m512 xd = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(xg + kQ8Span * kQK)));
    const __m512 s = _mm512_mul_ps(q8_scales16(w + i), xd);
    __m512i lanes = pair0;
    for (int p = 0; p < 8; p += 2) {
      prefetch_stream_ahead(w + i + 2 * p, 4 * sizeof(BlockQ8_0));
      const __m512i d0 = dot_i8_512(load_q8_pair(w + i + 2 * p), _mm512_loadu_si512(xg + 64 * p));
      acc0 = _mm512_fmadd_ps(_mm512_permutexvar_ps(lanes, s), _mm512_cvtepi32_ps(d0), acc0);
      lanes = _mm512_add_epi32(lanes, two);
      const __m512i d1 = dot_i8_512(load_q8_pair(w + i + 2 * p + 2), _mm512_loadu_si512(xg + 64 * p + 64));
      acc1 = _mm512_fmadd_ps(_mm512_permutexvar_ps(lanes, s), _mm512_cvtepi32_ps(d1), acc1);
      lanes = _mm512_add_epi32(lanes, two);
    }
  }
  __m256 tail = _mm256_setzero_ps();
  for (; i < nb; ++i) {
    const __m256i wq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[i].qs));
    const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[i].qs));
    const __m256i p = dot_i8(wq, xq);
    tail = _mm256_fmadd_ps(_mm256_set1_ps(h2f_512(w[i].d) * h2f_512(x[i].d)), _mm256_cvtepi32_ps(p), tail);
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1)) + hsum_ps_256(tail);
}

}  // namespace

void fill_avx512_table(TypeTraits* table) {
  table[static_cast<int>(TensorType::kQ4_K)].vec_dot = q4_k_dot_512;
  table[static_cast<int>(TensorType::kQ4_K)].x_permute = q4_k_x_permute;
  table[static_cast<int>(TensorType::kQ6_K)].vec_dot = q6_k_dot_512;
  table[static_cast<int>(TensorType::kQ8_0)].vec_dot = q8_0_dot_512;
  table[static_cast<int>(TensorType::kQ8_0)].x_permute = q8_0_x_permute;
  // Prompts: at this level the 8-bit dots over a tile of rows kept hot for the whole batch beat
  // dequantized tiles + sgemm at every batch size for Q4_K and Q6_K (two threads, Zen 5,
  // matvec_bench --tokens 256, 8960x1536: Q4_K 217 against 178 GFLOP/s, packed 329 against 170;
  // Q6_K 232 against 186; at 32 tokens Q6_K 221 against 127). Plain Q8_0 rows do not (164
  // against 183); packed ones do (fill_avx512_packed_table).
  table[static_cast<int>(TensorType::kQ4_K)].gemm_min_tokens = kNeverGemm;
  table[static_cast<int>(TensorType::kQ6_K)].gemm_min_tokens = kNeverGemm;
}

}  // namespace lantern::engine::kernels

#include "avx512_end.h"
