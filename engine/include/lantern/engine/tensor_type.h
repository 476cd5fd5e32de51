// Tensor element types as numbered in GGUF files, with their block layouts.
//
// A quantized type stores `block_size` consecutive elements of a row in `type_size` bytes; a row's
// element count must be a multiple of block_size. The numeric values are the on-disk ids and must
// never change. Which types have kernels is a separate question (see kernels.h): this table only
// says what a file may contain and how many bytes it takes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lantern::engine {

enum class TensorType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ8_1 = 9,
  kQ2_K = 10,
  kQ3_K = 11,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kQ8_K = 15,
  kI8 = 24,
  kI16 = 25,
  kI32 = 26,
  kI64 = 27,
  kF64 = 28,
  kBF16 = 30,
};

struct TensorTypeInfo {
  TensorType type;
  std::string_view name;  // "Q4_K", as llama.cpp and Ollama print it
  uint32_t block_size;    // elements per block (1 for plain types)
  uint32_t type_size;     // bytes per block
};

// Layout of a type id read from a file; nullopt for ids lantern does not know.
std::optional<TensorTypeInfo> tensor_type_info(uint32_t raw_type);
std::string_view tensor_type_name(TensorType type);

// Bytes of one row of `n_elements`; nullopt if n_elements is not a multiple of the block size.
std::optional<uint64_t> tensor_row_bytes(TensorType type, uint64_t n_elements);

}  // namespace lantern::engine
