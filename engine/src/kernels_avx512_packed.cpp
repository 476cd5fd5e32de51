// AVX-512 dot products over packed rows (packed_rows.h): four weight rows against one activation
// row per call, for the weights WeightArena has copied into memory.
//
// The one thing to know: as in kernels_avx512.cpp, everything after avx512_begin.h is compiled
// for AVX-512 and must keep internal linkage (no templates, no std:: calls): see that header.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels.h"
#include "packed_rows.h"

// Last include: everything below is compiled for AVX-512 (see avx512_begin.h).
#include "avx512_begin.h"

namespace lantern::engine::kernels {
namespace {

// The same 16 bytes in every 128-bit lane.
inline __m512i lanes16(__m128i v) { return _mm512_broadcast_i32x4(v); }

// The four rows' 16-byte metas (12 scale bytes, d, dmin; one per 128-bit lane) -> per lane the
// bytes sc0..sc7, mn0..mn7 of that row (k4_scales_vec, four rows at a time).
inline __m512i k4_scales_x4(__m512i meta) {
  const __m512i a = _mm512_shuffle_epi8(meta, lanes16(_mm_setr_epi8(0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11)));
  // Bytes 12..15 of each lane (mins 4..7) take their low bits from the high nibbles of bytes 8..11.
  const __m512i a2 = _mm512_mask_blend_epi32(0x8888, a, _mm512_srli_epi16(a, 4));
  const __m512i low = _mm512_and_si512(
      a2, lanes16(_mm_setr_epi8(63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 15, 15, 15, 15)));
  const char z = static_cast<char>(0x80);
  const __m512i b = _mm512_shuffle_epi8(meta, lanes16(_mm_setr_epi8(z, z, z, z, 0, 1, 2, 3, z, z, z, z, 4, 5, 6, 7)));
  return _mm512_or_si512(low, _mm512_and_si512(_mm512_srli_epi16(b, 2), _mm512_set1_epi8(0x30)));
}

constexpr int64_t kQ4KGroupBytes = sizeof(Q4KPackedGroup);          // per block column
constexpr int64_t kQ4KMeta = offsetof(Q4KPackedGroup, meta);         // offset of the metas in it

// Four rows in the lanes order (packed_rows.h): lane r of every load is row r, so the eight
// loads' byte products (each activation chunk broadcast to the four lanes) add up per lane and
// meet each row's scales and d where they already are, with no shuffle per row. Against the
// one-row-per-load order with two lane permutes per row (Zen 5, bench/RESULTS.md): 56-58 -> 61-62
// GB/s with the groups in L2 (one core); streaming from DRAM with two threads, 2-7% faster in
// each of five paired runs; decode faster in 25 of 27 paired runs.
void q4_k_dot_lanes_512(int64_t n, const void* vg, const void* vx, float* out) {
  const uint8_t* g = static_cast<const uint8_t*>(vg);
  const BlockQ8_K* x = static_cast<const BlockQ8_K*>(vx);
  const __m512i low4 = _mm512_set1_epi8(0x0F);
  const char z = static_cast<char>(0x80);
  // Per lane (row): the 8 mins, and the 8 scales, as 16-bit words.
  const __m512i min_words = lanes16(_mm_setr_epi8(8, z, 9, z, 10, z, 11, z, 12, z, 13, z, 14, z, 15, z));
  const __m512i scale_words = lanes16(_mm_setr_epi8(0, z, 1, z, 2, z, 3, z, 4, z, 5, z, 6, z, 7, z));
  // The halves d, dmin of the four rows: dword 3 of every lane.
  const __m512i d_dwords = _mm512_setr_epi32(3, 7, 11, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  // dd holds d0, dmin0, d1, dmin1, ...: lane r takes row r's dmin, or its d.
  const __m512i dmin_lanes = _mm512_setr_epi32(1, 1, 1, 1, 3, 3, 3, 3, 5, 5, 5, 5, 7, 7, 7, 7);
  const __m512i d_lanes = _mm512_setr_epi32(0, 0, 0, 0, 2, 2, 2, 2, 4, 4, 4, 4, 6, 6, 6, 6);
  __m512 acc = _mm512_setzero_ps();      // lane r: row r's scaled products
  __m512 acc_min = _mm512_setzero_ps();  // lane r: row r's min corrections
  const bool long_row = n >= kLongRowCols;
  for (int64_t i = 0; i < n / kQK_K; ++i, g += kQ4KGroupBytes) {
    prefetch_stream_ahead(g, kQ4KGroupBytes);
    if (long_row) prefetch_activations(x + i + 2, sizeof(BlockQ8_K));
    const __m512i meta = _mm512_loadu_si512(g + kQ4KMeta);
    const __m512i sm = k4_scales_x4(meta);
    const __m512 dd = _mm512_castps256_ps512(_mm256_mul_ps(
        _mm256_cvtph_ps(_mm512_castsi512_si128(_mm512_permutexvar_epi32(d_dwords, meta))), _mm256_set1_ps(x[i].d)));
    const __m512i bsums = lanes16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x[i].bsums)));
    const __m512i mins = _mm512_madd_epi16(_mm512_shuffle_epi8(sm, min_words), bsums);
    acc_min = _mm512_fmadd_ps(_mm512_permutexvar_ps(dmin_lanes, dd), _mm512_cvtepi32_ps(mins), acc_min);
    const __m512i scales = _mm512_shuffle_epi8(sm, scale_words);
    const int8_t* xq = x[i].qs;
    __m512i sum = _mm512_setzero_si512();
    for (int half = 0; half < 2; ++half) {
      // Four loads' products per 16-bit word: |p| <= 4 * 2 * 2 * 15 * 127 = 30480.
      __m512i p = _mm512_setzero_si512();
      for (int k = 4 * half; k < 4 * half + 4; ++k) {
        const __m512i q = _mm512_loadu_si512(g + 64 * k);
        const __m512i x_lo = lanes16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(xq + 32 * k)));
        const __m512i x_hi = lanes16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(xq + 32 * k + 16)));
        p = _mm512_add_epi16(p, _mm512_maddubs_epi16(_mm512_and_si512(q, low4), x_lo));
        p = _mm512_add_epi16(p, _mm512_maddubs_epi16(_mm512_and_si512(_mm512_srli_epi16(q, 4), low4), x_hi));
      }
      sum = _mm512_add_epi32(sum, _mm512_madd_epi16(p, scales));
    }
    acc = _mm512_fmadd_ps(_mm512_permutexvar_ps(d_lanes, dd), _mm512_cvtepi32_ps(sum), acc);
  }
  alignas(64) float a[16], m[16];
  _mm512_store_ps(a, acc);
  _mm512_store_ps(m, acc_min);
  for (int r = 0; r < kPackRows; ++r) {
    out[r] = ((a[4 * r] + a[4 * r + 1]) + (a[4 * r + 2] + a[4 * r + 3])) - ((m[4 * r] + m[4 * r + 1]) + (m[4 * r + 2] + m[4 * r + 3]));
  }
}

