// Model hyperparameters read from GGUF metadata, validated, for the architectures lantern knows.
//
// The one thing to know: keys are read generically as "<arch>.<field>" (llama.block_count,
// qwen2.block_count, ...); what differs per architecture (rope style, norm kind, extra keys,
// whether our forward pass runs it) lives in one table in engine/src/model_arch.cpp. Adding an
// architecture is one entry there; neither the GGUF reader nor this header changes.
//
// Errors: read_model_params returns kUnsupported for an architecture not in the table (naming it)
// or a tensor type lantern cannot run (naming tensor and type), and kCorruption for inconsistent
// values (n_embd % n_head != 0, a per-layer array whose length is not n_layer, a special token id
// >= n_vocab, ...), each message naming the file, the key and the value. The returned struct is a
// plain value with no pointers into the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lantern/engine/gguf.h"
#include "lantern/status.h"

namespace lantern::engine {

// How rotary embeddings pair up the dimensions of a head.
enum class RopeType {
  kNone,  // no rotary embedding (bert: learned absolute positions)
  kNorm,  // adjacent pairs (x[2i], x[2i+1]): llama
  kNeox,  // split halves (x[i], x[i + n_rot/2]): qwen2, qwen3, deepseek2
};

enum class RopeScaling { kNone, kLinear, kYarn, kLlama3 };

std::string_view rope_type_name(RopeType type);
std::string_view rope_scaling_name(RopeScaling scaling);

struct ModelParams {
  std::string arch;   // general.architecture: "llama", "qwen2", ...
  std::string name;   // general.name, or "" when absent
  bool arch_runnable = false;  // lantern's forward pass implements this architecture

  uint32_t n_vocab = 0;      // tokenizer.ggml.tokens length (else <arch>.vocab_size, else token_embd rows)
  uint32_t n_ctx_train = 0;  // <arch>.context_length
  uint32_t n_embd = 0;       // <arch>.embedding_length
  uint32_t n_layer = 0;      // <arch>.block_count
  uint32_t n_head = 0;       // <arch>.attention.head_count (max over layers if per-layer)
  uint32_t n_head_kv = 0;    // <arch>.attention.head_count_kv, default n_head (max over layers)
  uint32_t n_ff = 0;         // <arch>.feed_forward_length (max over layers)
  std::vector<uint32_t> n_head_per_layer;     // [n_layer]
  std::vector<uint32_t> n_head_kv_per_layer;  // [n_layer]
  std::vector<uint32_t> n_ff_per_layer;       // [n_layer]
  uint32_t head_dim_k = 0;   // <arch>.attention.key_length, default n_embd / n_head
  uint32_t head_dim_v = 0;   // <arch>.attention.value_length, default head_dim_k
  uint32_t head_dim = 0;     // = head_dim_k (the common case k == v)

  bool norm_is_rms = true;   // RMSNorm (eps from layer_norm_rms_epsilon) vs LayerNorm
  float norm_eps = 1e-5f;
  bool causal = true;        // <arch>.attention.causal (false for embedding models)

  RopeType rope_type = RopeType::kNorm;
  uint32_t n_rot = 0;                // <arch>.rope.dimension_count, default head_dim
  float rope_freq_base = 10000.0f;   // <arch>.rope.freq_base
  RopeScaling rope_scaling = RopeScaling::kNone;  // <arch>.rope.scaling.type
  float rope_scaling_factor = 1.0f;               // <arch>.rope.scaling.factor (or rope.scale_linear)
  uint32_t rope_scaling_orig_ctx = 0;             // <arch>.rope.scaling.original_context_length
  float rope_scaling_attn_factor = 1.0f;          // <arch>.rope.scaling.attn_factor
  float rope_low_freq_factor = 0.0f;              // <arch>.rope.scaling.low_freq_factor (llama3), 0 if absent
  float rope_high_freq_factor = 0.0f;             // <arch>.rope.scaling.high_freq_factor (llama3), 0 if absent
  bool has_rope_freqs = false;       // a rope_freqs.weight tensor [n_rot/2] divides the frequencies

  bool tied_embeddings = false;      // no output.weight: the output projection reuses token_embd

  // Special tokens; nullopt when absent or stored as -1 / 0xFFFFFFFF ("none").
  std::optional<int32_t> bos_id, eos_id, eot_id, eom_id, unk_id, pad_id, sep_id, cls_id, mask_id;

  uint32_t file_type = 0;          // general.file_type (llama_ftype), 0 if absent
  bool has_file_type = false;
  std::string file_type_name;      // "Q4_K_M", "F16", ...; "" if absent or unknown
  std::string quant_mix;           // weight types of 2-D+ tensors by bytes, largest first: "Q4_K+Q6_K"
  uint64_t n_params = 0;           // elements of all tensors
  uint64_t n_tensor_bytes = 0;     // bytes of all tensor data
};

// Reads and validates the hyperparameters of `file`. Also checks every tensor type is one lantern
// can run and that token_embd.weight / rope_freqs.weight shapes agree with the parameters.
Result<ModelParams> read_model_params(const GgufFile& file);

// kUnsupported naming the architecture when our forward pass does not implement it (the file's
// parameters can still be read and listed).
Status check_arch_runnable(const ModelParams& params);

// Names of the architectures in the table ("llama", "qwen2", ...), runnable or not.
std::vector<std::string_view> known_architectures();

// Checks the tokenizer arrays and special ids of `file`: tokenizer.ggml.tokens is a string array
// of 1..2^24 entries; scores (f32, no NaN) and token_type (integers 0..6) when present have the
// same length;
// merges when present is a string array; every tokenizer.ggml.*_token_id is < n_vocab (or -1 /
// 0xFFFFFFFF for "none"). Tokenizer loaders call this before building their tables.
Status validate_vocab_metadata(const GgufFile& file);

// Weight types of tensors with two or more dimensions, by total bytes, largest first, joined by
// '+' ("Q4_K+Q6_K"); "" for files without such tensors.
std::string quant_mix(const GgufFile& file);
// The llama.cpp name of a general.file_type value ("Q4_K_M"), or "" for unknown values.
std::string_view file_type_name(uint32_t file_type);
// "260K", "1.5B", "7.6B", "35M".
std::string format_param_count(uint64_t n);

}  // namespace lantern::engine
