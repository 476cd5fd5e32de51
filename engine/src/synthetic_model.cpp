// Synthetic model files (see synthetic_model.h): spec table, weight-type mix per tensor, the
// block-pool weight generator and the BPE vocabulary generator.
//
// The one thing to know: the Q4_K_M mix follows llama.cpp's rules closely enough for speed work:
// Q6_K for the output matrix (the token embedding when it is tied) and for attn_v / ffn_down in
// the "more bits" layers (first and last eighth, every third between), Q4_K elsewhere.
#include "lantern/engine/synthetic_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "lantern/engine/gguf_writer.h"
#include "lantern/engine/quant.h"

namespace lantern::engine {

namespace {

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

SyntheticSpec qwen2_base() {
  SyntheticSpec s;
  s.arch = "qwen2";
  s.qkv_bias = true;
  s.pre = "qwen2";
  s.specials = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
  s.bos = "<|endoftext|>";
  s.eos = "<|im_end|>";
  s.eot = "<|im_end|>";
  s.rms_eps = 1e-6f;
  return s;
}

SyntheticSpec llama3_base() {
  SyntheticSpec s;
  s.arch = "llama";
  s.pre = "llama-bpe";
  s.specials = {"<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>",
                "<|reserved_special_token_1|>", "<|finetune_right_pad_id|>", "<|reserved_special_token_2|>",
                "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>", "<|eot_id|>"};
  s.bos = "<|begin_of_text|>";
  s.eos = "<|eot_id|>";
  s.eot = "<|eot_id|>";
  s.add_bos = true;
  s.rms_eps = 1e-5f;
  s.rope_base = 500000.0f;
  return s;
}

// llama.cpp's use_more_bits(): layers that get Q6_K for attn_v / ffn_down in Q4_K_M.
bool more_bits(int64_t i, int64_t n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

struct TensorPlan {
  std::string name;
  std::vector<int64_t> ne;
  TensorType type;
  enum Kind { kWeight, kNorm, kBias } kind;
};

std::vector<TensorPlan> plan_tensors(const SyntheticSpec& s, const std::string& quant) {
  const bool km = quant == "Q4_K_M";
  const TensorType base = km ? TensorType::kQ4_K : (quant == "Q8_0" ? TensorType::kQ8_0 : TensorType::kF16);
  const TensorType high = km ? TensorType::kQ6_K : base;
  const int64_t head_dim = s.n_embd / s.n_head;
  const int64_t n_embd_kv = head_dim * s.n_head_kv;
  std::vector<TensorPlan> p;
  p.push_back({"token_embd.weight", {s.n_embd, s.n_vocab}, s.tied_output ? high : base, TensorPlan::kWeight});
  for (int64_t i = 0; i < s.n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    const bool more = more_bits(i, s.n_layer);
    p.push_back({b + "attn_norm.weight", {s.n_embd}, TensorType::kF32, TensorPlan::kNorm});
    p.push_back({b + "attn_q.weight", {s.n_embd, s.n_embd}, base, TensorPlan::kWeight});
    p.push_back({b + "attn_k.weight", {s.n_embd, n_embd_kv}, base, TensorPlan::kWeight});
    p.push_back({b + "attn_v.weight", {s.n_embd, n_embd_kv}, more ? high : base, TensorPlan::kWeight});
    if (s.qkv_bias) {
      p.push_back({b + "attn_q.bias", {s.n_embd}, TensorType::kF32, TensorPlan::kBias});
      p.push_back({b + "attn_k.bias", {n_embd_kv}, TensorType::kF32, TensorPlan::kBias});
      p.push_back({b + "attn_v.bias", {n_embd_kv}, TensorType::kF32, TensorPlan::kBias});
    }
    p.push_back({b + "attn_output.weight", {s.n_embd, s.n_embd}, base, TensorPlan::kWeight});
    p.push_back({b + "ffn_norm.weight", {s.n_embd}, TensorType::kF32, TensorPlan::kNorm});
    p.push_back({b + "ffn_gate.weight", {s.n_embd, s.n_ff}, base, TensorPlan::kWeight});
    p.push_back({b + "ffn_up.weight", {s.n_embd, s.n_ff}, base, TensorPlan::kWeight});
    p.push_back({b + "ffn_down.weight", {s.n_ff, s.n_embd}, more ? high : base, TensorPlan::kWeight});
  }
  p.push_back({"output_norm.weight", {s.n_embd}, TensorType::kF32, TensorPlan::kNorm});
  if (!s.tied_output) p.push_back({"output.weight", {s.n_embd, s.n_vocab}, high, TensorPlan::kWeight});
  return p;
}

// GPT-2's byte-to-unicode map: printable bytes stand for themselves, the other 68 bytes are moved
// to U+0100 onwards; returned as UTF-8 strings.
std::vector<std::string> byte_tokens() {
  std::vector<std::string> out(256);
  int next = 256;
  auto utf8 = [](int cp) {
    std::string s;
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
  };
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    out[b] = utf8(printable ? b : next++);
  }
  return out;
}

// Tokens: 256 byte tokens, then pairs (and longer) each made by a merge of two earlier tokens, then
// the specials. Merges in rank order = token order.
void make_vocab(const SyntheticSpec& s, std::vector<std::string>* tokens, std::vector<int32_t>* types,
                std::vector<std::string>* merges) {
  const int64_t n_normal = s.n_vocab - static_cast<int64_t>(s.specials.size());
  const auto bytes = byte_tokens();
  tokens->assign(bytes.begin(), bytes.begin() + std::min<int64_t>(256, n_normal));
  int64_t left = 0;  // index of the left part, walking over existing tokens
  int64_t right = 0; // index of the right byte token
  while (static_cast<int64_t>(tokens->size()) < n_normal) {
    const std::string& a = (*tokens)[left];
    const std::string& b = bytes[right];
    merges->push_back(a + " " + b);
    tokens->push_back(a + b);
    if (++right == 256) {
      right = 0;
      ++left;
    }
  }
  types->assign(tokens->size(), 1);  // normal
  for (const auto& sp : s.specials) {
    tokens->push_back(sp);
    types->push_back(3);  // control
  }
}

// A pool of quantized random blocks per type; tensors copy blocks from it at random positions.
class BlockPool {
 public:
  BlockPool(TensorType type, float stddev, uint64_t seed) : type_(type) {
    const auto info = tensor_type_info(static_cast<uint32_t>(type));
    block_elems_ = info->block_size == 1 ? 256 : info->block_size;  // F16: 256-element runs
    block_bytes_ = *tensor_row_bytes(type, block_elems_);
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> dist(0.0f, stddev);
    std::vector<float> values(kPoolBlocks * block_elems_);
    for (auto& v : values) v = dist(rng);
    bytes_ = quantize_rows(type, values.data(), block_elems_, kPoolBlocks).value();
  }
  TensorType type() const { return type_; }
  // Fills n_bytes (a multiple of the block bytes) with random pool blocks.
  void fill(uint8_t* dst, uint64_t n_bytes, uint64_t& rng) const {
    for (uint64_t off = 0; off < n_bytes; off += block_bytes_) {
      const uint64_t k = splitmix(rng) % kPoolBlocks;
      std::memcpy(dst + off, bytes_.data() + k * block_bytes_, block_bytes_);
    }
  }
  uint64_t block_bytes() const { return block_bytes_; }

