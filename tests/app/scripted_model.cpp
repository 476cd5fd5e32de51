// The scripted model: one-hot embeddings (n_embd >= n_vocab), zero attention and FFN weights, so
// the residual stream is the token's embedding and the output norm scales it by sqrt(n_embd);
// output.weight row j has 1 in column i when token j follows token i.
#include "scripted_model.h"

#include <cstdio>

#include "lantern/engine/gguf_writer.h"

namespace lantern::app::testing {

Status write_scripted_model(const std::string& path, const std::vector<std::string>& script, int n_ctx,
                            const std::string& chat_template, const std::vector<std::string>& control) {
  using engine::TensorType;
  std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
  std::vector<float> scores = {0, 0, 0};
  std::vector<int32_t> types = {2, 3, 3};
  for (int b = 0; b < 256; ++b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    tokens.push_back(buf);
    scores.push_back(0);
    types.push_back(6);
  }
  for (const auto& c : control) {
    tokens.push_back(c);
    scores.push_back(0);
    types.push_back(3);
  }
  tokens.push_back("\xE2\x96\x81");  // "▁", SentencePiece's space
  scores.push_back(-1);
  types.push_back(1);
  const int32_t first_piece = static_cast<int32_t>(tokens.size());
  for (const auto& p : script) {
    tokens.push_back(p);
    scores.push_back(-1);
    types.push_back(1);
  }
  const int32_t n_vocab = static_cast<int32_t>(tokens.size());
  const int32_t n_embd = (n_vocab + 15) / 16 * 16;
  const int32_t n_head = 2, n_ff = 16;

  engine::GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_string("general.name", "scripted");
  w.set_u32("llama.context_length", static_cast<uint32_t>(n_ctx));
  w.set_u32("llama.embedding_length", n_embd);
  w.set_u32("llama.block_count", 1);
  w.set_u32("llama.feed_forward_length", n_ff);
  w.set_u32("llama.attention.head_count", n_head);
  w.set_u32("llama.attention.head_count_kv", n_head);
  w.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-6f);
  w.set_f32("llama.rope.freq_base", 10000.0f);
  w.set_string("tokenizer.ggml.model", "llama");
  w.set_string_array("tokenizer.ggml.tokens", tokens);
  w.set_f32_array("tokenizer.ggml.scores", scores);
  w.set_i32_array("tokenizer.ggml.token_type", types);
  w.set_u32("tokenizer.ggml.bos_token_id", 1);
  w.set_u32("tokenizer.ggml.eos_token_id", 2);
  w.set_u32("tokenizer.ggml.unknown_token_id", 0);
  if (!chat_template.empty()) w.set_string("tokenizer.chat_template", chat_template);

  auto add = [&](const std::string& name, int64_t cols, int64_t rows, const std::vector<float>& v) {
    std::vector<int64_t> ne = rows == 1 ? std::vector<int64_t>{cols} : std::vector<int64_t>{cols, rows};
    return w.add_tensor_from_floats(name, TensorType::kF32, ne, v.data());
  };
  std::vector<float> embd(static_cast<size_t>(n_vocab) * n_embd, 0.0f);  // [n_vocab][n_embd]
  for (int32_t t = 0; t < n_vocab; ++t) embd[static_cast<size_t>(t) * n_embd + t] = 1.0f;
  std::vector<float> out(static_cast<size_t>(n_vocab) * n_embd, 0.0f);  // [n_vocab][n_embd]
  auto next_of = [&](int32_t t) -> int32_t {
    if (t >= first_piece) return t + 1 < n_vocab ? t + 1 : 2;  // the next piece, then </s>
    return script.empty() ? 2 : first_piece;
  };
  for (int32_t t = 0; t < n_vocab; ++t) out[static_cast<size_t>(next_of(t)) * n_embd + t] = 1.0f;
  std::vector<float> ones(n_embd, 1.0f);
  LT_RETURN_IF_ERROR(add("token_embd.weight", n_embd, n_vocab, embd));
  LT_RETURN_IF_ERROR(add("output_norm.weight", n_embd, 1, ones));
  LT_RETURN_IF_ERROR(add("output.weight", n_embd, n_vocab, out));
  std::vector<float> sq(static_cast<size_t>(n_embd) * n_embd, 0.0f);
  std::vector<float> ff(static_cast<size_t>(n_embd) * n_ff, 0.0f);
  LT_RETURN_IF_ERROR(add("blk.0.attn_norm.weight", n_embd, 1, ones));
  LT_RETURN_IF_ERROR(add("blk.0.attn_q.weight", n_embd, n_embd, sq));
  LT_RETURN_IF_ERROR(add("blk.0.attn_k.weight", n_embd, n_embd, sq));
  LT_RETURN_IF_ERROR(add("blk.0.attn_v.weight", n_embd, n_embd, sq));
  LT_RETURN_IF_ERROR(add("blk.0.attn_output.weight", n_embd, n_embd, sq));
  LT_RETURN_IF_ERROR(add("blk.0.ffn_norm.weight", n_embd, 1, ones));
  LT_RETURN_IF_ERROR(add("blk.0.ffn_gate.weight", n_embd, n_ff, ff));
  LT_RETURN_IF_ERROR(add("blk.0.ffn_up.weight", n_embd, n_ff, ff));
  LT_RETURN_IF_ERROR(add("blk.0.ffn_down.weight", n_ff, n_embd, ff));
  return w.write(path);
}

}  // namespace lantern::app::testing
