// GGUF reader: metadata and tensor table of a GGUF v2/v3 file, memory-mapped read-only.
//
// Ownership: GgufFile owns the mapping (or, for open_memory, a private copy of the bytes). Every
// pointer, string_view and span it hands out (tensor data, string values, string arrays, keys)
// points into that mapping and is valid exactly as long as the GgufFile lives. Tensor data is
// never copied; a file larger than RAM opens fine (pages come in on demand). As with any mapping,
// a file truncated by another process while open makes later reads of the lost pages fault
// (SIGBUS); lantern never rewrites model files in place.
//
// Threading: open() validates everything up front; afterwards the object is immutable and all
// const methods may be called from any number of threads at once.
//
// Errors: open() rejects any malformed file with a Status naming the file, the field and the
// value (kCorruption for format violations, kUnsupported for valid-but-unhandled things such as
// big-endian files or IQ tensor types, kIoError for the OS). Typed getters return kNotFound for
// a missing key and kCorruption when the stored type does not match ("key 'x': expected f32,
// found array of i8"). Integer getters accept any stored integer type whose value fits the
// requested type; get_f32 accepts f32 or f64. Nothing here asserts on file content.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lantern/engine/tensor_type.h"
#include "lantern/status.h"

namespace lantern::engine {

// Metadata value types, numbered as on disk.
enum class GgufType : uint32_t {
  kU8 = 0,
  kI8 = 1,
  kU16 = 2,
  kI16 = 3,
  kU32 = 4,
  kI32 = 5,
  kF32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kU64 = 10,
  kI64 = 11,
  kF64 = 12,
};

// "u32", "string", "array" ...; "unknown" for values outside the enum.
std::string_view gguf_type_name(GgufType type);

// Format limits enforced by the reader.
constexpr uint32_t kGgufMaxDims = 4;
constexpr size_t kGgufMaxTensorName = 63;         // bytes; ggml names hold 64 with the NUL
constexpr uint32_t kGgufDefaultAlignment = 32;
constexpr uint32_t kGgufMaxAlignment = 1u << 20;  // larger is treated as corrupt

struct GgufTensor {
  std::string name;
  TensorType type = TensorType::kF32;
  uint32_t n_dims = 0;                     // 1..4
  std::array<int64_t, kGgufMaxDims> ne{};  // ggml order: ne[0] is the row length; unused dims 1
  uint64_t n_elements = 0;                 // ne[0]*ne[1]*ne[2]*ne[3]
  uint64_t offset = 0;                     // absolute byte offset of the data in the file
  uint64_t n_bytes = 0;                    // bytes of data (rows * row bytes)
  const uint8_t* data = nullptr;           // into the mapping; n_bytes long, aligned as the file says
};

// One metadata entry, as stored. Scalars are widened into the fields below; arrays keep their
// element type and count. Use the typed getters of GgufFile rather than reading this directly.
struct GgufValue {
  GgufType type = GgufType::kU8;
  GgufType array_type = GgufType::kU8;  // element type when type == kArray
  uint64_t array_count = 0;             // elements when type == kArray
  const uint8_t* array_data = nullptr;  // raw little-endian elements (not for string arrays)
  uint64_t u = 0;                       // unsigned integers and bool
  int64_t i = 0;                        // signed integers
  double f = 0;                         // f32 / f64
  std::string_view str;                 // kString
  std::vector<std::string_view> strings;  // kArray of kString, one view per element
};

class GgufFile {
 public:
  // Maps and validates `path`. The whole header and tensor table are checked before returning.
  static Result<std::unique_ptr<GgufFile>> open(const std::string& path);
  // Same over a copy of `bytes`; `name` stands in for the path in messages. For tests, fuzzing.
  static Result<std::unique_ptr<GgufFile>> open_memory(std::string_view bytes, const std::string& name = "<memory>");