// ---- Q8_0 ----------------------------------------------------------------------------------------

constexpr int64_t kQ8SpanBytes = kPackRows * kQ8Span * sizeof(BlockQ8_0);  // 2176: 34 cache lines
constexpr int64_t kQ8SpanScales = kPackRows * kQ8Span * kQK;             // offset of the scales

// Four Q8_0 rows against activations in the AVX-512 Q8_0 order: per span of 16 blocks, the
// activations' eight 64-byte loads serve all four rows, and each row's 16 scales are converted
// together.
void q8_0_dot_packed_512(int64_t n, const void* vg, const void* vx, float* out) {
  const uint8_t* g = static_cast<const uint8_t*>(vg);
  const uint8_t* x = static_cast<const uint8_t*>(vx);
  const int64_t nb = n / kQK;
  // Lanes 0-7 take the scale of block 2p, lanes 8-15 that of block 2p + 1.
  const __m512i pair0 = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
  const __m512i two = _mm512_set1_epi32(2);
  __m512 acc[kPackRows];
  for (int r = 0; r < kPackRows; ++r) acc[r] = _mm512_setzero_ps();
  const bool long_row = n >= kLongRowCols;
  int64_t i = 0;
  for (; i + kQ8Span <= nb; i += kQ8Span, g += kQ8SpanBytes, x += kQ8Span * sizeof(BlockQ8_0)) {
    prefetch_stream_ahead(g, kQ8SpanBytes);
    if (long_row) prefetch_activations(x + 2 * kQ8Span * sizeof(BlockQ8_0), kQ8Span * sizeof(BlockQ8_0));
    const __m512 xd = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + kQ8Span * kQK)));
    __m512i xq[8];
    for (int p = 0; p < 8; ++p) xq[p] = _mm512_loadu_si512(x + 64 * p);
    for (int r = 0; r < kPackRows; ++r) {
      const __m512 s = _mm512_mul_ps(
          _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(g + kQ8SpanScales + 32 * r))), xd);
      __m512i lanes = pair0;
      for (int p = 0; p < 8; ++p) {
        const __m512i d = dot_i8_512(_mm512_loadu_si512(g + 512 * r + 64 * p), xq[p]);
        acc[r] = _mm512_fmadd_ps(_mm512_permutexvar_ps(lanes, s), _mm512_cvtepi32_ps(d), acc[r]);
        lanes = _mm512_add_epi32(lanes, two);
      }
    }
  }
  // The last nb % 16 block columns: 136 bytes each, activations in the plain Q8_0 layout.
  const BlockQ8_0* xb = reinterpret_cast<const BlockQ8_0*>(x);
  __m256 tail[kPackRows];
  for (int r = 0; r < kPackRows; ++r) tail[r] = _mm256_setzero_ps();
  for (int64_t k = 0; i < nb; ++i, ++k, g += kPackRows * sizeof(BlockQ8_0)) {
    const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[k].qs));
    const float dx = h2f_512(xb[k].d);
    for (int r = 0; r < kPackRows; ++r) {
      uint16_t dw;
      __builtin_memcpy(&dw, g + kPackRows * kQK + 2 * r, 2);
      const __m256i p = dot_i8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(g + kQK * r)), y);
      tail[r] = _mm256_fmadd_ps(_mm256_set1_ps(h2f_512(dw) * dx), _mm256_cvtepi32_ps(p), tail[r]);
    }
  }
  for (int r = 0; r < kPackRows; ++r) out[r] = _mm512_reduce_add_ps(acc[r]) + hsum_ps_256(tail[r]);
}

