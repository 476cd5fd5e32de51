// Synthetic models: GGUF files with the exact shapes, tensor names, weight-type mix and tokenizer
// size of real models (qwen2-1.5b, llama-8b, ...) but random weights. They exist for benchmarks
// (bench/synth_bench, bench/run_standard.sh) and for tests that need a loader-valid model of a
// real architecture without shipping one.
//
// The one thing to know: weights are copied block by block from a small pool of properly quantized
// random blocks, so writing a multi-gigabyte file costs little more than the disk write; the
// vocabulary is a consistent byte-level BPE one (256 byte tokens, then merges of existing tokens)
// with the architecture's special tokens at their usual ids.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lantern/engine/tensor_type.h"
#include "lantern/status.h"

namespace lantern::engine {

struct SyntheticSpec {
  std::string name;        // "qwen2-1.5b"
  std::string arch;        // "qwen2" or "llama"
  int64_t n_embd = 0;
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t n_ff = 0;
  int64_t n_vocab = 0;
  int64_t n_ctx_train = 0;
  float rope_base = 10000.0f;
  float rms_eps = 1e-6f;
  bool qkv_bias = false;      // qwen2: Q/K/V projections carry biases
  bool tied_output = false;   // no output.weight: the token embedding is reused
  std::string pre;            // tokenizer.ggml.pre
  std::vector<std::string> specials;  // control tokens at the end of the vocabulary
  std::string bos, eos, eot;  // names among `specials` ("" for none)
  bool add_bos = false;
};

// Known shapes: qwen2-1.5b, qwen2-7b, llama-8b, and the small qwen2-tiny and llama-tiny (tests).
Result<SyntheticSpec> synthetic_spec(const std::string& shape);
std::vector<std::string> synthetic_shapes();

// Weight mixes as llama.cpp names them: "Q4_K_M" (Q4_K + Q6_K), "Q8_0", "F16".
Result<uint32_t> synthetic_file_type(const std::string& quant);  // general.file_type value
std::vector<std::string> synthetic_quants();

// Writes the model to `path` (via a temporary file). Deterministic for a given seed.
Status write_synthetic_model(const SyntheticSpec& spec, const std::string& quant, const std::string& path,
                             uint64_t seed = 1);

// Bytes the file will have (within alignment padding), for disk-space checks before writing.
Result<uint64_t> synthetic_model_bytes(const SyntheticSpec& spec, const std::string& quant);

}  // namespace lantern::engine
