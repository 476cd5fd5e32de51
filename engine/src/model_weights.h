// Everything a forward pass reads: hyperparameters and weights of a loaded model.
//
// The one thing to know: every Matrix here was checked against the hyperparameters when the
// model loaded (arch_*.cpp through WeightLoader), so the forward pass indexes without checks.
// Shapes are written [rows][cols] as the product sees them: y[n_tokens][rows] = x[n_tokens][cols]
// times the matrix transposed; a GGUF tensor with ne = {cols, rows}. Optional parts of a block
// (biases, Q/K norms) are empty vectors when an architecture has none: the shared block in
// forward.cpp skips them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lantern/engine/gguf.h"
#include "lantern/engine/matrix.h"
#include "lantern/engine/model.h"
#include "lantern/engine/model_params.h"
#include "lantern/engine/session.h"
#include "nn_ops.h"
#include "weight_arena.h"

namespace lantern::engine {

// Which block the forward pass runs.
enum class BlockKind {
  kDecoder,  // pre-norm RMSNorm, RoPE, causal GQA, SwiGLU (llama, qwen2, qwen3); forward.cpp
  kBert,     // post-norm LayerNorm, absolute positions, bidirectional, GELU; arch_bert.cpp
};

struct Hparams {
  std::string arch;
  BlockKind block = BlockKind::kDecoder;
  bool causal = true;        // false: every token sees the whole sequence (embedding models)
  int32_t n_vocab = 0;
  int32_t n_embd = 0;
  int32_t n_layer = 0;
  int32_t n_head = 0;
  int32_t n_head_kv = 0;
  int32_t head_dim = 0;      // per head, for Q, K and V
  int32_t n_ff = 0;
  int32_t n_ctx_train = 0;
  float rms_eps = 1e-5f;     // RMSNorm epsilon, or LayerNorm epsilon for kBert
  nn::RopeParams rope;       // freq_factors points into ModelWeights::rope_freqs when present
  Pooling pooling = Pooling::kMean;  // what embed() does for Pooling::kModel
  std::vector<float> llama3_freqs;   // [n_rot / 2] divisors from llama3 rope-scaling metadata, or empty

  int32_t n_embd_q() const { return n_head * head_dim; }
  int32_t n_embd_kv() const { return n_head_kv * head_dim; }
};

struct LayerWeights {
  std::vector<float> attn_norm;  // [n_embd]
  Matrix wq;                     // [n_head * head_dim][n_embd]
  Matrix wk;                     // [n_head_kv * head_dim][n_embd]
  Matrix wv;                     // [n_head_kv * head_dim][n_embd]
  Matrix wo;                     // [n_embd][n_head * head_dim]
  std::vector<float> bq;         // [n_head * head_dim] or empty (qwen2 has Q/K/V biases)
  std::vector<float> bk;         // [n_head_kv * head_dim] or empty
  std::vector<float> bv;         // [n_head_kv * head_dim] or empty
  std::vector<float> q_norm;     // [head_dim] or empty (qwen3: RMSNorm per head before RoPE)
  std::vector<float> k_norm;     // [head_dim] or empty
  std::vector<float> ffn_norm;   // [n_embd]
  Matrix gate;                   // [n_ff][n_embd]
  Matrix up;                     // [n_ff][n_embd]
  Matrix down;                   // [n_embd][n_ff]
  // kBert only (empty otherwise):
  std::vector<float> bo;              // [n_embd] attn_output.bias
  std::vector<float> attn_out_norm;   // [n_embd] LayerNorm after the attention residual
  std::vector<float> attn_out_norm_b; // [n_embd]
  std::vector<float> up_b;            // [n_ff]
  std::vector<float> down_b;          // [n_embd]
  std::vector<float> out_norm;        // [n_embd] LayerNorm after the feed-forward residual
  std::vector<float> out_norm_b;      // [n_embd]
};

struct ModelWeights {
  std::unique_ptr<GgufFile> file;     // owns the mapping the matrices point into
  std::unique_ptr<WeightArena> arena; // or the copies the product matrices point into (or null)
  Hparams hp;
  ModelParams params;                 // as read from the metadata (names, special tokens)
  ModelInfo info;
  Matrix token_embd;                  // [n_vocab][n_embd] (rows read with get_row)
  std::vector<float> output_norm;     // [n_embd]
  Matrix output;                      // [n_vocab][n_embd]; the token embedding again when tied;
                                      // empty (rows() == 0) for models without a language-model head
  // kBert only:
  Matrix position_embd;               // [n_ctx_train][n_embd] absolute position embeddings
  Matrix token_types;                 // [n_token_types][n_embd]; row 0 is added to every token
  std::vector<float> embd_norm;       // [n_embd] LayerNorm of the summed embeddings
  std::vector<float> embd_norm_b;     // [n_embd]
  std::vector<float> rope_freqs;      // [n_rot / 2] divisors, or empty
  std::vector<LayerWeights> layers;   // [n_layer]
  std::shared_ptr<const Tokenizer> tokenizer;
  std::shared_ptr<const ChatTemplate> chat_template;
  int32_t n_threads = 1;
};

}  // namespace lantern::engine
