// Packed rows: weight layouts regrouped for the decode kernels, made once when the weights are
// copied into memory (WeightArena) and never written to a file.
//
// The one thing to know: a group holds kPackRows (4) consecutive rows of a matrix in exactly the
// bytes those rows take in the file, so a packed matrix keeps its size and row r's group starts
// where row r / 4 * 4 started. Inside a group the rows are interleaved block column by block
// column (one pass over the group streams all four rows), and each block's quants are reordered
// so that one 64-byte load feeds the dot products without shuffles. The activations are reordered
// to match (x_permute_packed), once per token. These functions define the layouts (plain C++, run
// on every CPU); the dots that read them are in kernels_avx512_packed.cpp.
#pragma once

#include <cstdint>

namespace lantern::engine::kernels {

// Q4_K, per block column (576 bytes per group):
//   uint8_t qs[4][128]   row r's quants in packed order (below), 64-byte aligned within the group
//   uint8_t meta[4][16]  row r's 12 scale bytes, then its d and dmin halves
// Packed order: byte 64k + b (k = 0, 1; b = 0..63) holds element q4_k_packed_element(2k, b) in its
// low nibble and q4_k_packed_element(2k + 1, b) in its high nibble. Element e belongs to
// sub-block e / 32, and the 16-bit word b / 2 of every load holds elements of sub-block b / 2 % 8
// only, so the four loads' byte products can be summed before one multiply by the eight scales.
int q4_k_packed_element(int h, int b);
void pack_q4_k(const void* rows, void* group, int64_t n);
void unpack_q4_k_row(const void* group, int64_t r, void* row, int64_t n);
// Q8_K activations for the packed Q4_K dot: qs in packed order (qs[64h + b] is element
// q4_k_packed_element(h, b)), bsums[s] for s < 8 the sum of sub-block s's 32 quants (bsums[8..15]
// unused).
void q4_k_x_permute_packed(void* x, int64_t n);

}  // namespace lantern::engine::kernels
