// The key/value cache of one session: every layer's K and V rows for each position so far.
//
// Layout: K and V each [n_layer][n_head_kv][n_ctx][head_dim], stored as float32 or float16 (half the
// memory; about 0.05% relative error on logits). Each KV head's rows are contiguous: decode
// attention reads one KV head over all positions, a single stream the hardware prefetchers follow
// (with rows of all heads interleaved, it read 256 of every 512 bytes and ran ~1.5x slower).
// Invariants: (1) the cache never reallocates after create(), so row pointers stay valid; (2) it
// does not know how many positions are valid: the Session owns that count (its token list), and
// rows past it hold stale data that attention never reads.
#pragma once

#include <cstdint>
#include <vector>

#include "lantern/engine/session.h"
#include "lantern/status.h"

namespace lantern::engine {

class KvCache {
 public:
  KvCache() = default;
  // Allocates the whole cache; kResourceLimit when the size overflows or memory runs out.
  static Result<KvCache> create(int32_t n_layer, int32_t n_ctx, int32_t n_head_kv, int32_t head_dim, KvType type);

  // Writes position `pos` of `layer`. k, v: [n_embd_kv] = [n_head_kv][head_dim].
  void store(int32_t layer, int32_t pos, const float* k, const float* v);

  KvType type() const { return type_; }
  int32_t n_ctx() const { return n_ctx_; }
  int32_t n_head_kv() const { return n_head_kv_; }
  int32_t head_dim() const { return head_dim_; }
  int32_t n_embd_kv() const { return n_head_kv_ * head_dim_; }
  uint64_t bytes() const;

  // KV head `head`'s row at position `pos` of `layer`: [head_dim] elements of type(), float32 or
  // uint16_t (f16); the row of pos + 1 follows it directly.
  const float* k32(int32_t layer, int32_t head, int32_t pos) const { return k32_.data() + offset(layer, head, pos); }
  const float* v32(int32_t layer, int32_t head, int32_t pos) const { return v32_.data() + offset(layer, head, pos); }
  const uint16_t* k16(int32_t layer, int32_t head, int32_t pos) const { return k16_.data() + offset(layer, head, pos); }
  const uint16_t* v16(int32_t layer, int32_t head, int32_t pos) const { return v16_.data() + offset(layer, head, pos); }

 private:
  size_t offset(int32_t layer, int32_t head, int32_t pos) const {
    return ((static_cast<size_t>(layer) * n_head_kv_ + head) * n_ctx_ + pos) * head_dim_;
  }

  KvType type_ = KvType::kF16;
  int32_t n_layer_ = 0, n_ctx_ = 0, n_head_kv_ = 0, head_dim_ = 0;
  std::vector<float> k32_, v32_;     // [n_layer][n_head_kv][n_ctx][head_dim] when kF32, else empty
  std::vector<uint16_t> k16_, v16_;  // [n_layer][n_head_kv][n_ctx][head_dim] when kF16, else empty
};

}  // namespace lantern::engine
