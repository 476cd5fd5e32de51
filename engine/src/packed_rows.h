// Packed rows: weight layouts regrouped for the decode kernels, made once when the weights are
// copied into memory (WeightArena) and never written to a file.
//
// The one thing to know: a group holds kPackRows (4) consecutive rows of a matrix in exactly the
// bytes those rows take in the file, so a packed matrix keeps its size and row r's group starts
// where row r / 4 * 4 started. Inside a group the rows are interleaved by block columns (Q4_K)
// or spans of 16 block columns (Q8_0), so that one pass over the group streams all four rows in
// whole, aligned cache lines and the activations are loaded once for the four. Q4_K's quants are
// also reordered so that one 64-byte load feeds the dot products without shuffles, and its
// activations are reordered to match (x_permute_packed), once per token: one row per 128-bit
// lane of every load (the lanes order). These functions define the layouts (plain C++, run on
// every CPU); the dots that read them are in kernels_avx512_packed.cpp (Q4_K and Q8_0) and
// kernels_avx2.cpp (Q4_K, in 32-byte halves of the same loads). Q6_K was tried
// too and left plain, twice: one row per load, its packed dot computed 28% faster in L2 but read
// no faster from DRAM, and decode came out 2-4% slower; in a lanes order, 15% faster in L2 and
// decode again slower, in 15 of 21 paired runs (bench/RESULTS.md).
#pragma once

#include <cstdint>

#include "kernels.h"

namespace lantern::engine::kernels {

// Q4_K, per block column (576 bytes per group): the rows' quants in the lanes order (below), then
// the rows' metas: 12 scale bytes, then the d and dmin halves.
struct Q4KPackedGroup {
  uint8_t qs[4][128];
  uint8_t meta[4][16];
};
static_assert(sizeof(Q4KPackedGroup) == 576);
// Lanes order (both SIMD levels): the quants lie as eight 64-byte loads with one row per 128-bit
// lane: byte 64k + 16r + b (k = 0..7, r = 0..3, b = 0..15) of the group is row r's byte b of
// load k, and holds element q4_k_lanes_element(k, 0, b) in its low nibble and
// q4_k_lanes_element(k, 1, b) in its high nibble. Word b / 2 of every lane of every load is
// sub-block b / 2, so each lane's products, summed over the loads, are multiplied by that row's
// eight scales in place, with no lane shuffles per row. The AVX-512 dot reads each load whole;
// the AVX2 dot reads it as two 32-byte halves (rows 0 and 1, rows 2 and 3). An earlier order with
// one row per load needed two lane permutes per row and block: it bound the AVX-512 dot on Zen 5
// when the bus was fast, and on Zen 3 the AVX2 dot read 18% slower than this one in L2.
int q4_k_lanes_element(int k, int h, int b);
void pack_q4_k(const void* rows, void* group, int64_t n);
void unpack_q4_k_row(const void* group, int64_t r, void* row, int64_t n);
// A group's dequantization (sgemm tiles): each row's block through a level's unpack_row (this
// layout's), then its plain to_float, so that it gives the plain rows' floats exactly.
void q4_k_to_float_group(const void* group, float* out, int64_t n, UnpackRowFn unpack_row, ToFloatFn to_float);
// The activations' order: Q8_K with qs[64h + b] = element q4_k_packed_element(h, b) (h = 0..3,
// b = 0..63), so that activation qs[32k + 16h + b], the partner of load k's nibble h in byte b of
// every lane, is element q4_k_lanes_element(k, h, b); bsums[s] for s < 8 the sum of sub-block s's
// 32 quants (bsums[8..15] unused). Element e belongs to sub-block e / 32, and 16-bit word b / 2 of
// every 64 bytes holds elements of sub-block b / 2 % 8 only.
int q4_k_packed_element(int h, int b);
void q4_k_x_permute_packed(void* x, int64_t n);

// Q8_0, per span of kQ8Span block columns (512 columns; 2176 bytes per group, 34 cache lines):
//   int8_t qs[4][16][32]  row r's 16 blocks' quants, 512 bytes per row
//   uint16_t d[4][16]     their scales
// then, for the last n / 32 % 16 block columns, per block column (136 bytes):
//   int8_t qs[4][32]; uint16_t d[4]
// Activations: the AVX-512 Q8_0 order, which groups the same kQ8Span blocks (their quants, then
// their scales; q8_0_x_permute in kernels_avx512.cpp), so the plain and the packed dot share them.
constexpr int64_t kQ8Span = 16;
void pack_q8_0(const void* rows, void* group, int64_t n);
void unpack_q8_0_row(const void* group, int64_t r, void* row, int64_t n);
// out[kPackRows][n] (the plain to_float's floats: d * q).
void q8_0_to_float_packed(const void* group, float* out, int64_t n);

// ---- bands ----------------------------------------------------------------------------------------
// Long packed rows (TypeTraits::band_min_cols; Q4_K only: ffn_down's 8960 columns) are stored in
// bands of kBandGroups groups (16 rows): the band's block columns are cut into segments
// (BandShape; the last may be shorter), and a band holds segment 0 of each of its groups in turn,
// then segment 1 of each, and so on. The product reads a band in one sequential pass, and each
// segment's activations (2 KB of Q8_K for Q4_K's 8 blocks) serve four groups from L1. Over whole
// groups the activations of a long row (10 KB for 8960 columns) were pushed out of L1 by the 20 KB
// of weights between two uses, and the packed Q4_K dot read 15-25% slower than over short rows
// (two threads, Zen 5; bench/RESULTS.md). The last band of a matrix may hold fewer groups; bands
// start every kBandRows rows from the matrix's first row.
constexpr int64_t kBandGroups = 4;
constexpr int64_t kBandRows = kBandGroups * kPackRows;
// Q4_K's bands, at every level with a packed Q4_K dot (TypeTraits::band_min_cols and
// band_segment_blocks): from ffn_down's length on, segments of 2 KB of Q8_K activations.
constexpr int64_t kQ4KBandMinCols = 4096;
constexpr int64_t kQ4KBandSegmentBlocks = 8;
// Groups in the band that starts at row b (a multiple of kBandRows) of a matrix whose first
// packed_rows rows are in groups.
inline int64_t band_groups(int64_t packed_rows, int64_t b) {
  return packed_rows - b < kBandRows ? (packed_rows - b) / kPackRows : kBandGroups;
}
// Offset, from its band's start, of group g's segment s in a band of n_groups groups.
int64_t band_offset(const BandShape& b, int64_t n_groups, int64_t g, int64_t s);
// band <- the n_groups consecutive groups at `groups`, in band order; and back, one group.
void to_band(const void* groups, void* band, int64_t n_groups, const BandShape& b);
void group_from_band(const void* band, int64_t n_groups, int64_t g, void* group, const BandShape& b);
// The packed_rows rows at `rows`, consecutive groups of rows of row_bytes, reordered into bands in
// place (for copies made whole groups first; WeightArena bands each band as it packs it).
void to_bands(void* rows, int64_t packed_rows, int64_t row_bytes, const BandShape& b);

}  // namespace lantern::engine::kernels
