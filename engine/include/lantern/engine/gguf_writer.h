// GgufWriter: builds GGUF v3 files — metadata of every type, arrays (string arrays included) and
// tensors, each tensor's data aligned as general.alignment says. Used by tests to make real model
// files and by bench/ to generate full-size synthetic models.
//
// The one thing to know: nothing is written until write(); tensors may be given as bytes (copied
// in) or as a fill callback that produces the bytes at write time, one tensor at a time, so a
// multi-gigabyte model never has to sit in memory at once. Keys and tensors keep insertion order;
// setting a key again replaces its value in place.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lantern/engine/gguf.h"
#include "lantern/engine/tensor_type.h"
#include "lantern/status.h"

namespace lantern::engine {

class GgufWriter {
 public:
  // Fills `dst` (exactly the tensor's byte size) with the tensor's data.
  using FillFn = std::function<Status(uint8_t* dst, uint64_t n_bytes)>;

  // ---- metadata ----
  void set_u8(const std::string& key, uint8_t v);
  void set_i8(const std::string& key, int8_t v);
  void set_u16(const std::string& key, uint16_t v);
  void set_i16(const std::string& key, int16_t v);
  void set_u32(const std::string& key, uint32_t v);
  void set_i32(const std::string& key, int32_t v);
  void set_u64(const std::string& key, uint64_t v);
  void set_i64(const std::string& key, int64_t v);
  void set_f32(const std::string& key, float v);
  void set_f64(const std::string& key, double v);
  void set_bool(const std::string& key, bool v);
  void set_string(const std::string& key, const std::string& v);
  void set_string_array(const std::string& key, const std::vector<std::string>& v);
  void set_f32_array(const std::string& key, const std::vector<float>& v);
  void set_i32_array(const std::string& key, const std::vector<int32_t>& v);
  void set_u32_array(const std::string& key, const std::vector<uint32_t>& v);
  void set_i64_array(const std::string& key, const std::vector<int64_t>& v);
  // Any numeric array: `count` elements of `element_type` as little-endian bytes (for tests of
  // unusual element types). element_type must not be kString or kArray.
  void set_raw_array(const std::string& key, GgufType element_type, uint64_t count, std::string bytes);
  bool has(const std::string& key) const;

  // Also sets general.alignment (a power of two, default 32).
  Status set_alignment(uint32_t alignment);

  // ---- tensors ----
  // `ne` in ggml order: ne[0] is the row length (1 to 4 dims). Errors: bad name (empty, over 63
  // bytes, duplicate), bad shape, row length not a multiple of the type's block size, wrong size.
  Status add_tensor(const std::string& name, TensorType type, const std::vector<int64_t>& ne,
                    std::vector<uint8_t> data);
  Status add_tensor(const std::string& name, TensorType type, const std::vector<int64_t>& ne, FillFn fill);
  // Quantizes float values [ne...] (row-major, ne[0] fastest) to `type` and adds them.
  Status add_tensor_from_floats(const std::string& name, TensorType type, const std::vector<int64_t>& ne,
                                const float* values);
  size_t tensor_count() const { return tensors_.size(); }

  // Writes the file (to a temporary name next to it, then renamed into place).
  Status write(const std::string& path) const;
  // The whole file in memory (for GgufFile::open_memory in tests; small models only).
  Result<std::string> to_bytes() const;

 private:
  struct Kv {
    std::string key;
    GgufType type;
    std::string payload;  // the value as serialized after the type field
  };
  struct Tensor {
    std::string name;
    TensorType type;
    std::vector<int64_t> ne;
    uint64_t n_bytes = 0;
    uint64_t offset = 0;  // relative to the data section, assigned as tensors are added
    std::vector<uint8_t> data;  // when given as bytes
    FillFn fill;                // when given as a callback
  };
  void set(const std::string& key, GgufType type, std::string payload);
  Result<uint64_t> check_tensor(const std::string& name, TensorType type, const std::vector<int64_t>& ne) const;
  std::string header() const;  // everything before the data section, padded
  Status emit(const std::function<Status(const void*, size_t)>& sink) const;

  std::vector<Kv> kv_;
  std::vector<Tensor> tensors_;
  uint32_t alignment_ = kGgufDefaultAlignment;
  uint64_t data_size_ = 0;  // bytes of the data section so far (padded)
};

}  // namespace lantern::engine
