// KvCache allocation and row stores (float16 conversion happens here, once per row).
#include "kv_cache.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <string>

#include "nn_ops.h"

namespace lantern::engine {
namespace {
// Asks for transparent huge pages over the whole pages of [p, p + bytes). Decode attention reads
// one KV head's part of every cache row of every layer (46 MB per token at 1.6K positions for
// Qwen2-1.5B): with 4 KiB pages nearly every row group costs a TLB walk. Measured on a 1.5B
// Q4_K_M model at 1.6K positions, 2 threads (Zen 5): attention 3.7-4.2 -> 3.2-3.6 ms per token.
void advise_huge_pages(const void* p, size_t bytes) {
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + 4095) & ~uintptr_t{4095};
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~uintptr_t{4095};
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

// n zeroed elements in v, reserved first (untouched memory), advised, then filled: the fill
// faults the pages in as huge pages where the kernel allows them. Throws std::bad_alloc.
template <class T>
void allocate_zeroed(std::vector<T>& v, uint64_t n) {
  v.reserve(n);
  advise_huge_pages(v.data(), n * sizeof(T));
  v.assign(n, T{0});
}
}  // namespace

Result<KvCache> KvCache::create(int32_t n_layer, int32_t n_ctx, int32_t n_head_kv, int32_t head_dim, KvType type) {
  if (n_layer <= 0 || n_ctx <= 0 || n_head_kv <= 0 || head_dim <= 0) {
    return Status::invalid_argument("kv cache: bad size n_layer " + std::to_string(n_layer) + ", n_ctx " +
                                    std::to_string(n_ctx) + ", n_head_kv " + std::to_string(n_head_kv) +
                                    ", head_dim " + std::to_string(head_dim));
  }
  uint64_t n = 0;
  const uint64_t elem = type == KvType::kF32 ? 4 : 2;
  if (__builtin_mul_overflow(static_cast<uint64_t>(n_layer), static_cast<uint64_t>(n_ctx), &n) ||
      __builtin_mul_overflow(n, static_cast<uint64_t>(n_head_kv), &n) ||
      __builtin_mul_overflow(n, static_cast<uint64_t>(head_dim), &n) || n > (uint64_t{1} << 40) / elem) {
    return Status::resource_limit("kv cache: " + std::to_string(n_layer) + " layers x " + std::to_string(n_ctx) +
                                  " positions x " + std::to_string(n_head_kv) + " x " + std::to_string(head_dim) +
                                  " is too large");
  }
  KvCache c;
  c.type_ = type;
  c.n_layer_ = n_layer;
  c.n_ctx_ = n_ctx;
  c.n_head_kv_ = n_head_kv;
  c.head_dim_ = head_dim;
  try {
    if (type == KvType::kF32) {
      allocate_zeroed(c.k32_, n);
      allocate_zeroed(c.v32_, n);
    } else {
      allocate_zeroed(c.k16_, n);
      allocate_zeroed(c.v16_, n);
    }
  } catch (const std::bad_alloc&) {
    return Status::resource_limit("kv cache: out of memory allocating " + std::to_string(2 * n * elem >> 20) +
                                  " MiB for " + std::to_string(n_ctx) + " positions (use a smaller --ctx)");
  }
  return c;
}

uint64_t KvCache::bytes() const {
  return (k32_.size() + v32_.size()) * sizeof(float) + (k16_.size() + v16_.size()) * sizeof(uint16_t);
}

void KvCache::store(int32_t layer, int32_t pos, const float* k, const float* v) {
  for (int32_t h = 0; h < n_head_kv_; ++h) {
    const size_t off = offset(layer, h, pos);
    const float* kh = k + static_cast<size_t>(h) * head_dim_;
    const float* vh = v + static_cast<size_t>(h) * head_dim_;
    if (type_ == KvType::kF32) {
      std::memcpy(k32_.data() + off, kh, sizeof(float) * head_dim_);
      std::memcpy(v32_.data() + off, vh, sizeof(float) * head_dim_);
    } else {
      nn::f32_to_f16_row(kh, k16_.data() + off, head_dim_);
      nn::f32_to_f16_row(vh, v16_.data() + off, head_dim_);
    }
  }
}

}  // namespace lantern::engine
