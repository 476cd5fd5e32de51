// Loads named tensors of a GGUF file as Matrix / float vectors, checking each against the shape
// the hyperparameters demand.
//
// The one thing to know: every error is one line naming the tensor, what was expected and what
// the file has ("tensor 'blk.0.attn_q.weight': shape [256, 128] does not match the
// hyperparameters: expected [256, 256]"), so a wrong file fails at load, never in the forward pass.
// It also tallies the weight types and parameter count for ModelInfo.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lantern/engine/gguf.h"
#include "lantern/engine/matrix.h"
#include "lantern/status.h"

namespace lantern::engine {

class WeightArena;

class WeightLoader {
 public:
  // `arena`: when given, the matrices of products are scheduled for a copy there (the caller
  // starts it); they read the file's mapping until their copy is done. Lookups stay in the mapping.
  explicit WeightLoader(const GgufFile& file, WeightArena* arena = nullptr) : file_(file), arena_(arena) {}

  // What a matrix is read for: every row on every token (weight products), or a few rows by index
  // (embedding lookups), which is not worth a resident copy.
  enum class Use { kProduct, kLookup };

  bool has(const std::string& name) const { return file_.find_tensor(name) != nullptr; }
  // The tensor's table entry (shape, type) without loading it; nullptr when absent.
  const GgufTensor* find_raw(const std::string& name) const { return file_.find_tensor(name); }
  // A 2-D tensor of `rows` rows of `cols` elements (GGUF ne = {cols, rows}).
  Result<Matrix> matrix(const std::string& name, int64_t rows, int64_t cols, Use use = Use::kProduct);
  // A 1-D tensor of n elements in any weight type, dequantized to float.
  Result<std::vector<float>> vector(const std::string& name, int64_t n);

  uint64_t n_params() const { return n_params_; }
  // Elements per weight type name over everything loaded: {"Q4_K": 1234, "F32": 56}.
  const std::map<std::string, uint64_t>& type_elements() const { return type_elements_; }
  const std::map<std::string, int>& type_tensors() const { return type_tensors_; }

 private:
  Result<const GgufTensor*> find(const std::string& name, const std::vector<int64_t>& shape);
  void tally(const GgufTensor& t);

  const GgufFile& file_;
  WeightArena* arena_;
  uint64_t n_params_ = 0;
  std::map<std::string, uint64_t> type_elements_;
  std::map<std::string, int> type_tensors_;
};

}  // namespace lantern::engine
