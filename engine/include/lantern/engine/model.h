// A loaded language model: weights, hyperparameters, tokenizer and chat template of one GGUF file.
//
// Ownership: Model::load returns a shared_ptr<const Model>; every Session keeps the model alive
// through its own copy of that pointer. The weights are read in place from the file's memory
// mapping, which lives as long as the Model.
// Threading: a Model is immutable after load and may be used by any number of Sessions on any
// threads at once (each Session on one thread at a time; see session.h).
// Errors: load returns a Status whose one-line message names the file and what is wrong with it
// (a missing tensor, a shape that does not match the hyperparameters, an unsupported type or
// architecture); nothing here throws or exits.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "lantern/status.h"

namespace lantern::engine {

class Tokenizer;
class ChatTemplate;
struct ModelParams;  // lantern/engine/model_params.h
struct ModelWeights;  // private: engine/src/model_weights.h

// What a user wants to know about a model (for `lantern models`, the TUI stats pane, bench).
struct ModelInfo {
  std::string path;
  std::string name;          // general.name, else the file name
  std::string arch;          // "llama", "qwen2", ...
  std::string quant;         // general.file_type name ("Q4_K_M"), else the weight types by bytes ("Q4_K+Q6_K")
  uint64_t n_params = 0;     // elements of all weight tensors
  uint64_t file_bytes = 0;
  int32_t n_ctx_train = 0;   // context length the model was trained with
  int32_t n_vocab = 0;
  int32_t n_embd = 0;
  int32_t n_layer = 0;
  int32_t n_head = 0;
  int32_t n_head_kv = 0;
  int32_t head_dim = 0;
  int32_t n_ff = 0;
  // Where the weight products read from: "huge pages" (a private copy, made after load),
  // "huge pages, packed" (the copy holds some matrices in packed groups of rows for the decode
  // kernels) or "file mapping (REASON)" when no copy was made.
  std::string weight_memory;
};

struct LoadOptions {
  int32_t n_threads = 0;  // threads for the weight products; 0: one per core (1 for files under 32 MiB)
  // Copy the weight matrices into huge-page memory after load, in the background (faster decode;
  // see WeightArena), when the system allows it; false reads them in place from the file mapping.
  bool resident_weights = true;
  // Called with a fraction in [0, 1] while loading (from the loading thread).
  std::function<void(float)> progress;
};

class Model {
 public:
  static Result<std::shared_ptr<const Model>> load(const std::string& path, const LoadOptions& options = {});
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const ModelInfo& info() const;
  // Everything read_model_params found in the metadata (special token ids, rope settings, ...).
  const ModelParams& params() const;
  const Tokenizer& tokenizer() const;
  // The file's chat template (tokenizer.chat_template), or a built-in one chosen by architecture.
  const ChatTemplate& chat_template() const;
  int32_t n_threads() const;
  // Blocks until the background copy of the weights into huge pages is complete (at once when
  // there is none: weight_memory is a file mapping). The model is usable before: products read
  // the file mapping until their matrix is copied. Error: the file could not be read; the model
  // then keeps reading the mapping.
  Status wait_resident() const;

  // Internal: the forward pass reads the weights through this (engine/src only).
  const ModelWeights& weights() const { return *weights_; }

 private:
  Model();
  std::unique_ptr<ModelWeights> weights_;
};

}  // namespace lantern::engine
