// How the SIMD attention kernel files walk the query heads and the KV cache rows: tiles of up to
// kMaxTileHeads heads that share each converted K or V slice, and a software prefetch of the rows
// kRowsAhead keys on.
//
// The one thing to know: internal linkage only (the kernel files are compiled for different CPU
// levels; see avx512_begin.h).
#pragma once

#include <cstdint>

namespace lantern::engine {
namespace {

// Each tile of keys asks for the cache rows kRowsAhead keys on. Six heads of one KV head over
// 1536 keys of a cache in DRAM (128 elements, one thread, Zen 5), AVX-512 kernels: 40-54 us per
// call without, 38 with. When the KV heads' rows were still interleaved (256 of every 512 bytes
// read), it made 246 us into 66 (AVX2: 135 into 99), and asking 8 / 16 / 64 keys ahead gave
// 119 / 78 / 69.
constexpr int32_t kRowsAhead = 32;

// Prefetches the n elements at row into L1.
template <class T>
inline void prefetch_row(const T* row, int32_t n) {
  const char* c = reinterpret_cast<const char*>(row);
  for (int32_t b = 0; b < n * static_cast<int32_t>(sizeof(T)); b += 64) __builtin_prefetch(c + b, 0, 3);
}

// Calls tile.template operator()<J>(j) for keys [j, j + J) in steps of J, then <1> for each key
// left, asking before each tile for the rows kRowsAhead keys on (row(j): key j's row of n
// elements).
template <int J, class Row, class Tile>
void for_key_tiles(int32_t n_keys, int32_t n, Row&& row, Tile&& tile) {
  int32_t j = 0;
  for (; j + J <= n_keys; j += J) {
    for (int r = 0; r < J; ++r) prefetch_row(row(j + kRowsAhead + r), n);
    tile.template operator()<J>(j);
  }
  for (; j < n_keys; ++j) tile.template operator()<1>(j);
}

// Heads one tile serves at most. Every cached K or V element serves all query heads of its KV
// head (6 for Qwen2-1.5B), and each tile converts it once. 6 heads fit the registers of both sets:
// AVX-512 6 x 4 key accumulators + 4 keys + a query (29 of 32), AVX2 6 x 2 + 2 + 1 (15 of 16).
constexpr int kMaxTileHeads = 6;

// Heads taken per tile: all that are left up to kMaxTileHeads, and 7 or 8 as two even halves.
inline int tile_heads(int left) {
  if (left <= kMaxTileHeads) return left;
  return left <= 2 * 4 ? 4 : kMaxTileHeads;
}

// Calls tile.template operator()<H>(h) for consecutive tiles of H heads covering [0, g).
template <class Tile>
void for_head_tiles(int32_t g, Tile&& tile) {
  for (int32_t h = 0; h < g;) {
    const int hn = tile_heads(g - h);
    switch (hn) {
      case 1: tile.template operator()<1>(h); break;
      case 2: tile.template operator()<2>(h); break;
      case 3: tile.template operator()<3>(h); break;
      case 4: tile.template operator()<4>(h); break;
      case 5: tile.template operator()<5>(h); break;
      default: tile.template operator()<6>(h); break;
    }
    h += hn;
  }
}

}  // namespace
}  // namespace lantern::engine
