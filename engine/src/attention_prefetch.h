// Software prefetch of KV cache rows, shared by the SIMD attention kernel files.
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

}  // namespace
}  // namespace lantern::engine
