// The decoder forward pass shared by llama-family architectures (llama, qwen2, and qwen3 with its
// Q/K norms): token embedding -> n_layer x (attention block + SwiGLU block) -> output norm.
//
// The one thing to know: a batch of n tokens at consecutive positions goes through every layer
// together (each weight product is one [n][cols] x [cols][rows] multiply), and single-token
// decoding is the same call with n = 1. K/V rows are written to the cache before attention, so
// token t of the batch attends to cache positions [0, pos0 + t] and nothing later.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "kv_cache.h"
#include "lantern/engine/thread_pool.h"
#include "model_weights.h"

namespace lantern::engine {

// Per-session threads and scratch, grown to the largest batch seen. Shapes for a batch of n tokens:
struct Workspace {
  std::unique_ptr<ThreadPool> pool;  // runs the products and attention of this session
  std::vector<float> x;         // [n][n_embd]       residual stream
  std::vector<float> xn;        // [n][n_embd]       normed input of a block; after the last layer,
                                //                   the final hidden states (output norm applied)
  std::vector<float> q;         // [n][n_head * head_dim]
  std::vector<float> k;         // [n][n_head_kv * head_dim]
  std::vector<float> v;         // [n][n_head_kv * head_dim]
  std::vector<float> attn;      // [n][n_head * head_dim]  attention output before wo
  std::vector<float> proj;      // [n][n_embd]       block output added to x
  std::vector<float> gate;      // [n][n_ff]
  std::vector<float> up;        // [n][n_ff]
  std::vector<float> rope_cos;  // [n][n_rot / 2]
  std::vector<float> rope_sin;  // [n][n_rot / 2]
  // Split-key attention while decoding (attention.h): [part][n_head][head_dim], [part][n_head].
  std::vector<float> attn_part;
  std::vector<float> attn_max;
  std::vector<double> attn_sum;
  void reserve(const Hparams& hp, int32_t n);
};

// Runs `tokens` (ids already checked against n_vocab) at positions pos0, pos0+1, ... through the
// model, writing their K/V rows into `cache`; afterwards ws.xn holds the final hidden states
// [n][n_embd]. pos0 + n must not exceed the cache size (checked by the caller). kCancelled when
// `cancel` is set (checked between layers; the cache rows written so far are simply stale).
Status forward_batch(const ModelWeights& w, KvCache& cache, Workspace& ws, ThreadPool& pool,
                     std::span<const int32_t> tokens, int32_t pos0, const std::atomic<bool>* cancel);

// Logits of rows [row0, row0 + n_rows) of ws.xn: out [n_rows][n_vocab].
void compute_logits(const ModelWeights& w, const Workspace& ws, ThreadPool& pool, int32_t row0, int32_t n_rows,
                    float* out);

}  // namespace lantern::engine
