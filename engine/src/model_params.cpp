// Generic hyperparameter reading ("<arch>.block_count" etc.) and the consistency checks that the
// raw GGUF reader cannot do because they need the meaning of the keys.
//
// The one thing to know before editing: every value here came from a file. Counts are capped
// (kMax*) so that later allocations sized from them (KV cache, per-layer tables) stay sane, and
// each check's message names the file, the key and the value.
#include "lantern/engine/model_params.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "model_arch.h"

namespace lantern::engine {
namespace {

constexpr uint32_t kMaxLayers = 4096;
constexpr uint32_t kMaxEmbd = 1u << 20;
constexpr uint32_t kMaxHeads = 1u << 16;
constexpr uint32_t kMaxFf = 1u << 24;
constexpr uint32_t kMaxCtx = 1u << 30;
constexpr uint64_t kMaxVocab = 1u << 24;

Status bad(const GgufFile& f, std::string_view key, const std::string& msg) {
  return Status::corruption("'" + f.path() + "': key '" + std::string(key) + "': " + msg);
}

// A u32 in [lo, hi]; missing keys are errors unless `fallback` is given.
Result<uint32_t> read_count(const GgufFile& f, const std::string& key, uint32_t lo, uint32_t hi,
                            std::optional<uint32_t> fallback = std::nullopt) {
  if (!f.has(key)) {
    if (fallback) return *fallback;
    return Status::not_found("'" + f.path() + "': required key '" + key + "' not found");
  }
  LT_ASSIGN_OR_RETURN(uint32_t v, f.get_u32(key));
  if (v < lo || v > hi) {
    return bad(f, key, "value " + std::to_string(v) + " not in " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  return v;
}

// A count that may be a scalar (same for every layer) or an array with one entry per layer.
Result<std::vector<uint32_t>> read_per_layer(const GgufFile& f, const std::string& key, uint32_t n_layer, uint32_t lo,
                                             uint32_t hi, std::optional<uint32_t> fallback = std::nullopt) {
  const GgufValue* v = f.find(key);
  if (v != nullptr && v->type == GgufType::kArray) {
    LT_ASSIGN_OR_RETURN(std::vector<int64_t> values, f.get_i64_array(key));
    if (values.size() != n_layer) {
      return bad(f, key, "per-layer array has " + std::to_string(values.size()) + " entries, n_layer is " +
                             std::to_string(n_layer));
    }
    std::vector<uint32_t> out;
    out.reserve(n_layer);
    for (size_t l = 0; l < values.size(); ++l) {
      if (values[l] < lo || values[l] > hi) {
        return bad(f, key, "layer " + std::to_string(l) + " value " + std::to_string(values[l]) + " not in " +
                               std::to_string(lo) + ".." + std::to_string(hi));
      }
      out.push_back(static_cast<uint32_t>(values[l]));
    }
    return out;
  }
  LT_ASSIGN_OR_RETURN(uint32_t x, read_count(f, key, lo, hi, fallback));
  return std::vector<uint32_t>(n_layer, x);
}

Result<float> read_positive_float(const GgufFile& f, const std::string& key, float fallback, float max) {
  LT_ASSIGN_OR_RETURN(float v, f.get_f32_or(key, fallback));
  if (!std::isfinite(v) || v <= 0.0f || v > max) {
    return bad(f, key, "value " + std::to_string(v) + " is not a positive number up to " + std::to_string(max));
  }
  return v;
}

// Reads a tokenizer.ggml.*_token_id: nullopt when absent or "none" (-1 / 0xFFFFFFFF).
Result<std::optional<int32_t>> read_token_id(const GgufFile& f, const std::string& key, uint64_t n_vocab) {
  if (!f.has(key)) return std::optional<int32_t>();
  LT_ASSIGN_OR_RETURN(int64_t id, f.get_i64(key));
  if (id == -1 || id == 0xFFFFFFFFll) return std::optional<int32_t>();
  if (id < 0 || static_cast<uint64_t>(id) >= n_vocab) {
    return bad(f, key, "token id " + std::to_string(id) + " >= n_vocab " + std::to_string(n_vocab));
  }
  return std::optional<int32_t>(static_cast<int32_t>(id));
}

constexpr const char* kSpecialTokenKeys[] = {
    "bos", "eos", "eot", "eom", "unknown", "padding", "seperator", "cls", "mask",
};

Status check_special_ids(const GgufFile& f, uint64_t n_vocab) {
  for (const char* name : kSpecialTokenKeys) {
    LT_RETURN_IF_ERROR(read_token_id(f, std::string("tokenizer.ggml.") + name + "_token_id", n_vocab).status());
  }
  return ok_status();
}

bool runnable_tensor_type(TensorType t) {
  switch (t) {
    case TensorType::kF32: case TensorType::kF16: case TensorType::kBF16:
    case TensorType::kQ4_0: case TensorType::kQ4_1: case TensorType::kQ5_0: case TensorType::kQ5_1:
    case TensorType::kQ8_0: case TensorType::kQ2_K: case TensorType::kQ3_K: case TensorType::kQ4_K:
    case TensorType::kQ5_K: case TensorType::kQ6_K: case TensorType::kQ8_K:
      return true;
    default:
      return false;
  }
}

Status read_rope(const GgufFile& f, const std::string& a, ModelParams& p) {
  LT_ASSIGN_OR_RETURN(p.rope_freq_base, read_positive_float(f, a + ".rope.freq_base", 10000.0f, 1e12f));
  if (p.rope_type == RopeType::kNone) {
    p.n_rot = 0;
  } else {
    LT_ASSIGN_OR_RETURN(p.n_rot, read_count(f, a + ".rope.dimension_count", 2, p.head_dim_k, p.head_dim_k));
    if (p.n_rot % 2 != 0) return bad(f, a + ".rope.dimension_count", "value " + std::to_string(p.n_rot) + " is odd");
  }

  const std::string s = a + ".rope.scaling.";
  LT_ASSIGN_OR_RETURN(std::string_view type, f.get_string_or(s + "type", ""));
  if (type.empty() || type == "none") {
    p.rope_scaling = RopeScaling::kNone;
  } else if (type == "linear") {
    p.rope_scaling = RopeScaling::kLinear;
  } else if (type == "yarn") {
    p.rope_scaling = RopeScaling::kYarn;
  } else if (type == "llama3") {
    p.rope_scaling = RopeScaling::kLlama3;
  } else {
    return Status::unsupported("'" + f.path() + "': key '" + s + "type': rope scaling '" + std::string(type) +
                               "' is not supported (none, linear, yarn, llama3)");
  }
  // Older files give a linear factor as rope.scale_linear.
  LT_ASSIGN_OR_RETURN(float legacy, read_positive_float(f, a + ".rope.scale_linear", 1.0f, 1e6f));
  if (type.empty() && legacy != 1.0f) {
    p.rope_scaling = RopeScaling::kLinear;
    p.rope_scaling_factor = legacy;
  }
  LT_ASSIGN_OR_RETURN(p.rope_scaling_factor, read_positive_float(f, s + "factor", p.rope_scaling_factor, 1e6f));
  LT_ASSIGN_OR_RETURN(p.rope_scaling_orig_ctx, read_count(f, s + "original_context_length", 1, kMaxCtx, 0));
  LT_ASSIGN_OR_RETURN(p.rope_scaling_attn_factor, read_positive_float(f, s + "attn_factor", 1.0f, 1e6f));
  if (f.has(s + "low_freq_factor") || f.has(s + "high_freq_factor")) {
    LT_ASSIGN_OR_RETURN(p.rope_low_freq_factor, read_positive_float(f, s + "low_freq_factor", 1.0f, 1e6f));
    LT_ASSIGN_OR_RETURN(p.rope_high_freq_factor, read_positive_float(f, s + "high_freq_factor", 4.0f, 1e6f));
    if (type.empty()) p.rope_scaling = RopeScaling::kLlama3;
  }

  if (const GgufTensor* t = f.find_tensor("rope_freqs.weight")) {
    p.has_rope_freqs = true;
    if (t->type != TensorType::kF32 || t->n_dims != 1 || t->ne[0] != static_cast<int64_t>(p.n_rot / 2)) {
      return Status::corruption("'" + f.path() + "': tensor 'rope_freqs.weight': expected F32 [" +
                                std::to_string(p.n_rot / 2) + "], found " + std::string(tensor_type_name(t->type)) +
                                " with " + std::to_string(t->n_dims) + " dims, ne[0] " + std::to_string(t->ne[0]));
    }
  }
  return ok_status();
}

}  // namespace

std::string_view rope_type_name(RopeType type) {
  switch (type) {
    case RopeType::kNone: return "none";
    case RopeType::kNorm: return "norm";
    case RopeType::kNeox: return "neox";
  }
  return "unknown";
}

std::string_view rope_scaling_name(RopeScaling scaling) {
  switch (scaling) {
    case RopeScaling::kNone: return "none";
    case RopeScaling::kLinear: return "linear";
    case RopeScaling::kYarn: return "yarn";
    case RopeScaling::kLlama3: return "llama3";
  }
  return "unknown";
}

std::vector<std::string_view> known_architectures() {
  std::vector<std::string_view> out;
  for (const ArchSpec& a : arch_table()) out.push_back(a.name);
  return out;
}

Status check_arch_runnable(const ModelParams& params) {
  if (params.arch_runnable) return ok_status();
  std::string runnable;
  for (const ArchSpec& a : arch_table()) {
    if (!a.runnable) continue;
    if (!runnable.empty()) runnable += ", ";
    runnable += a.name;
  }
  return Status::unsupported("architecture '" + params.arch + "' cannot be run yet (runnable: " + runnable + ")");
}

Status validate_vocab_metadata(const GgufFile& f) {
  LT_ASSIGN_OR_RETURN(auto tokens, f.get_string_array("tokenizer.ggml.tokens"));
  const uint64_t n_vocab = tokens.size();
  if (n_vocab == 0 || n_vocab > kMaxVocab) {
    return bad(f, "tokenizer.ggml.tokens", std::to_string(n_vocab) + " tokens, expected 1.." + std::to_string(kMaxVocab));
  }
  if (f.has("tokenizer.ggml.scores")) {
    LT_ASSIGN_OR_RETURN(GgufType t, f.array_type("tokenizer.ggml.scores"));
    if (t != GgufType::kF32 && t != GgufType::kF64) {
      return bad(f, "tokenizer.ggml.scores", "expected array of f32, found array of " + std::string(gguf_type_name(t)));
    }
    LT_ASSIGN_OR_RETURN(std::vector<float> scores, f.get_f32_array("tokenizer.ggml.scores"));
    if (scores.size() != n_vocab) {
      return bad(f, "tokenizer.ggml.scores",
                 std::to_string(scores.size()) + " scores for " + std::to_string(n_vocab) + " tokens");
    }
    for (size_t i = 0; i < scores.size(); ++i) {
      if (std::isnan(scores[i])) return bad(f, "tokenizer.ggml.scores", "score of token " + std::to_string(i) + " is NaN");
    }
  }
  if (f.has("tokenizer.ggml.token_type")) {
    LT_ASSIGN_OR_RETURN(std::vector<int32_t> types, f.get_i32_array("tokenizer.ggml.token_type"));
    if (types.size() != n_vocab) {
      return bad(f, "tokenizer.ggml.token_type",
                 std::to_string(types.size()) + " token types for " + std::to_string(n_vocab) + " tokens");
    }
    // 0 undefined, 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte.
    for (size_t i = 0; i < types.size(); ++i) {
      if (types[i] < 0 || types[i] > 6) {
        return bad(f, "tokenizer.ggml.token_type",
                   "token " + std::to_string(i) + " has type " + std::to_string(types[i]) + ", expected 0..6");
      }
    }
  }
  if (f.has("tokenizer.ggml.merges")) LT_RETURN_IF_ERROR(f.get_string_array("tokenizer.ggml.merges").status());
  if (f.has("tokenizer.ggml.model")) LT_RETURN_IF_ERROR(f.get_string("tokenizer.ggml.model").status());
  return check_special_ids(f, n_vocab);
}

Result<ModelParams> read_model_params(const GgufFile& f) {
  ModelParams p;
  if (!f.has("general.architecture")) {
    return Status::corruption("'" + f.path() + "': key 'general.architecture' not found");
  }
  LT_ASSIGN_OR_RETURN(std::string_view arch, f.get_string("general.architecture"));
  p.arch = std::string(arch);
  const ArchSpec* spec = find_arch(arch);
  if (spec == nullptr) {
    std::string known;
    for (std::string_view k : known_architectures()) known += (known.empty() ? "" : ", ") + std::string(k);
    return Status::unsupported("'" + f.path() + "': unsupported architecture '" + p.arch + "' (known: " + known + ")");
  }
  p.arch_runnable = spec->runnable;
  p.rope_type = spec->rope_type;
  p.norm_is_rms = spec->norm_is_rms;
  LT_ASSIGN_OR_RETURN(std::string_view name, f.get_string_or("general.name", ""));
  p.name = std::string(name);
  const std::string a = p.arch;

  LT_ASSIGN_OR_RETURN(p.n_layer, read_count(f, a + ".block_count", 1, kMaxLayers));
  LT_ASSIGN_OR_RETURN(p.n_embd, read_count(f, a + ".embedding_length", 1, kMaxEmbd));
  LT_ASSIGN_OR_RETURN(p.n_ctx_train, read_count(f, a + ".context_length", 1, kMaxCtx));
  LT_ASSIGN_OR_RETURN(p.n_head_per_layer, read_per_layer(f, a + ".attention.head_count", p.n_layer, 1, kMaxHeads));
  p.n_head = *std::max_element(p.n_head_per_layer.begin(), p.n_head_per_layer.end());
  LT_ASSIGN_OR_RETURN(p.n_head_kv_per_layer,
                      read_per_layer(f, a + ".attention.head_count_kv", p.n_layer, 1, kMaxHeads, p.n_head));
  if (!f.has(a + ".attention.head_count_kv")) p.n_head_kv_per_layer = p.n_head_per_layer;
  p.n_head_kv = *std::max_element(p.n_head_kv_per_layer.begin(), p.n_head_kv_per_layer.end());
  for (uint32_t l = 0; l < p.n_layer; ++l) {
    if (p.n_head_per_layer[l] % p.n_head_kv_per_layer[l] != 0) {
      return bad(f, a + ".attention.head_count_kv",
                 "layer " + std::to_string(l) + ": n_head " + std::to_string(p.n_head_per_layer[l]) +
                     " is not a multiple of n_head_kv " + std::to_string(p.n_head_kv_per_layer[l]));
    }
  }
  LT_ASSIGN_OR_RETURN(p.n_ff_per_layer, read_per_layer(f, a + ".feed_forward_length", p.n_layer, 1, kMaxFf));
  p.n_ff = *std::max_element(p.n_ff_per_layer.begin(), p.n_ff_per_layer.end());

  if (f.has(a + ".attention.key_length")) {
    LT_ASSIGN_OR_RETURN(p.head_dim_k, read_count(f, a + ".attention.key_length", 1, kMaxEmbd));
  } else {
    if (p.n_embd % p.n_head != 0) {
      return bad(f, a + ".attention.head_count",
                 "n_embd " + std::to_string(p.n_embd) + " is not a multiple of n_head " + std::to_string(p.n_head));
    }
    p.head_dim_k = p.n_embd / p.n_head;
  }
  LT_ASSIGN_OR_RETURN(p.head_dim_v, read_count(f, a + ".attention.value_length", 1, kMaxEmbd, p.head_dim_k));
  p.head_dim = p.head_dim_k;

  const std::string eps_key =
      a + (p.norm_is_rms ? ".attention.layer_norm_rms_epsilon" : ".attention.layer_norm_epsilon");
  LT_ASSIGN_OR_RETURN(p.norm_eps, read_positive_float(f, eps_key, 1e-5f, 0.5f));
  LT_RETURN_IF_ERROR(read_rope(f, a, p));

  // Vocabulary size: the token list is authoritative; the embedding must agree with it.
  const GgufTensor* embd = f.find_tensor("token_embd.weight");
  if (f.has("tokenizer.ggml.tokens")) {
    LT_ASSIGN_OR_RETURN(auto tokens, f.get_string_array("tokenizer.ggml.tokens"));
    if (tokens.empty() || tokens.size() > kMaxVocab) {
      return bad(f, "tokenizer.ggml.tokens", std::to_string(tokens.size()) + " tokens, expected 1.." +
                                                 std::to_string(kMaxVocab));
    }
    p.n_vocab = static_cast<uint32_t>(tokens.size());
  } else if (f.has(a + ".vocab_size")) {
    LT_ASSIGN_OR_RETURN(p.n_vocab, read_count(f, a + ".vocab_size", 1, kMaxVocab));
  } else if (embd != nullptr && embd->ne[1] >= 1 && static_cast<uint64_t>(embd->ne[1]) <= kMaxVocab) {
    p.n_vocab = static_cast<uint32_t>(embd->ne[1]);
  } else {
    return Status::corruption("'" + f.path() + "': cannot tell n_vocab (no tokenizer.ggml.tokens, " + a +
                              ".vocab_size or token_embd.weight)");
  }
  for (const char* tname : {"token_embd.weight", "output.weight"}) {
    const GgufTensor* t = f.find_tensor(tname);
    if (t != nullptr && (t->ne[0] != p.n_embd || t->ne[1] != p.n_vocab || t->n_dims != 2)) {
      return Status::corruption("'" + f.path() + "': tensor '" + tname + "': shape [" + std::to_string(t->ne[0]) +
                                ", " + std::to_string(t->ne[1]) + "] does not match n_embd " +
                                std::to_string(p.n_embd) + ", n_vocab " + std::to_string(p.n_vocab));
    }
  }
  p.tied_embeddings = embd != nullptr && f.find_tensor("output.weight") == nullptr;

  LT_ASSIGN_OR_RETURN(p.bos_id, read_token_id(f, "tokenizer.ggml.bos_token_id", p.n_vocab));
  LT_ASSIGN_OR_RETURN(p.eos_id, read_token_id(f, "tokenizer.ggml.eos_token_id", p.n_vocab));
  LT_ASSIGN_OR_RETURN(p.eot_id, read_token_id(f, "tokenizer.ggml.eot_token_id", p.n_vocab));
  LT_ASSIGN_OR_RETURN(p.eom_id, read_token_id(f, "tokenizer.ggml.eom_token_id", p.n_vocab));
  LT_ASSIGN_OR_RETURN(p.unk_id, read_token_id(f, "tokenizer.ggml.unknown_token_id", p.n_vocab));
  LT_ASSIGN_OR_RETURN(p.pad_id, read_token_id(f, "tokenizer.ggml.padding_token_id", p.n_vocab));
  LT_ASSIGN_OR_RETURN(p.sep_id, read_token_id(f, "tokenizer.ggml.seperator_token_id", p.n_vocab));
  LT_ASSIGN_OR_RETURN(p.cls_id, read_token_id(f, "tokenizer.ggml.cls_token_id", p.n_vocab));
  LT_ASSIGN_OR_RETURN(p.mask_id, read_token_id(f, "tokenizer.ggml.mask_token_id", p.n_vocab));

  if (f.has("general.file_type")) {
    LT_ASSIGN_OR_RETURN(p.file_type, f.get_u32("general.file_type"));
    p.has_file_type = true;
    p.file_type_name = std::string(file_type_name(p.file_type));
  }
  for (const GgufTensor& t : f.tensors()) {
    if (!runnable_tensor_type(t.type)) {
      return Status::unsupported("'" + f.path() + "': tensor '" + t.name + "': type " +
                                 std::string(tensor_type_name(t.type)) + " is not supported for model weights");
    }
    p.n_params += t.n_elements;
    p.n_tensor_bytes += t.n_bytes;
  }
  p.quant_mix = quant_mix(f);

  if (spec->extra != nullptr) LT_RETURN_IF_ERROR(spec->extra(f, p));
  return p;
}

std::string quant_mix(const GgufFile& f) {
  std::map<std::string_view, uint64_t> bytes;
  for (const GgufTensor& t : f.tensors()) {
    if (t.n_dims >= 2) bytes[tensor_type_name(t.type)] += t.n_bytes;
  }
  std::vector<std::pair<std::string_view, uint64_t>> sorted(bytes.begin(), bytes.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
  std::string out;
  for (const auto& [name, n] : sorted) {
    if (!out.empty()) out += '+';
    out += name;
  }
  return out;
}

std::string_view file_type_name(uint32_t file_type) {
  switch (file_type) {
    case 0: return "F32";
    case 1: return "F16";
    case 2: return "Q4_0";
    case 3: return "Q4_1";
    case 4: return "Q4_1_SOME_F16";
    case 7: return "Q8_0";
    case 8: return "Q5_0";
    case 9: return "Q5_1";
    case 10: return "Q2_K";
    case 11: return "Q3_K_S";
    case 12: return "Q3_K_M";
    case 13: return "Q3_K_L";
    case 14: return "Q4_K_S";
    case 15: return "Q4_K_M";
    case 16: return "Q5_K_S";
    case 17: return "Q5_K_M";
    case 18: return "Q6_K";
    case 19: return "IQ2_XXS";
    case 20: return "IQ2_XS";
    case 21: return "Q2_K_S";
    case 22: return "IQ3_XS";
    case 23: return "IQ3_XXS";
    case 24: return "IQ1_S";
    case 25: return "IQ4_NL";
    case 26: return "IQ3_S";
    case 27: return "IQ3_M";
    case 28: return "IQ2_S";
    case 29: return "IQ2_M";
    case 30: return "IQ4_XS";
    case 31: return "IQ1_M";
    case 32: return "BF16";
    case 36: return "TQ1_0";
    case 37: return "TQ2_0";
    default: return "";
  }
}

std::string format_param_count(uint64_t n) {
  static const struct { double scale; const char* unit; } kUnits[] = {
      {1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"},
  };
  for (const auto& u : kUnits) {
    if (static_cast<double>(n) >= u.scale) {
      double v = static_cast<double>(n) / u.scale;
      char buf[32];
      std::snprintf(buf, sizeof buf, v < 100 ? "%.1f" : "%.0f", v);
      std::string s = buf;
      if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
      return s + u.unit;
    }
  }
  return std::to_string(n);
}

}  // namespace lantern::engine