 private:
  static constexpr int64_t kPoolBlocks = 1024;
  TensorType type_;
  int64_t block_elems_ = 0;
  uint64_t block_bytes_ = 0;
  std::vector<uint8_t> bytes_;
};

}  // namespace

std::vector<std::string> synthetic_shapes() { return {"qwen2-1.5b", "qwen2-7b", "llama-8b", "qwen2-tiny", "llama-tiny"}; }
std::vector<std::string> synthetic_quants() { return {"Q4_K_M", "Q8_0", "F16"}; }

Result<SyntheticSpec> synthetic_spec(const std::string& shape) {
  SyntheticSpec s;
  if (shape == "qwen2-1.5b") {
    s = qwen2_base();
    s.n_embd = 1536, s.n_layer = 28, s.n_head = 12, s.n_head_kv = 2, s.n_ff = 8960, s.n_vocab = 151936;
    s.n_ctx_train = 131072;
    s.tied_output = true;
  } else if (shape == "qwen2-7b") {
    s = qwen2_base();
    s.n_embd = 3584, s.n_layer = 28, s.n_head = 28, s.n_head_kv = 4, s.n_ff = 18944, s.n_vocab = 152064;
    s.n_ctx_train = 131072;
  } else if (shape == "llama-8b") {
    s = llama3_base();
    s.n_embd = 4096, s.n_layer = 32, s.n_head = 32, s.n_head_kv = 8, s.n_ff = 14336, s.n_vocab = 128256;
    s.n_ctx_train = 8192;
  } else if (shape == "qwen2-tiny") {
    s = qwen2_base();
    s.n_embd = 256, s.n_layer = 2, s.n_head = 4, s.n_head_kv = 2, s.n_ff = 512, s.n_vocab = 1000;
    s.n_ctx_train = 512;
    s.tied_output = true;
  } else if (shape == "llama-tiny") {
    s = llama3_base();
    s.n_embd = 256, s.n_layer = 2, s.n_head = 4, s.n_head_kv = 2, s.n_ff = 512, s.n_vocab = 1000;
    s.n_ctx_train = 512;
  } else {
    std::string known;
    for (const auto& k : synthetic_shapes()) known += (known.empty() ? "" : ", ") + k;
    return Status::invalid_argument("unknown synthetic model shape '" + shape + "' (known: " + known + ")");
  }
  s.name = shape;
  return s;
}

Result<uint32_t> synthetic_file_type(const std::string& quant) {
  if (quant == "Q4_K_M") return 15u;
  if (quant == "Q8_0") return 7u;
  if (quant == "F16") return 1u;
  return Status::invalid_argument("unknown synthetic weight mix '" + quant + "' (known: Q4_K_M, Q8_0, F16)");
}

Result<uint64_t> synthetic_model_bytes(const SyntheticSpec& spec, const std::string& quant) {
  LT_RETURN_IF_ERROR(synthetic_file_type(quant).status());
  uint64_t total = 0;
  for (const auto& t : plan_tensors(spec, quant)) {
    uint64_t rows = 1;
    for (size_t i = 1; i < t.ne.size(); ++i) rows *= t.ne[i];
    total += *tensor_row_bytes(t.type, t.ne[0]) * rows;
  }
  return total;
}

Status write_synthetic_model(const SyntheticSpec& s, const std::string& quant, const std::string& path,
                             uint64_t seed) {
  LT_ASSIGN_OR_RETURN(uint32_t file_type, synthetic_file_type(quant));
  GgufWriter w;
  const std::string& a = s.arch;
  w.set_string("general.architecture", a);
  w.set_string("general.name", "synthetic " + s.name + " " + quant);
  w.set_u32("general.file_type", file_type);
  w.set_u32("general.quantization_version", 2);
  w.set_u32(a + ".context_length", static_cast<uint32_t>(s.n_ctx_train));
  w.set_u32(a + ".embedding_length", static_cast<uint32_t>(s.n_embd));
  w.set_u32(a + ".block_count", static_cast<uint32_t>(s.n_layer));
  w.set_u32(a + ".feed_forward_length", static_cast<uint32_t>(s.n_ff));
  w.set_u32(a + ".attention.head_count", static_cast<uint32_t>(s.n_head));
  w.set_u32(a + ".attention.head_count_kv", static_cast<uint32_t>(s.n_head_kv));
  w.set_f32(a + ".attention.layer_norm_rms_epsilon", s.rms_eps);
  w.set_f32(a + ".rope.freq_base", s.rope_base);
  w.set_u32(a + ".rope.dimension_count", static_cast<uint32_t>(s.n_embd / s.n_head));
  if (a == "llama") w.set_u32(a + ".vocab_size", static_cast<uint32_t>(s.n_vocab));

  std::vector<std::string> tokens, merges;
  std::vector<int32_t> types;
  make_vocab(s, &tokens, &types, &merges);
  auto id_of = [&](const std::string& name) -> int64_t {
    if (name.empty()) return -1;
    const auto it = std::find(tokens.begin(), tokens.end(), name);
    return it == tokens.end() ? -1 : it - tokens.begin();
  };
  w.set_string("tokenizer.ggml.model", "gpt2");
  w.set_string("tokenizer.ggml.pre", s.pre);
  w.set_string_array("tokenizer.ggml.tokens", tokens);
  w.set_i32_array("tokenizer.ggml.token_type", types);
  w.set_string_array("tokenizer.ggml.merges", merges);
  if (id_of(s.bos) >= 0) w.set_u32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(id_of(s.bos)));
  if (id_of(s.eos) >= 0) w.set_u32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(id_of(s.eos)));
  if (id_of(s.eot) >= 0) w.set_u32("tokenizer.ggml.eot_token_id", static_cast<uint32_t>(id_of(s.eot)));
  w.set_bool("tokenizer.ggml.add_bos_token", s.add_bos);

  // Pools: weights ~ N(0, 0.02) as initialized models have; biases small.
  const std::vector<TensorPlan> plan = plan_tensors(s, quant);
  std::vector<BlockPool> pools;
  for (TensorType t : {TensorType::kQ4_K, TensorType::kQ6_K, TensorType::kQ8_0, TensorType::kF16}) {
    const bool used = std::any_of(plan.begin(), plan.end(),
                                  [t](const TensorPlan& p) { return p.kind == TensorPlan::kWeight && p.type == t; });
    if (used) pools.emplace_back(t, 0.02f, seed * 31 + static_cast<uint64_t>(t));
  }
  uint64_t tensor_seed = seed;
  for (const auto& t : plan) {
    const uint64_t my_seed = splitmix(tensor_seed);
    Status st;
    if (t.kind == TensorPlan::kWeight) {
      const BlockPool* pool = nullptr;
      for (const auto& p : pools) {
        if (p.type() == t.type) pool = &p;
      }
      st = w.add_tensor(t.name, t.type, t.ne, [pool, my_seed](uint8_t* dst, uint64_t n) {
        uint64_t rng = my_seed;
        pool->fill(dst, n, rng);
        return ok_status();
      });
    } else {
      std::vector<float> v(static_cast<size_t>(t.ne[0]), 1.0f);
      if (t.kind == TensorPlan::kBias) {
        std::mt19937 rng(static_cast<uint32_t>(my_seed));
        std::normal_distribution<float> dist(0.0f, 0.02f);
        for (auto& x : v) x = dist(rng);
      }
      st = w.add_tensor_from_floats(t.name, TensorType::kF32, t.ne, v.data());
    }
    LT_RETURN_IF_ERROR(st);
  }
  return w.write(path);
}

}  // namespace lantern::engine