// ---- Q4_K lanes order: pack, unpack, activations, dequantization -----------------------------------------------

// Words gathered from four vectors of 32 words: word w of the result is word index[w] of v[0] / v[1]
// (index >= 32: v[1]) where `upper` has no bit w, else of v[2] / v[3].
inline __m512i gather_words(const __m512i* v, __m512i index, __mmask32 upper) {
  return _mm512_mask_blend_epi16(upper, _mm512_permutex2var_epi16(v[0], index, v[1]),
                                 _mm512_permutex2var_epi16(v[2], index, v[3]));
}

// pack_q4_k (packed_rows.cpp, the layout's definition) in vectors: each row's nibbles one
// byte per element in the file's order (four 64-byte vectors), gathered by 16-bit words (pairs of
// neighbouring elements, which the lanes order keeps together) into loads 0-3 and 4-7 of that
// row, low and high nibbles apart, paired into bytes again, and stored one 16-byte lane per load.
// 0.8 -> 14-25 GB/s of weights on the copying thread (kernel_bench, Zen 5).
void q4_k_pack_lanes_512(const void* rows, void* group, int64_t n) {
  const int64_t nb = n / kQK_K;
  const BlockQ4_K* src = static_cast<const BlockQ4_K*>(rows);
  uint8_t* g = static_cast<uint8_t*>(group);
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  // Vector 2kk + h holds nibble h of loads 4kk .. 4kk + 3: its word j is row byte pair j % 8 of
  // load 4kk + j / 8, elements 32 (j % 8) + 4k + 2h + 0..1 (q4_k_lanes_element), which are word
  // 16 (j % 8) + 8kk + 2 (j / 8) + h of the row, in natural vector (j % 8) / 2.
  alignas(64) uint16_t idx[4][32];
  uint32_t upper = 0;
  for (int v = 0; v < 4; ++v) {
    const int kk = v / 2, h = v % 2;
    for (int j = 0; j < 32; ++j) {
      const int w = j % 8;
      idx[v][j] = static_cast<uint16_t>((w / 2 % 2) * 32 + 16 * (w % 2) + 8 * kk + 2 * (j / 8) + h);
      if (v == 0 && w >= 4) upper |= 1u << j;
    }
  }
  for (int64_t i = 0; i < nb; ++i, g += kQ4KGroupBytes) {
    for (int r = 0; r < kPackRows; ++r) {
      const BlockQ4_K& b = src[r * nb + i];
      __m512i e[4];  // natural order: elements 64c .. 64c + 63, one per byte
      for (int c = 0; c < 4; ++c) {
        const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * c));
        e[c] = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_and_si256(q, low4)),
                                  _mm256_and_si256(_mm256_srli_epi16(q, 4), low4), 1);
      }
      for (int kk = 0; kk < 2; ++kk) {
        const __m512i lo = gather_words(e, _mm512_load_si512(idx[2 * kk]), upper);
        const __m512i hi = gather_words(e, _mm512_load_si512(idx[2 * kk + 1]), upper);
        const __m512i bytes = _mm512_or_si512(lo, _mm512_slli_epi16(hi, 4));
        uint8_t* dst = g + 64 * (4 * kk) + 16 * r;
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm512_castsi512_si128(bytes));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 64), _mm512_extracti32x4_epi32(bytes, 1));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 128), _mm512_extracti32x4_epi32(bytes, 2));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 192), _mm512_extracti32x4_epi32(bytes, 3));
      }
      uint8_t* meta = g + kQ4KMeta + 16 * r;
      __builtin_memcpy(meta, b.scales, 12);
      __builtin_memcpy(meta + 12, &b.d, 2);
      __builtin_memcpy(meta + 14, &b.dmin, 2);
    }
  }
}

