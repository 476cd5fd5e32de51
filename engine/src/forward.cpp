// forward_batch: the shared decoder block (RMSNorm -> QKV (+bias) -> Q/K norm -> RoPE -> KV store
// -> GQA attention -> wo -> residual; RMSNorm -> gate/up -> SwiGLU -> down -> residual).
// Hot spots: the weight products (Matrix::multiply, ~90% of the time at long contexts less) and
// attend_head (grows with the context); everything else is O(n * n_embd) per layer.
#include "forward.h"

#include <algorithm>
#include <cmath>

#include "attention.h"

namespace lantern::engine {
namespace {

// Multiply-adds below which a parallel job is not worth waking the pool for.
constexpr int64_t kMinAttentionWork = 1 << 16;
// Parts of the keys one decode step's attention may be split into (see forward_batch).
constexpr int32_t kMaxKeySplits = 16;

void add_bias(float* rows, int32_t n, int32_t width, const std::vector<float>& bias) {
  if (bias.empty()) return;
  for (int32_t t = 0; t < n; ++t) {
    float* r = rows + static_cast<size_t>(t) * width;
    for (int32_t i = 0; i < width; ++i) r[i] += bias[i];
  }
}

void add_into(float* x, const float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] += y[i];
}

// RMSNorm of every head of every row: rows [n][n_heads * head_dim], weight [head_dim].
void norm_heads(float* rows, int32_t n, int32_t n_heads, int32_t head_dim, const std::vector<float>& weight,
                float eps) {
  if (weight.empty()) return;
  for (int64_t i = 0; i < static_cast<int64_t>(n) * n_heads; ++i) {
    float* h = rows + i * head_dim;
    nn::rms_norm(h, weight.data(), h, head_dim, eps);
  }
}

}  // namespace

void Workspace::reserve(const Hparams& hp, int32_t n) {
  const size_t un = static_cast<size_t>(n);
  auto grow = [](std::vector<float>& v, size_t size) {
    if (v.size() < size) v.resize(size);
  };
  grow(x, un * hp.n_embd);
  grow(xn, un * hp.n_embd);
  grow(q, un * hp.n_embd_q());
  grow(k, un * hp.n_embd_kv());
  grow(v, un * hp.n_embd_kv());
  grow(attn, un * hp.n_embd_q());
  grow(proj, un * hp.n_embd);
  grow(gate, un * hp.n_ff);
  grow(up, un * hp.n_ff);
  grow(rope_cos, un * (hp.rope.n_rot / 2));
  grow(rope_sin, un * (hp.rope.n_rot / 2));
}

Status bert_forward_batch(const ModelWeights& w, KvCache& cache, Workspace& ws, ThreadPool& pool,
                          std::span<const int32_t> tokens, int32_t pos0, const std::atomic<bool>* cancel);

