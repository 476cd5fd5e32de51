// The architecture table, hyperparameter reading and the shared llama-style tensor loader.
// The one thing to know: every number read from the file is range-checked here before anything
// is sized from it; the forward pass trusts Hparams.
#include "arch.h"

#include <array>
#include <cmath>

namespace lantern::engine {

Status load_llama(WeightLoader& loader, ModelWeights& w);
Status load_qwen2(WeightLoader& loader, ModelWeights& w);

namespace {

constexpr std::array<ArchSpec, 2> kArchs = {{
    {"llama", false, load_llama},
    {"qwen2", true, load_qwen2},
}};

Status out_of_range(const std::string& key, int64_t value, int64_t lo, int64_t hi) {
  return Status::corruption("metadata '" + key + "': " + std::to_string(value) + " out of range [" +
                            std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

Result<int32_t> read_int(const GgufFile& f, const std::string& key, int64_t fallback, int64_t lo, int64_t hi) {
  int64_t v = fallback;
  if (f.has(key) || fallback < 0) {
    LT_ASSIGN_OR_RETURN(v, f.get_i64(key));
  }
  if (v < lo || v > hi) return out_of_range(key, v, lo, hi);
  return static_cast<int32_t>(v);
}

// Llama 3.1 "llama3" rope scaling written as metadata instead of a rope_freqs tensor: long
// wavelengths are divided by `factor`, short ones kept, the band between interpolated.
std::vector<float> llama3_divisors(int32_t n_rot, float base, float factor, float low, float high, float orig_ctx) {
  std::vector<float> out(n_rot / 2);
  const double low_wavelen = orig_ctx / low, high_wavelen = orig_ctx / high;
  for (int32_t i = 0; i < n_rot / 2; ++i) {
    const double freq = std::pow(static_cast<double>(base), -2.0 * i / n_rot);
    const double wavelen = 2.0 * M_PI / freq;
    if (wavelen < high_wavelen) {
      out[i] = 1.0f;
    } else if (wavelen > low_wavelen) {
      out[i] = factor;
    } else {
      const double smooth = (orig_ctx / wavelen - low) / (high - low);
      out[i] = static_cast<float>(1.0 / ((1.0 - smooth) / factor + smooth));
    }
  }
  return out;
}

}  // namespace

const ArchSpec* find_arch(std::string_view name) {
  for (const auto& a : kArchs) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::string supported_arch_names() {
  std::string s;
  for (const auto& a : kArchs) s += (s.empty() ? "" : ", ") + std::string(a.name);
  return s;
}

Result<Hparams> read_hparams(const GgufFile& f) {
  Hparams hp;
  LT_ASSIGN_OR_RETURN(std::string_view arch, f.get_string("general.architecture"));
  hp.arch = std::string(arch);
  const ArchSpec* spec = find_arch(arch);
  if (!spec) {
    return Status::unsupported("architecture '" + hp.arch + "' is not supported (supported: " +
                               supported_arch_names() + ")");
  }
  const std::string p = hp.arch + ".";
  LT_ASSIGN_OR_RETURN(hp.n_embd, read_int(f, p + "embedding_length", -1, 1, 1 << 16));
  LT_ASSIGN_OR_RETURN(hp.n_layer, read_int(f, p + "block_count", -1, 1, 1024));
  LT_ASSIGN_OR_RETURN(hp.n_head, read_int(f, p + "attention.head_count", -1, 1, 1024));
  LT_ASSIGN_OR_RETURN(hp.n_head_kv, read_int(f, p + "attention.head_count_kv", hp.n_head, 1, hp.n_head));
  if (hp.n_head % hp.n_head_kv != 0) {
    return Status::corruption("metadata '" + p + "attention.head_count_kv': " + std::to_string(hp.n_head_kv) +
                              " does not divide the head count " + std::to_string(hp.n_head));
  }
  LT_ASSIGN_OR_RETURN(hp.n_ff, read_int(f, p + "feed_forward_length", -1, 1, 1 << 20));
  LT_ASSIGN_OR_RETURN(hp.n_ctx_train, read_int(f, p + "context_length", 2048, 1, 1 << 24));
  LT_ASSIGN_OR_RETURN(hp.head_dim, read_int(f, p + "attention.key_length", hp.n_embd / hp.n_head, 1, 4096));
  LT_ASSIGN_OR_RETURN(int32_t v_dim, read_int(f, p + "attention.value_length", hp.head_dim, 1, 4096));
  if (v_dim != hp.head_dim) {
    return Status::unsupported("metadata '" + p + "attention.value_length' " + std::to_string(v_dim) +
                               " differs from the key length " + std::to_string(hp.head_dim));
  }
  LT_ASSIGN_OR_RETURN(hp.rms_eps, f.get_f32_or(p + "attention.layer_norm_rms_epsilon", 1e-5f));
  if (!(hp.rms_eps > 0.0f && hp.rms_eps < 1.0f)) {
    return Status::corruption("metadata '" + p + "attention.layer_norm_rms_epsilon': " +
                              std::to_string(hp.rms_eps) + " out of range (0, 1)");
  }

  hp.rope.neox = spec->neox_rope;
  LT_ASSIGN_OR_RETURN(hp.rope.base, f.get_f32_or(p + "rope.freq_base", 10000.0f));
  if (!(hp.rope.base > 1.0f) || !std::isfinite(hp.rope.base)) {
    return Status::corruption("metadata '" + p + "rope.freq_base': " + std::to_string(hp.rope.base) +
                              " out of range (1, inf)");
  }
  LT_ASSIGN_OR_RETURN(hp.rope.n_rot, read_int(f, p + "rope.dimension_count", hp.head_dim, 2, hp.head_dim));
  if (hp.rope.n_rot % 2 != 0) return out_of_range(p + "rope.dimension_count", hp.rope.n_rot, 2, hp.head_dim);
  LT_ASSIGN_OR_RETURN(std::string_view scaling, f.get_string_or(p + "rope.scaling.type", "none"));
  LT_ASSIGN_OR_RETURN(float factor, f.get_f32_or(p + "rope.scaling.factor", 0.0f));
  if (!f.has(p + "rope.scaling.factor") && f.has(p + "rope.scale_linear")) {
    LT_ASSIGN_OR_RETURN(factor, f.get_f32(p + "rope.scale_linear"));
    if (scaling == "none") scaling = "linear";
  }
  if (scaling == "linear" && factor != 0.0f && factor != 1.0f) {
    if (!(factor > 0.0f) || !std::isfinite(factor)) {
      return Status::corruption("metadata '" + p + "rope.scaling.factor': " + std::to_string(factor) + " is not positive");
    }
    hp.rope.freq_scale = 1.0f / factor;
  } else if (scaling != "none" && scaling != "linear" && scaling != "llama3") {
    return Status::unsupported("metadata '" + p + "rope.scaling.type': '" + std::string(scaling) +
                               "' is not supported (none, linear, llama3)");
  }

  LT_ASSIGN_OR_RETURN(uint32_t pooling, f.get_u32_or(p + "pooling_type", 1));
  hp.pooling = pooling == 2 ? Pooling::kCls : pooling == 3 ? Pooling::kLast : Pooling::kMean;

  const GgufTensor* embd = f.find_tensor("token_embd.weight");
  if (!embd) return Status::not_found("tensor 'token_embd.weight' is missing");
  if (embd->n_dims != 2 || embd->ne[1] < 1 || embd->ne[1] > (1 << 22)) {
    return Status::corruption("tensor 'token_embd.weight': expected [n_embd, n_vocab], n_vocab up to 4194304");
  }
  hp.n_vocab = static_cast<int32_t>(embd->ne[1]);

  if (scaling == "llama3" && !f.find_tensor("rope_freqs.weight")) {
    LT_ASSIGN_OR_RETURN(float low, f.get_f32_or(p + "rope.scaling.low_freq_factor", 1.0f));
    LT_ASSIGN_OR_RETURN(float high, f.get_f32_or(p + "rope.scaling.high_freq_factor", 4.0f));
    LT_ASSIGN_OR_RETURN(int32_t orig, read_int(f, p + "rope.scaling.original_context_length", 8192, 1, 1 << 24));
    if (!(factor >= 1.0f) || !(high > low) || !(low > 0.0f)) {
      return Status::corruption("metadata '" + p + "rope.scaling.*': llama3 scaling needs factor >= 1 and "
                                "high_freq_factor > low_freq_factor > 0");
    }
    hp.llama3_freqs = llama3_divisors(hp.rope.n_rot, hp.rope.base, factor, low, high, static_cast<float>(orig));
  }
  return hp;
}

Status load_decoder(WeightLoader& ld, ModelWeights& w, const DecoderParts& parts) {
  const Hparams& hp = w.hp;
  const int64_t n_embd = hp.n_embd, n_q = hp.n_embd_q(), n_kv = hp.n_embd_kv(), n_ff = hp.n_ff;
  LT_ASSIGN_OR_RETURN(w.token_embd, ld.matrix("token_embd.weight", hp.n_vocab, n_embd));
  LT_ASSIGN_OR_RETURN(w.output_norm, ld.vector("output_norm.weight", n_embd));
  if (ld.has("output.weight")) {
    LT_ASSIGN_OR_RETURN(w.output, ld.matrix("output.weight", hp.n_vocab, n_embd));
  } else {
    w.output = w.token_embd;  // tied embeddings
  }
  if (ld.has("rope_freqs.weight")) {
    LT_ASSIGN_OR_RETURN(w.rope_freqs, ld.vector("rope_freqs.weight", hp.rope.n_rot / 2));
  } else {
    w.rope_freqs = hp.llama3_freqs;
  }
  for (float d : w.rope_freqs) {
    if (!(d > 0.0f) || !std::isfinite(d)) {
      return Status::corruption("tensor 'rope_freqs.weight': divisor " + std::to_string(d) + " is not positive");
    }
  }
  w.hp.rope.freq_factors = w.rope_freqs.empty() ? nullptr : w.rope_freqs.data();

  w.layers.resize(hp.n_layer);
  for (int32_t i = 0; i < hp.n_layer; ++i) {
    LayerWeights& L = w.layers[i];
    const std::string b = "blk." + std::to_string(i) + ".";
    LT_ASSIGN_OR_RETURN(L.attn_norm, ld.vector(b + "attn_norm.weight", n_embd));
    LT_ASSIGN_OR_RETURN(L.wq, ld.matrix(b + "attn_q.weight", n_q, n_embd));
    LT_ASSIGN_OR_RETURN(L.wk, ld.matrix(b + "attn_k.weight", n_kv, n_embd));
    LT_ASSIGN_OR_RETURN(L.wv, ld.matrix(b + "attn_v.weight", n_kv, n_embd));
    LT_ASSIGN_OR_RETURN(L.wo, ld.matrix(b + "attn_output.weight", n_embd, n_q));
    if (parts.qkv_bias) {
      LT_ASSIGN_OR_RETURN(L.bq, ld.vector(b + "attn_q.bias", n_q));
      LT_ASSIGN_OR_RETURN(L.bk, ld.vector(b + "attn_k.bias", n_kv));
      LT_ASSIGN_OR_RETURN(L.bv, ld.vector(b + "attn_v.bias", n_kv));
    }
    if (parts.qk_norm) {
      LT_ASSIGN_OR_RETURN(L.q_norm, ld.vector(b + "attn_q_norm.weight", hp.head_dim));
      LT_ASSIGN_OR_RETURN(L.k_norm, ld.vector(b + "attn_k_norm.weight", hp.head_dim));
    }
    LT_ASSIGN_OR_RETURN(L.ffn_norm, ld.vector(b + "ffn_norm.weight", n_embd));
    LT_ASSIGN_OR_RETURN(L.gate, ld.matrix(b + "ffn_gate.weight", n_ff, n_embd));
    LT_ASSIGN_OR_RETURN(L.up, ld.matrix(b + "ffn_up.weight", n_ff, n_embd));
    LT_ASSIGN_OR_RETURN(L.down, ld.matrix(b + "ffn_down.weight", n_embd, n_ff));
  }
  return ok_status();
}

}  // namespace lantern::engine