// unpack_q4_k_row in vectors, the pack above backwards: row r's eight 16-byte lanes as two
// vectors of bytes, split into nibbles (vector 2kk + h: nibble h of loads 4kk .. 4kk + 3), gathered
// by words into the file's element order and paired into the plain bytes: 1.6 -> 14 GB/s (get_row).
void q4_k_unpack_lanes_row_512(const void* group, int64_t r, void* row, int64_t n) {
  const uint8_t* g = static_cast<const uint8_t*>(group);
  BlockQ4_K* out = static_cast<BlockQ4_K*>(row);
  const __m512i low4 = _mm512_set1_epi8(0x0F);
  // Word w of natural vector c is row word 16 (2c + w / 16) + w % 16, which lies in vector
  // 2 (w % 16 / 8) + w % 2 as its word 8 (w % 8 / 2) + 2c + w / 16.
  alignas(64) uint16_t idx[4][32];
  uint32_t upper = 0;
  for (int c = 0; c < 4; ++c) {
    for (int w = 0; w < 32; ++w) {
      idx[c][w] = static_cast<uint16_t>(32 * (w % 2) + 8 * (w % 8 / 2) + 2 * c + w / 16);
      if (c == 0 && w % 16 >= 8) upper |= 1u << w;
    }
  }
  for (int64_t i = 0; i < n / kQK_K; ++i, g += kQ4KGroupBytes) {
    __m512i v[4];
    for (int kk = 0; kk < 2; ++kk) {
      const uint8_t* src = g + 64 * (4 * kk) + 16 * r;
      __m512i bytes = _mm512_castsi128_si512(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src)));
      bytes = _mm512_inserti32x4(bytes, _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 64)), 1);
      bytes = _mm512_inserti32x4(bytes, _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 128)), 2);
      bytes = _mm512_inserti32x4(bytes, _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 192)), 3);
      v[2 * kk] = _mm512_and_si512(bytes, low4);
      v[2 * kk + 1] = _mm512_and_si512(_mm512_srli_epi16(bytes, 4), low4);
    }
    BlockQ4_K& b = out[i];
    for (int c = 0; c < 4; ++c) {
      const __m512i e = gather_words(v, _mm512_load_si512(idx[c]), upper);  // elements 64c .. 64c + 63
      const __m256i q = _mm256_or_si256(_mm512_castsi512_si256(e), _mm256_slli_epi16(_mm512_extracti64x4_epi64(e, 1), 4));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(b.qs + 32 * c), q);
    }
    const uint8_t* meta = g + kQ4KMeta + 16 * r;
    __builtin_memcpy(b.scales, meta, 12);
    __builtin_memcpy(&b.d, meta + 12, 2);
    __builtin_memcpy(&b.dmin, meta + 14, 2);
  }
}