Status forward_batch(const ModelWeights& w, KvCache& cache, Workspace& ws, ThreadPool& pool,
                     std::span<const int32_t> tokens, int32_t pos0, const std::atomic<bool>* cancel) {
  const Hparams& hp = w.hp;
  if (hp.block == BlockKind::kBert) return bert_forward_batch(w, cache, ws, pool, tokens, pos0, cancel);
  const int32_t n = static_cast<int32_t>(tokens.size());
  if (n == 0) return ok_status();
  ws.reserve(hp, n);
  const int32_t n_embd = hp.n_embd, n_q = hp.n_embd_q(), n_kv = hp.n_embd_kv(), half = hp.rope.n_rot / 2;

  for (int32_t t = 0; t < n; ++t) w.token_embd.get_row(tokens[t], ws.x.data() + static_cast<size_t>(t) * n_embd);
  for (int32_t t = 0; t < n; ++t) {
    nn::rope_angles(hp.rope, pos0 + t, ws.rope_cos.data() + static_cast<size_t>(t) * half,
                    ws.rope_sin.data() + static_cast<size_t>(t) * half);
  }
  const AttentionShape shape{hp.n_head, hp.n_head_kv, hp.head_dim, 1.0f / std::sqrt(static_cast<float>(hp.head_dim))};

  for (int32_t l = 0; l < hp.n_layer; ++l) {
    if (cancel && cancel->load(std::memory_order_relaxed)) return Status::cancelled("evaluation cancelled");
    const LayerWeights& L = w.layers[l];

    // ---- attention block ----
    for (int32_t t = 0; t < n; ++t) {
      const size_t o = static_cast<size_t>(t) * n_embd;
      nn::rms_norm(ws.x.data() + o, L.attn_norm.data(), ws.xn.data() + o, n_embd, hp.rms_eps);
    }
    {
      const Matrix* qkv[] = {&L.wq, &L.wk, &L.wv};
      float* out[] = {ws.q.data(), ws.k.data(), ws.v.data()};  // [n][n_q], [n][n_kv], [n][n_kv]
      Matrix::multiply_group(qkv, out, ws.xn.data(), n, pool);
    }
    add_bias(ws.q.data(), n, n_q, L.bq);
    add_bias(ws.k.data(), n, n_kv, L.bk);
    add_bias(ws.v.data(), n, n_kv, L.bv);
    norm_heads(ws.q.data(), n, hp.n_head, hp.head_dim, L.q_norm, hp.rms_eps);
    norm_heads(ws.k.data(), n, hp.n_head_kv, hp.head_dim, L.k_norm, hp.rms_eps);
    for (int32_t t = 0; t < n; ++t) {
      const float* c = ws.rope_cos.data() + static_cast<size_t>(t) * half;
      const float* s = ws.rope_sin.data() + static_cast<size_t>(t) * half;
      float* qt = ws.q.data() + static_cast<size_t>(t) * n_q;
      float* kt = ws.k.data() + static_cast<size_t>(t) * n_kv;
      nn::rope_apply(hp.rope, c, s, qt, hp.n_head, hp.head_dim);
      nn::rope_apply(hp.rope, c, s, kt, hp.n_head_kv, hp.head_dim);
      cache.store(l, pos0 + t, kt, ws.v.data() + static_cast<size_t>(t) * n_kv);
    }
    // Decoding a token with a long context: too few KV heads for the threads, so each thread
    // takes all query heads of a KV head over part of the keys, and the parts are merged.
    const int32_t visible0 = pos0 + 1;
    const int32_t per_kv = hp.n_head / hp.n_head_kv;
    int32_t splits = 1;
    while (pool.size() > 1 && splits < kMaxKeySplits &&
           static_cast<int64_t>(n) * hp.n_head_kv * splits < 2 * pool.size() && visible0 / (2 * splits) >= 128) {
      splits *= 2;
    }
    if (splits > 1) {
      const size_t n_parts = static_cast<size_t>(n) * hp.n_head_kv * splits;
      ws.attn_part.resize(n_parts * per_kv * hp.head_dim);
      ws.attn_max.resize(n_parts * per_kv);
      ws.attn_sum.resize(n_parts * per_kv);
      auto part_of = [&](size_t i) {
        return AttentionPartial{ws.attn_part.data() + i * per_kv * hp.head_dim, ws.attn_max.data() + i * per_kv,
                                ws.attn_sum.data() + i * per_kv};
      };
      pool.parallel_for(static_cast<int64_t>(n_parts), [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          const int32_t t = static_cast<int32_t>(i / (hp.n_head_kv * splits));
          const int32_t kv = static_cast<int32_t>(i / splits % hp.n_head_kv), part = static_cast<int32_t>(i % splits);
          const int32_t visible = pos0 + t + 1;
          const int32_t k0 = static_cast<int32_t>(static_cast<int64_t>(visible) * part / splits);
          const int32_t k1 = static_cast<int32_t>(static_cast<int64_t>(visible) * (part + 1) / splits);
          const size_t o = static_cast<size_t>(t) * n_q + static_cast<size_t>(kv) * per_kv * hp.head_dim;
          attend_heads_partial(cache, l, shape, kv * per_kv, per_kv, ws.q.data() + o, k0, k1,
                               part_of(static_cast<size_t>(i)));
        }
      });
      AttentionPartial parts[kMaxKeySplits];
      for (int32_t t = 0; t < n; ++t) {
        for (int32_t kv = 0; kv < hp.n_head_kv; ++kv) {
          const size_t first = (static_cast<size_t>(t) * hp.n_head_kv + kv) * splits;
          for (int32_t p = 0; p < splits; ++p) parts[p] = part_of(first + p);
          merge_partials(parts, splits, per_kv, hp.head_dim,
                         ws.attn.data() + static_cast<size_t>(t) * n_q + static_cast<size_t>(kv) * per_kv * hp.head_dim);
        }
      }
    } else {
      // One work item per (token, group of query heads): the heads of one KV head go together, so
      // each cache row is read and converted once for all of them; a group is split only when
      // there would be fewer items than two per thread (decode). Small jobs (short contexts, tiny
      // models) stay on one thread: waking workers would cost more.
      int32_t group = hp.n_head / hp.n_head_kv;
      while (group > 1 && static_cast<int64_t>(n) * (hp.n_head / group) < 2 * pool.size()) group = (group + 1) / 2;
      const int32_t items_per_token = (hp.n_head + group - 1) / group;
      const int64_t item_cost = static_cast<int64_t>(pos0 + n) * hp.head_dim * group;
      pool.parallel_for(
          static_cast<int64_t>(n) * items_per_token,
          [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
              const int32_t t = static_cast<int32_t>(i / items_per_token);
              const int32_t h0 = static_cast<int32_t>(i % items_per_token) * group;
              const size_t o = static_cast<size_t>(t) * n_q + static_cast<size_t>(h0) * hp.head_dim;
              attend_heads(cache, l, shape, h0, std::min(group, hp.n_head - h0), ws.q.data() + o, pos0 + t + 1,
                           ws.attn.data() + o);
            }
          },
          std::max<int64_t>(1, kMinAttentionWork / item_cost));
    }
    L.wo.multiply(ws.attn.data(), n, ws.proj.data(), pool);  // [n][n_embd]
    add_into(ws.x.data(), ws.proj.data(), static_cast<size_t>(n) * n_embd);

    // ---- feed-forward block (SwiGLU) ----
    for (int32_t t = 0; t < n; ++t) {
      const size_t o = static_cast<size_t>(t) * n_embd;
      nn::rms_norm(ws.x.data() + o, L.ffn_norm.data(), ws.xn.data() + o, n_embd, hp.rms_eps);
    }
    {
      const Matrix* gate_up[] = {&L.gate, &L.up};
      float* out[] = {ws.gate.data(), ws.up.data()};  // [n][n_ff] each
      Matrix::multiply_group(gate_up, out, ws.xn.data(), n, pool);
    }
    nn::swiglu(ws.gate.data(), ws.up.data(), ws.gate.data(), static_cast<int64_t>(n) * hp.n_ff);
    L.down.multiply(ws.gate.data(), n, ws.proj.data(), pool);  // [n][n_embd]
    add_into(ws.x.data(), ws.proj.data(), static_cast<size_t>(n) * n_embd);
  }

  for (int32_t t = 0; t < n; ++t) {
    const size_t o = static_cast<size_t>(t) * n_embd;
    nn::rms_norm(ws.x.data() + o, w.output_norm.data(), ws.xn.data() + o, n_embd, hp.rms_eps);
  }
  return ok_status();
}

void compute_logits(const ModelWeights& w, const Workspace& ws, ThreadPool& pool, int32_t row0, int32_t n_rows,
                    float* out) {
  w.output.multiply(ws.xn.data() + static_cast<size_t>(row0) * w.hp.n_embd, n_rows, out, pool);
}

}  // namespace lantern::engine
