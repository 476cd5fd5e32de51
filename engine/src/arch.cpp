// The architecture table, hyperparameter reading and the shared llama-style tensor loader.
// The one thing to know: every number read from the file is range-checked here before anything
// is sized from it; the forward pass trusts Hparams.
#include "arch.h"

#include <array>
#include <cmath>

namespace lantern::engine {

Status load_llama(WeightLoader& loader, ModelWeights& w);
Status load_qwen2(WeightLoader& loader, ModelWeights& w);
Status load_qwen3(WeightLoader& loader, ModelWeights& w);
Status load_bert(WeightLoader& loader, ModelWeights& w);
Status load_nomic_bert(WeightLoader& loader, ModelWeights& w);

namespace {

constexpr std::array<ArchLoader, 5> kLoaders = {{
    {"llama", load_llama},
    {"qwen2", load_qwen2},
    {"qwen3", load_qwen3},
    {"bert", load_bert},
    {"nomic-bert", load_nomic_bert},
}};

Status out_of_range(const std::string& what, int64_t value, int64_t lo, int64_t hi) {
  return Status::unsupported(what + " " + std::to_string(value) + " out of the supported range [" +
                             std::to_string(lo) + ", " + std::to_string(hi) + "]");
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

const ArchLoader* find_arch_loader(std::string_view name) {
  for (const auto& a : kLoaders) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::string supported_arch_names() {
  std::string s;
  for (const auto& a : kLoaders) s += (s.empty() ? "" : ", ") + std::string(a.name);
  return s;
}

namespace {

Status read_rope(const ModelParams& mp, Hparams& hp) {
  hp.rope.neox = mp.rope_type == RopeType::kNeox;
  hp.rope.base = mp.rope_freq_base;
  hp.rope.n_rot = static_cast<int32_t>(mp.n_rot);
  if (hp.rope.n_rot < 2 || hp.rope.n_rot > hp.head_dim || hp.rope.n_rot % 2 != 0) {
    return Status::corruption("rope dimension count " + std::to_string(mp.n_rot) + " must be even and within the head size " +
                              std::to_string(hp.head_dim));
  }
  if (!(hp.rope.base > 0.0f) || !std::isfinite(hp.rope.base)) {
    return Status::corruption("rope frequency base " + std::to_string(hp.rope.base) + " is not positive");
  }
  const float factor = mp.rope_scaling_factor;
  switch (mp.rope_scaling) {
    case RopeScaling::kNone:
      break;
    case RopeScaling::kLinear:
      if (!(factor > 0.0f) || !std::isfinite(factor)) {
        return Status::corruption("rope scaling factor " + std::to_string(factor) + " is not positive");
      }
      hp.rope.freq_scale = 1.0f / factor;
      break;
    case RopeScaling::kLlama3:
      if (!mp.has_rope_freqs) {
        const float low = mp.rope_low_freq_factor > 0.0f ? mp.rope_low_freq_factor : 1.0f;
        const float high = mp.rope_high_freq_factor > 0.0f ? mp.rope_high_freq_factor : 4.0f;
        const float orig = mp.rope_scaling_orig_ctx ? static_cast<float>(mp.rope_scaling_orig_ctx) : 8192.0f;
        if (!(factor >= 1.0f) || !(high > low)) {
          return Status::corruption("llama3 rope scaling needs factor >= 1 and high_freq_factor > low_freq_factor");
        }
        hp.llama3_freqs = llama3_divisors(hp.rope.n_rot, hp.rope.base, factor, low, high, orig);
      }
      break;
    case RopeScaling::kYarn:
      return Status::unsupported("rope scaling 'yarn' is not supported yet");
  }

  return ok_status();
}

Result<Hparams> to_hparams(const GgufFile& f, const ModelParams& mp) {
  Hparams hp;
  hp.arch = mp.arch;
  if (!find_arch_loader(mp.arch)) {
    return Status::unsupported("architecture '" + hp.arch + "' is not supported (supported: " +
                               supported_arch_names() + ")");
  }
  // Sizes we allocate from: bounded so a hostile file cannot make us reserve absurd memory.
  if (mp.n_embd > (1u << 16)) return out_of_range("embedding length", mp.n_embd, 1, 1 << 16);
  if (mp.n_layer > 1024) return out_of_range("block count", mp.n_layer, 1, 1024);
  if (mp.n_ff > (1u << 20)) return out_of_range("feed-forward length", mp.n_ff, 1, 1 << 20);
  if (mp.n_head > 1024) return out_of_range("head count", mp.n_head, 1, 1024);
  if (mp.head_dim_k != mp.head_dim_v) {
    return Status::unsupported("attention key length " + std::to_string(mp.head_dim_k) +
                               " differs from the value length " + std::to_string(mp.head_dim_v));
  }
  if (mp.head_dim > 4096) return out_of_range("head size", mp.head_dim, 1, 4096);
  for (size_t i = 0; i < mp.n_head_per_layer.size(); ++i) {
    if (mp.n_head_per_layer[i] != mp.n_head || mp.n_head_kv_per_layer[i] != mp.n_head_kv ||
        mp.n_ff_per_layer[i] != mp.n_ff) {
      return Status::unsupported("layer " + std::to_string(i) + " has its own head count or feed-forward length");
    }
  }
  if (mp.n_head_kv == 0 || mp.n_head % mp.n_head_kv != 0) {
    return Status::corruption("KV head count " + std::to_string(mp.n_head_kv) + " does not divide the head count " +
                              std::to_string(mp.n_head));
  }
  if (hp.arch == "bert" || hp.arch == "nomic-bert") {
    hp.block = BlockKind::kBert;
    hp.causal = mp.causal;
  } else if (!mp.norm_is_rms) {
    return Status::unsupported("LayerNorm models are not supported (" + hp.arch + ")");
  }
  hp.n_embd = static_cast<int32_t>(mp.n_embd);
  hp.n_layer = static_cast<int32_t>(mp.n_layer);
  hp.n_head = static_cast<int32_t>(mp.n_head);
  hp.n_head_kv = static_cast<int32_t>(mp.n_head_kv);
  hp.head_dim = static_cast<int32_t>(mp.head_dim);
  hp.n_ff = static_cast<int32_t>(mp.n_ff);
  hp.n_ctx_train = static_cast<int32_t>(std::min<uint32_t>(mp.n_ctx_train ? mp.n_ctx_train : 2048, 1u << 24));
  hp.rms_eps = mp.norm_eps;

  if (mp.rope_type == RopeType::kNone) {
    hp.rope.n_rot = 0;  // absolute position embeddings instead
  } else {
    LT_RETURN_IF_ERROR(read_rope(mp, hp));
  }

  const GgufTensor* embd = f.find_tensor("token_embd.weight");
  if (!embd) return Status::not_found("tensor 'token_embd.weight' is missing");
  if (embd->n_dims != 2 || embd->ne[1] < 1 || embd->ne[1] > (1 << 22)) {
    return Status::corruption("tensor 'token_embd.weight': expected [n_embd, n_vocab] with n_vocab up to 4194304");
  }
  hp.n_vocab = static_cast<int32_t>(embd->ne[1]);

  LT_ASSIGN_OR_RETURN(uint32_t pooling, f.get_u32_or(hp.arch + ".pooling_type", 1));
  hp.pooling = pooling == 2 ? Pooling::kCls : pooling == 3 ? Pooling::kLast : Pooling::kMean;
  return hp;
}

}  // namespace

Result<Hparams> read_hparams(const GgufFile& f, ModelParams& mp) {
  LT_ASSIGN_OR_RETURN(mp, read_model_params(f));  // its messages name the file already
  auto hp = to_hparams(f, mp);
  if (!hp.ok()) return hp.status().with_context("'" + f.path() + "'");
  return hp;
}

Status load_decoder(WeightLoader& ld, ModelWeights& w, const DecoderParts& parts) {
  const Hparams& hp = w.hp;
  const int64_t n_embd = hp.n_embd, n_q = hp.n_embd_q(), n_kv = hp.n_embd_kv(), n_ff = hp.n_ff;
  // Tied embeddings are also the output matrix: read whole for every token.
  const bool tied = !ld.has("output.weight");
  LT_ASSIGN_OR_RETURN(w.token_embd, ld.matrix("token_embd.weight", hp.n_vocab, n_embd,
                                              tied ? WeightLoader::Use::kProduct : WeightLoader::Use::kLookup));
  LT_ASSIGN_OR_RETURN(w.output_norm, ld.vector("output_norm.weight", n_embd));
  if (!tied) {
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