// q4_k_x_permute_packed with word shuffles. In 16-bit words (pairs of neighbouring elements, which
// the packed order keeps together), word w of output vector h is input word 16 (w % 8) + 4h + w / 8
// (q4_k_packed_element): words with w % 8 < 4 come from the block's first 128 bytes, the others
// from the same place in its last 128. Each sub-block's sum is the sum of its two halves' bsums,
// which the quantizer left in the block: 0.26 instead of 3.5 us for an 8960-column row (Zen 5).
void q4_k_x_permute_packed_512(void* vx, int64_t n) {
  BlockQ8_K* x = static_cast<BlockQ8_K*>(vx);
  __m512i idx[4];
  for (int h = 0; h < 4; ++h) {
    alignas(64) int16_t w16[32];
    for (int w = 0; w < 32; ++w) w16[w] = static_cast<int16_t>(16 * (w % 4) + 4 * h + w / 8);
    idx[h] = _mm512_load_si512(w16);
  }
  const __mmask32 second_half = 0xF0F0F0F0u;  // words with w % 8 >= 4
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    int8_t* q = x[i].qs;
    const __m512i v0 = _mm512_loadu_si512(q), v1 = _mm512_loadu_si512(q + 64);
    const __m512i v2 = _mm512_loadu_si512(q + 128), v3 = _mm512_loadu_si512(q + 192);
    __m512i out[4];
    for (int h = 0; h < 4; ++h) {
      out[h] = _mm512_mask_blend_epi16(second_half, _mm512_permutex2var_epi16(v0, idx[h], v1),
                                       _mm512_permutex2var_epi16(v2, idx[h], v3));
    }
    for (int h = 0; h < 4; ++h) _mm512_storeu_si512(q + 64 * h, out[h]);
    int16_t* b = x[i].bsums;
    for (int s = 0; s < 8; ++s) b[s] = static_cast<int16_t>(b[2 * s] + b[2 * s + 1]);
    for (int s = 8; s < 16; ++s) b[s] = 0;
  }
}

// Dequantizes a lanes group (sgemm tiles; prompts take the dots at this level, so this serves
// LANTERN_GEMM_MIN_TOKENS) with the vector unpack and this level's plain to_float.
void q4_k_to_float_lanes_512(const void* vg, float* out, int64_t n) {
  q4_k_to_float_group(vg, out, n, q4_k_unpack_lanes_row_512, traits_at(SimdLevel::kAvx512, TensorType::kQ4_K)->to_float);
}

}  // namespace

void fill_avx512_packed_table(TypeTraits* table) {
  TypeTraits& q80 = table[static_cast<int>(TensorType::kQ8_0)];
  q80.pack = pack_q8_0;
  q80.unpack_row = unpack_q8_0_row;
  q80.x_permute_packed = q80.x_permute;  // the same activations as the plain AVX-512 dot
  q80.vec_dot_packed = q8_0_dot_packed_512;
  q80.to_float_packed = q8_0_to_float_packed;
  q80.packed_gemm_min_tokens = kNeverGemm;  // prompts: 213 against 161 GFLOP/s (see fill_avx512_table)
  TypeTraits& q4k = table[static_cast<int>(TensorType::kQ4_K)];
  q4k.pack = q4_k_pack_lanes_512;  // pack_q4_k (packed_rows.h) in vectors
  q4k.unpack_row = q4_k_unpack_lanes_row_512;
  q4k.x_permute_packed = q4_k_x_permute_packed_512;  // the activations' order (packed_rows.h)
  q4k.vec_dot_packed = q4_k_dot_lanes_512;
  q4k.to_float_packed = q4_k_to_float_lanes_512;
  q4k.packed_gemm_min_tokens = kNeverGemm;
  q4k.band_min_cols = kQ4KBandMinCols;  // one block column is one Q4KPackedGroup
  q4k.band_segment_blocks = kQ4KBandSegmentBlocks;
  // No bands for Q8_0: segments of two spans (1 KB of activations) measured 0.98-1.06 times the
  // speed of whole groups over 8960-column rows (matvec_bench --compare-bands), so not worth it.
}

}  // namespace lantern::engine::kernels

#include "avx512_end.h"
