// Small SSE/AVX2 helpers shared by the kernel files (kernels_avx2.cpp, and the AVX-512 ones
// through avx512_begin.h).
//
// The one thing to know: everything here has internal linkage (anonymous namespace), so each
// kernel file compiles its own copy with its own target flags. Never include it from code that
// runs without a CPU check.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace lantern::engine::kernels {
namespace {

// Weights stream from DRAM during decode, and the hardware prefetchers alone leave the loads
// waiting. prefetch_ahead serves the AVX2 quantized dots (the AVX-512 dots and the float dot use
// prefetch_stream_ahead below). A software prefetch into L2 (T1) kPrefetchBytes ahead of the
// block being read worked best with two threads on an Intel VM (bench/matvec_bench, weights in
// DRAM, of the measured read bandwidth): Q8_0 no prefetch 56%, 0.9 KB ahead into L1 (T0) 75%,
// 2 KB T0 77-80%, 2-8 KB T1 83-86%.
// Prefetching into L1 that far ties up its few line-fill buffers for the whole DRAM latency.
// A second, short prefetch then moves the lines from L2 into L1 kL1PrefetchBytes ahead (Q8_0,
// whose 34-byte blocks straddle lines: 22.8 -> 24.7 GB/s).
constexpr size_t kPrefetchBytes = 4096;
constexpr size_t kL1PrefetchBytes = 512;
// Prefetches the `bytes` (one block) that lie kPrefetchBytes after p into L2, and those
// kL1PrefetchBytes after p into L1.
inline void prefetch_ahead(const void* p, size_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (size_t off = 0; off < bytes; off += 64) {
    _mm_prefetch(c + kPrefetchBytes + off, _MM_HINT_T1);
    _mm_prefetch(c + kL1PrefetchBytes + off, _MM_HINT_T0);
  }
}

// For the AVX-512 dots (packed and plain rows) and the float dot: prefetches the `bytes` that lie
// kStreamPrefetchBytes after p, non-temporally (into L1, bypassing the normal L2 insertion).
// The AVX2 quantized dots keep prefetch_ahead: at that level they are compute bound on Zen 5, and
// Q8_0 lost 4% with this one.
// Measured on AMD Zen 5 (a throwaway loop over 1 GiB of packed Q4_K groups; matvec_bench
// --packed 1; model decode, in pairs against the build before): into L2 (T1) 4 KB ahead the
// packed Q4_K dot streamed 21-25 GB/s on one core, with no prefetch 24-25, T0 8 KB ahead 30-32,
// NTA 4-16 KB ahead 30-34 (a plain read: 31-36 in the same minutes). Two threads: 46-51 GB/s
// against 56-65, and Q4_K_M decode went from 43.5-45.5 to 52.4-55.0 tokens/s.
constexpr size_t kStreamPrefetchBytes = 8192;
inline void prefetch_stream_ahead(const void* p, size_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (size_t off = 0; off < bytes; off += 64) _mm_prefetch(c + kStreamPrefetchBytes + off, _MM_HINT_NTA);
}

// Prefetches the activations a dot will read two blocks from now (`bytes` from p) into L1. For
// long rows the activations of one call (ffn_down, 8960 columns: 10 KB of Q8_K) are evicted by the
// weights streaming past, and every reload from L2 stalls the stream; with this prefetch the
// packed Q4_K dot over 8960-column rows read 74 instead of 66 GB/s (two threads, Zen 5, medians of
// 15 interleaved passes; 74.5 against 72.4 at 1536 columns).
// The packed dots call it only for rows of at least kLongRowCols columns: over short rows the
// activations stay in L1 anyway, and the prefetches only take load slots. Without them, with the
// weights in L2 (kernel_bench, one core, 1536 columns): packed Q4_K 55 -> 59, packed Q8_0 60 ->
// 62-67. The one-row dots (Q6_K, plain Q4_K) do not call it: see q6_k_dot_512.
constexpr int64_t kLongRowCols = 4096;
inline void prefetch_activations(const void* p, size_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (size_t off = 0; off < bytes + 63; off += 64) _mm_prefetch(c + off, _MM_HINT_T0);
}

// The 12 scale bytes of a Q4_K / Q5_K block -> bytes sc0..sc7, mn0..mn7 of one 128-bit vector
// (same packing as unpack_k4_scales), in registers: two byte shuffles gather each output byte's
// low and high source bits, and per-byte masks keep the right bits. Reads 16 bytes from `scales`
// (the block continues past the 12 scale bytes).
inline __m128i k4_scales_vec(const uint8_t* scales) {
  const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(scales));
  const __m128i a = _mm_shuffle_epi8(q, _mm_setr_epi8(0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11));
  // Bytes 12..15 (mins 4..7) take their low bits from the high nibbles of q8..q11.
  const __m128i a2 = _mm_blend_epi32(a, _mm_srli_epi16(a, 4), 0x8);
  const __m128i low = _mm_and_si128(a2, _mm_setr_epi8(63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 15, 15, 15, 15));
  const char z = static_cast<char>(0x80);
  const __m128i b = _mm_shuffle_epi8(q, _mm_setr_epi8(z, z, z, z, 0, 1, 2, 3, z, z, z, z, 4, 5, 6, 7));
  return _mm_or_si128(low, _mm_and_si128(_mm_srli_epi16(b, 2), _mm_set1_epi8(0x30)));
}

// [d * dx, dmin * dx, 0, 0] from a K-quant block's two consecutive halves d, dmin.
inline __m128 k4_block_scales(const uint16_t* d_dmin, float dx) {
  uint32_t bits;
  __builtin_memcpy(&bits, d_dmin, 4);
  return _mm_mul_ps(_mm_cvtph_ps(_mm_cvtsi32_si128(static_cast<int>(bits))), _mm_set1_ps(dx));
}

// One K-quant block's min correction, min_j * (activation sum of sub-block j) for the 8
// sub-blocks, accumulated as floats scaled by dmin * dx: no horizontal sum per block.
// `dup_mins` picks each min byte of `sm` twice, in the order the bsums pairs are stored.
inline __m256 k4_min_accumulate(__m128i sm, __m128i dup_mins, const int16_t* bsums, __m128 dd, __m256 acc) {
  const __m256i mins = _mm256_cvtepu8_epi16(_mm_shuffle_epi8(sm, dup_mins));
  const __m256i prod = _mm256_madd_epi16(mins, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bsums)));
  return _mm256_fmadd_ps(_mm256_broadcastss_ps(_mm_movehdup_ps(dd)), _mm256_cvtepi32_ps(prod), acc);
}

// Signed int8 x signed int8 pairwise products summed into 8 int32 (maddubs needs an unsigned
// left operand: move w's sign onto y).
inline __m256i dot_i8(__m256i w, __m256i y) {
  const __m256i aw = _mm256_sign_epi8(w, w);
  const __m256i sy = _mm256_sign_epi8(y, w);
  return _mm256_madd_epi16(_mm256_maddubs_epi16(aw, sy), _mm256_set1_epi16(1));
}

inline float hsum_ps_256(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

}  // namespace
}  // namespace lantern::engine::kernels
