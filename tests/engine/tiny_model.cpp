// write_tiny_model: random weights (fixed seed) scaled so activations stay O(1) through the layers.
#include "tiny_model.h"

#include <random>
#include <vector>

#include "lantern/engine/gguf_writer.h"

namespace lantern::engine::testing {
namespace {

const char* kWords[kTinyVocab - kFirstWord] = {"▁the", "▁cat", "▁sat", "▁on", "▁a",  "▁mat", "▁dog",
                                               "▁ran", "▁to",  "▁it",  "▁is", "▁red", "▁sun"};

}  // namespace

Status write_tiny_model(const std::string& path, const TinySpec& s) {
  GgufWriter w;
  const std::string a = s.arch;
  w.set_string("general.architecture", a);
  w.set_string("general.name", "tiny-" + a);
  w.set_u32(a + ".context_length", s.n_ctx);
  w.set_u32(a + ".embedding_length", s.n_embd);
  w.set_u32(a + ".block_count", s.n_layer);
  w.set_u32(a + ".feed_forward_length", s.n_ff);
  w.set_u32(a + ".attention.head_count", s.n_head);
  w.set_u32(a + ".attention.head_count_kv", s.n_head_kv);
  w.set_f32(a + ".attention.layer_norm_rms_epsilon", 1e-5f);
  w.set_f32(a + ".rope.freq_base", a == "llama" ? 10000.0f : 1000000.0f);

  std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
  std::vector<float> scores = {0, 0, 0};
  std::vector<int32_t> types = {2, 3, 3};  // unknown, control, control
  for (int b = 0; b < 256; ++b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    tokens.push_back(buf);
    scores.push_back(0);
    types.push_back(6);  // byte
  }
  for (int i = 0; i < kTinyVocab - kFirstWord; ++i) {
    tokens.push_back(kWords[i]);
    scores.push_back(-static_cast<float>(i));
    types.push_back(1);  // normal
  }
  w.set_string("tokenizer.ggml.model", "llama");
  w.set_string_array("tokenizer.ggml.tokens", tokens);
  w.set_f32_array("tokenizer.ggml.scores", scores);
  w.set_i32_array("tokenizer.ggml.token_type", types);
  w.set_u32("tokenizer.ggml.bos_token_id", kTinyBos);
  w.set_u32("tokenizer.ggml.eos_token_id", kTinyEos);
  w.set_u32("tokenizer.ggml.unknown_token_id", 0);

  std::mt19937 rng(s.seed);
  const int32_t head_dim = s.n_embd / s.n_head, n_kv = s.n_head_kv * head_dim;
  auto add = [&](const std::string& name, int64_t cols, int64_t rows, float scale, float offset,
                 bool quantize) -> Status {
    if (name == s.omit_tensor) return ok_status();
    if (name == s.misshape_tensor) ++rows;
    std::normal_distribution<float> d(0.0f, 1.0f);
    std::vector<float> v(static_cast<size_t>(cols * rows));
    for (auto& x : v) x = offset + scale * d(rng);
    std::vector<int64_t> ne = rows == 1 ? std::vector<int64_t>{cols} : std::vector<int64_t>{cols, rows};
    if (name == s.bad_type_tensor) {
      std::vector<uint8_t> bytes(v.size() * 4, 0);
      return w.add_tensor(name, TensorType::kI32, ne, std::move(bytes));
    }
    return w.add_tensor_from_floats(name, quantize ? s.type : TensorType::kF32, ne, v.data());
  };
  const float ws = 1.0f / std::sqrt(static_cast<float>(s.n_embd));
  LT_RETURN_IF_ERROR(add("token_embd.weight", s.n_embd, kTinyVocab, 1.0f, 0.0f, true));
  LT_RETURN_IF_ERROR(add("output_norm.weight", s.n_embd, 1, 0.1f, 1.0f, false));
  if (!s.tied) LT_RETURN_IF_ERROR(add("output.weight", s.n_embd, kTinyVocab, ws * 2, 0.0f, true));
  if (s.rope_freqs) {
    std::vector<float> f(head_dim / 2, 1.0f);
    for (size_t i = f.size() / 2; i < f.size(); ++i) f[i] = s.rope_freq_divisor;
    LT_RETURN_IF_ERROR(w.add_tensor_from_floats("rope_freqs.weight", TensorType::kF32, {head_dim / 2}, f.data()));
  }
  for (int32_t l = 0; l < s.n_layer; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    LT_RETURN_IF_ERROR(add(b + "attn_norm.weight", s.n_embd, 1, 0.1f, 1.0f, false));
    LT_RETURN_IF_ERROR(add(b + "attn_q.weight", s.n_embd, s.n_embd, ws * 2, 0.0f, true));
    LT_RETURN_IF_ERROR(add(b + "attn_k.weight", s.n_embd, n_kv, ws * 2, 0.0f, true));
    LT_RETURN_IF_ERROR(add(b + "attn_v.weight", s.n_embd, n_kv, ws, 0.0f, true));
    LT_RETURN_IF_ERROR(add(b + "attn_output.weight", s.n_embd, s.n_embd, ws, 0.0f, true));
    if (a == "qwen2") {
      LT_RETURN_IF_ERROR(add(b + "attn_q.bias", s.n_embd, 1, 0.2f, 0.0f, false));
      LT_RETURN_IF_ERROR(add(b + "attn_k.bias", n_kv, 1, 0.2f, 0.0f, false));
      LT_RETURN_IF_ERROR(add(b + "attn_v.bias", n_kv, 1, 0.2f, 0.0f, false));
    }
    if (a == "qwen3") {
      LT_RETURN_IF_ERROR(add(b + "attn_q_norm.weight", head_dim, 1, 0.1f, 1.0f, false));
      LT_RETURN_IF_ERROR(add(b + "attn_k_norm.weight", head_dim, 1, 0.1f, 1.0f, false));
    }
    LT_RETURN_IF_ERROR(add(b + "ffn_norm.weight", s.n_embd, 1, 0.1f, 1.0f, false));
    LT_RETURN_IF_ERROR(add(b + "ffn_gate.weight", s.n_embd, s.n_ff, ws, 0.0f, true));
    LT_RETURN_IF_ERROR(add(b + "ffn_up.weight", s.n_embd, s.n_ff, ws, 0.0f, true));
    LT_RETURN_IF_ERROR(add(b + "ffn_down.weight", s.n_ff, s.n_embd, 1.0f / std::sqrt(float(s.n_ff)), 0.0f, true));
  }
  return w.write(path);
}

}  // namespace lantern::engine::testing
