// Architectures `bert` (all-MiniLM, bge, mxbai-embed, ...) and `nomic-bert` (nomic-embed-text):
// BERT-style embedding models. Token-type embeddings, post-norm LayerNorm blocks, bidirectional
// attention, no language-model head; used through Session::embed().
//   bert:       absolute position table, Q/K/V/output biases, GELU feed-forward with biases
//   nomic-bert: rotary positions (neox) on Q/K, one fused attn_qkv matrix, SwiGLU feed-forward,
//               no biases
//
// The one thing to know: attention is not causal, so a sequence must be evaluated in one pass
// from an empty cache (Session enforces this); the cache is only scratch space for K and V here.
#include <cmath>

#include "arch.h"
#include "attention.h"
#include "forward.h"

namespace lantern::engine {
namespace {

void add_bias_rows(float* rows, int32_t n, int32_t width, const std::vector<float>& bias) {
  if (bias.empty()) return;
  for (int32_t t = 0; t < n; ++t) {
    float* r = rows + static_cast<size_t>(t) * width;
    for (int32_t i = 0; i < width; ++i) r[i] += bias[i];
  }
}

// x = LayerNorm(x + y) row by row. x, y: [n][width].
void residual_norm(float* x, const float* y, int32_t n, int32_t width, const std::vector<float>& w,
                   const std::vector<float>& b, float eps) {
  for (int32_t t = 0; t < n; ++t) {
    float* r = x + static_cast<size_t>(t) * width;
    const float* d = y + static_cast<size_t>(t) * width;
    for (int32_t i = 0; i < width; ++i) r[i] += d[i];
    nn::layer_norm(r, w.data(), b.data(), r, width, eps);
  }
}
}  // namespace

Status load_bert(WeightLoader& ld, ModelWeights& w) {
  const Hparams& hp = w.hp;
  const int64_t n_embd = hp.n_embd, n_q = hp.n_embd_q(), n_kv = hp.n_embd_kv(), n_ff = hp.n_ff;
  LT_ASSIGN_OR_RETURN(w.token_embd, ld.matrix("token_embd.weight", hp.n_vocab, n_embd, WeightLoader::Use::kLookup));
  LT_ASSIGN_OR_RETURN(w.position_embd, ld.matrix("position_embd.weight", hp.n_ctx_train, n_embd, WeightLoader::Use::kLookup));
  int64_t n_types = 1;
  if (const GgufTensor* t = ld.find_raw("token_types.weight"); t && t->n_dims == 2) n_types = t->ne[1];
  if (n_types < 1 || n_types > 16) {
    return Status::corruption("tensor 'token_types.weight': " + std::to_string(n_types) + " token types");
  }
  LT_ASSIGN_OR_RETURN(w.token_types, ld.matrix("token_types.weight", n_types, n_embd, WeightLoader::Use::kLookup));
  LT_ASSIGN_OR_RETURN(w.embd_norm, ld.vector("token_embd_norm.weight", n_embd));
  LT_ASSIGN_OR_RETURN(w.embd_norm_b, ld.vector("token_embd_norm.bias", n_embd));
  w.layers.resize(hp.n_layer);
  for (int32_t i = 0; i < hp.n_layer; ++i) {
    LayerWeights& L = w.layers[i];
    const std::string b = "blk." + std::to_string(i) + ".";
    LT_ASSIGN_OR_RETURN(L.wq, ld.matrix(b + "attn_q.weight", n_q, n_embd));
    LT_ASSIGN_OR_RETURN(L.bq, ld.vector(b + "attn_q.bias", n_q));
    LT_ASSIGN_OR_RETURN(L.wk, ld.matrix(b + "attn_k.weight", n_kv, n_embd));
    LT_ASSIGN_OR_RETURN(L.bk, ld.vector(b + "attn_k.bias", n_kv));
    LT_ASSIGN_OR_RETURN(L.wv, ld.matrix(b + "attn_v.weight", n_kv, n_embd));
    LT_ASSIGN_OR_RETURN(L.bv, ld.vector(b + "attn_v.bias", n_kv));
    LT_ASSIGN_OR_RETURN(L.wo, ld.matrix(b + "attn_output.weight", n_embd, n_q));
    LT_ASSIGN_OR_RETURN(L.bo, ld.vector(b + "attn_output.bias", n_embd));
    LT_ASSIGN_OR_RETURN(L.attn_out_norm, ld.vector(b + "attn_output_norm.weight", n_embd));
    LT_ASSIGN_OR_RETURN(L.attn_out_norm_b, ld.vector(b + "attn_output_norm.bias", n_embd));
    LT_ASSIGN_OR_RETURN(L.up, ld.matrix(b + "ffn_up.weight", n_ff, n_embd));
    LT_ASSIGN_OR_RETURN(L.up_b, ld.vector(b + "ffn_up.bias", n_ff));
    LT_ASSIGN_OR_RETURN(L.down, ld.matrix(b + "ffn_down.weight", n_embd, n_ff));
    LT_ASSIGN_OR_RETURN(L.down_b, ld.vector(b + "ffn_down.bias", n_embd));
    LT_ASSIGN_OR_RETURN(L.out_norm, ld.vector(b + "layer_output_norm.weight", n_embd));
    LT_ASSIGN_OR_RETURN(L.out_norm_b, ld.vector(b + "layer_output_norm.bias", n_embd));
  }
  return ok_status();
}

namespace {

// A Matrix over rows [row0, row0 + rows) of a 2-D tensor (the fused attn_qkv holds Q, then K,
// then V rows).
Result<Matrix> row_slice(const GgufTensor& t, int64_t row0, int64_t rows) {
  auto row_bytes = tensor_row_bytes(t.type, static_cast<uint64_t>(t.ne[0]));
  if (!row_bytes) return Status::corruption("tensor '" + t.name + "': bad row length " + std::to_string(t.ne[0]));
  return Matrix::from_tensor(t.type, t.data + static_cast<uint64_t>(row0) * *row_bytes, t.ne[0], rows, t.name);
}

}  // namespace

Status load_nomic_bert(WeightLoader& ld, ModelWeights& w) {
  const Hparams& hp = w.hp;
  const int64_t n_embd = hp.n_embd, n_q = hp.n_embd_q(), n_kv = hp.n_embd_kv(), n_ff = hp.n_ff;
  LT_ASSIGN_OR_RETURN(w.token_embd, ld.matrix("token_embd.weight", hp.n_vocab, n_embd, WeightLoader::Use::kLookup));
  int64_t n_types = 1;
  if (const GgufTensor* t = ld.find_raw("token_types.weight"); t && t->n_dims == 2) n_types = t->ne[1];
  if (n_types < 1 || n_types > 16) {
    return Status::corruption("tensor 'token_types.weight': " + std::to_string(n_types) + " token types");
  }
  LT_ASSIGN_OR_RETURN(w.token_types, ld.matrix("token_types.weight", n_types, n_embd, WeightLoader::Use::kLookup));
  LT_ASSIGN_OR_RETURN(w.embd_norm, ld.vector("token_embd_norm.weight", n_embd));
  LT_ASSIGN_OR_RETURN(w.embd_norm_b, ld.vector("token_embd_norm.bias", n_embd));
  w.layers.resize(hp.n_layer);
  for (int32_t i = 0; i < hp.n_layer; ++i) {
    LayerWeights& L = w.layers[i];
    const std::string b = "blk." + std::to_string(i) + ".";
    LT_ASSIGN_OR_RETURN(Matrix qkv, ld.matrix(b + "attn_qkv.weight", n_q + 2 * n_kv, n_embd));
    (void)qkv;  // checked and counted; used through the three row slices below
    const GgufTensor* t = ld.find_raw(b + "attn_qkv.weight");
    LT_ASSIGN_OR_RETURN(L.wq, row_slice(*t, 0, n_q));
    LT_ASSIGN_OR_RETURN(L.wk, row_slice(*t, n_q, n_kv));
    LT_ASSIGN_OR_RETURN(L.wv, row_slice(*t, n_q + n_kv, n_kv));
    LT_ASSIGN_OR_RETURN(L.wo, ld.matrix(b + "attn_output.weight", n_embd, n_q));
    LT_ASSIGN_OR_RETURN(L.attn_out_norm, ld.vector(b + "attn_output_norm.weight", n_embd));
    LT_ASSIGN_OR_RETURN(L.attn_out_norm_b, ld.vector(b + "attn_output_norm.bias", n_embd));
    LT_ASSIGN_OR_RETURN(L.gate, ld.matrix(b + "ffn_gate.weight", n_ff, n_embd));
    LT_ASSIGN_OR_RETURN(L.up, ld.matrix(b + "ffn_up.weight", n_ff, n_embd));
    LT_ASSIGN_OR_RETURN(L.down, ld.matrix(b + "ffn_down.weight", n_embd, n_ff));
    LT_ASSIGN_OR_RETURN(L.out_norm, ld.vector(b + "layer_output_norm.weight", n_embd));
    LT_ASSIGN_OR_RETURN(L.out_norm_b, ld.vector(b + "layer_output_norm.bias", n_embd));
  }
  return ok_status();
}

Status bert_forward_batch(const ModelWeights& w, KvCache& cache, Workspace& ws, ThreadPool& pool,
                          std::span<const int32_t> tokens, int32_t pos0, const std::atomic<bool>* cancel) {
  const Hparams& hp = w.hp;
  const int32_t n = static_cast<int32_t>(tokens.size());
  if (n == 0) return ok_status();
  ws.reserve(hp, n);
  const int32_t n_embd = hp.n_embd, n_q = hp.n_embd_q(), n_kv = hp.n_embd_kv();
  const bool rope = hp.rope.n_rot > 0;  // nomic-bert; bert has a position table instead
  const int32_t half = hp.rope.n_rot / 2;
  std::vector<float> row(n_embd, 0.0f), type0(n_embd);  // [n_embd]
  w.token_types.get_row(0, type0.data());
  for (int32_t t = 0; t < n; ++t) {
    float* x = ws.x.data() + static_cast<size_t>(t) * n_embd;
    w.token_embd.get_row(tokens[t], x);
    if (!rope) w.position_embd.get_row(pos0 + t, row.data());
    for (int32_t i = 0; i < n_embd; ++i) x[i] += row[i] + type0[i];
    nn::layer_norm(x, w.embd_norm.data(), w.embd_norm_b.data(), x, n_embd, hp.rms_eps);
    if (rope) {
      nn::rope_angles(hp.rope, pos0 + t, ws.rope_cos.data() + static_cast<size_t>(t) * half,
                      ws.rope_sin.data() + static_cast<size_t>(t) * half);
    }
  }
  const AttentionShape shape{hp.n_head, hp.n_head_kv, hp.head_dim, 1.0f / std::sqrt(static_cast<float>(hp.head_dim))};
  for (int32_t l = 0; l < hp.n_layer; ++l) {
    if (cancel && cancel->load(std::memory_order_relaxed)) return Status::cancelled("evaluation cancelled");
    const LayerWeights& L = w.layers[l];
    L.wq.multiply(ws.x.data(), n, ws.q.data(), pool);  // [n][n_q]
    L.wk.multiply(ws.x.data(), n, ws.k.data(), pool);  // [n][n_kv]
    L.wv.multiply(ws.x.data(), n, ws.v.data(), pool);  // [n][n_kv]
    add_bias_rows(ws.q.data(), n, n_q, L.bq);
    add_bias_rows(ws.k.data(), n, n_kv, L.bk);
    add_bias_rows(ws.v.data(), n, n_kv, L.bv);
    for (int32_t t = 0; t < n; ++t) {
      float* qt = ws.q.data() + static_cast<size_t>(t) * n_q;
      float* kt = ws.k.data() + static_cast<size_t>(t) * n_kv;
      if (rope) {
        const float* c = ws.rope_cos.data() + static_cast<size_t>(t) * half;
        const float* s = ws.rope_sin.data() + static_cast<size_t>(t) * half;
        nn::rope_apply(hp.rope, c, s, qt, hp.n_head, hp.head_dim);
        nn::rope_apply(hp.rope, c, s, kt, hp.n_head_kv, hp.head_dim);
      }
      cache.store(l, pos0 + t, kt, ws.v.data() + static_cast<size_t>(t) * n_kv);
    }
    pool.parallel_for(static_cast<int64_t>(n) * hp.n_head, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        const int32_t t = static_cast<int32_t>(i / hp.n_head), h = static_cast<int32_t>(i % hp.n_head);
        const size_t o = static_cast<size_t>(t) * n_q + static_cast<size_t>(h) * hp.head_dim;
        const int32_t visible = hp.causal ? pos0 + t + 1 : pos0 + n;
        attend_head(cache, l, shape, h, ws.q.data() + o, visible, ws.attn.data() + o);
      }
    });
    L.wo.multiply(ws.attn.data(), n, ws.proj.data(), pool);  // [n][n_embd]
    add_bias_rows(ws.proj.data(), n, n_embd, L.bo);
    residual_norm(ws.x.data(), ws.proj.data(), n, n_embd, L.attn_out_norm, L.attn_out_norm_b, hp.rms_eps);
    L.up.multiply(ws.x.data(), n, ws.up.data(), pool);  // [n][n_ff]
    add_bias_rows(ws.up.data(), n, hp.n_ff, L.up_b);
    if (L.gate.rows() > 0) {  // nomic-bert: SwiGLU, result in ws.up
      L.gate.multiply(ws.x.data(), n, ws.gate.data(), pool);  // [n][n_ff]
      nn::swiglu(ws.gate.data(), ws.up.data(), ws.up.data(), static_cast<int64_t>(n) * hp.n_ff);
    } else {
      nn::gelu(ws.up.data(), static_cast<int64_t>(n) * hp.n_ff);
    }
    L.down.multiply(ws.up.data(), n, ws.proj.data(), pool);  // [n][n_embd]
    add_bias_rows(ws.proj.data(), n, n_embd, L.down_b);
    residual_norm(ws.x.data(), ws.proj.data(), n, n_embd, L.out_norm, L.out_norm_b, hp.rms_eps);
  }
  // The last block's output is the hidden state (post-norm: no final norm).
  std::copy_n(ws.x.begin(), static_cast<size_t>(n) * n_embd, ws.xn.begin());
  return ok_status();
}

}  // namespace lantern::engine