  ~GgufFile();
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }
  uint64_t file_size() const { return size_; }
  uint32_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }  // start of the tensor data section

  // ---- metadata ----
  bool has(std::string_view key) const;
  // Keys in file order (views into the mapping).
  std::vector<std::string_view> metadata_keys() const;
  // The stored type of `key` (kArray for arrays), or kNotFound.
  Result<GgufType> value_type(std::string_view key) const;
  // Element type and length of an array key; kCorruption if the key is not an array.
  Result<GgufType> array_type(std::string_view key) const;
  Result<uint64_t> array_length(std::string_view key) const;
  // Raw entry, or nullptr when absent.
  const GgufValue* find(std::string_view key) const;

  Result<std::string_view> get_string(std::string_view key) const;
  Result<uint32_t> get_u32(std::string_view key) const;
  Result<int32_t> get_i32(std::string_view key) const;
  Result<uint64_t> get_u64(std::string_view key) const;
  Result<int64_t> get_i64(std::string_view key) const;
  Result<float> get_f32(std::string_view key) const;
  Result<double> get_f64(std::string_view key) const;
  Result<bool> get_bool(std::string_view key) const;

  // Missing key -> `fallback`; present with the wrong type -> error (a wrong type is never
  // silently replaced by the default).
  Result<std::string_view> get_string_or(std::string_view key, std::string_view fallback) const;
  Result<uint32_t> get_u32_or(std::string_view key, uint32_t fallback) const;
  Result<int64_t> get_i64_or(std::string_view key, int64_t fallback) const;
  Result<float> get_f32_or(std::string_view key, float fallback) const;
  Result<bool> get_bool_or(std::string_view key, bool fallback) const;

  // Arrays. String arrays are views into the mapping (no copy: fine for 150k-token vocabularies).
  // Numeric arrays are copied out (metadata arrays are not aligned in the file). Integer arrays
  // accept any integer element type whose values fit; f32 arrays accept f32 or f64 elements.
  Result<std::span<const std::string_view>> get_string_array(std::string_view key) const;
  Result<std::vector<float>> get_f32_array(std::string_view key) const;
  Result<std::vector<int32_t>> get_i32_array(std::string_view key) const;
  Result<std::vector<int64_t>> get_i64_array(std::string_view key) const;

  // A short display form of a value ("3", "\"llama\"", "[array of 32000 string]").
  std::string value_to_string(std::string_view key) const;

  // ---- tensors ----
  const std::vector<GgufTensor>& tensors() const { return tensors_; }
  const GgufTensor* find_tensor(std::string_view name) const;  // nullptr when absent

  // Readahead hint for the tensor data: MADV_WILLNEED when the data fits in half the physical
  // memory (returns true), else MADV_RANDOM so that a file larger than RAM is paged on demand
  // without readahead thrashing (returns false). open() itself never reads ahead: listing a
  // 40 GB model must not pull it into the page cache. A no-op for memory-backed files.
  bool prefetch() const;

  // Copies n bytes at file offset `offset` into dst with read(2), not through the mapping, so the
  // pages are not mapped into this process (WeightArena's copies). Errors name the file: a range
  // past the end, or a read that fails or comes up short (the file shrank since it was opened).
  Status read_at(uint64_t offset, void* dst, uint64_t n) const;

 private:
  GgufFile() = default;
  class Parser;
  static Result<std::unique_ptr<GgufFile>> parse(std::unique_ptr<GgufFile> file);
  Status type_error(std::string_view key, std::string_view expected, const GgufValue& v) const;
  Status missing(std::string_view key) const;
  template <class T>
  Result<T> get_integer(std::string_view key, std::string_view type_name) const;
  template <class T>
  Result<std::vector<T>> get_integer_array(std::string_view key, std::string_view type_name) const;

  std::string path_;
  const uint8_t* base_ = nullptr;  // [size_] file bytes
  uint64_t size_ = 0;
  void* map_addr_ = nullptr;       // mmap'd region (nullptr for memory-backed files)
  int fd_ = -1;                    // the mapped file, kept open for read_at
  size_t map_len_ = 0;
  std::string owned_;              // the bytes for open_memory
  uint32_t version_ = 0;
  uint32_t alignment_ = kGgufDefaultAlignment;
  uint64_t data_offset_ = 0;
  std::vector<std::string_view> keys_;  // file order
  std::unordered_map<std::string_view, GgufValue> kv_;
  std::vector<GgufTensor> tensors_;
  std::unordered_map<std::string_view, size_t> tensor_index_;  // name (view into the file) -> index
};

}  // namespace lantern::engine
