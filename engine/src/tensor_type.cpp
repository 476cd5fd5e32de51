// The GGUF tensor type table. Block sizes and byte sizes follow the ggml block structs:
// e.g. Q4_K is 256 elements in 2 f16 scales + 12 bytes of 6-bit sub-block scales + 128 nibbles.
#include "lantern/engine/tensor_type.h"

#include <array>

namespace lantern::engine {
namespace {

constexpr std::array<TensorTypeInfo, 20> kTypes = {{
    {TensorType::kF32, "F32", 1, 4},
    {TensorType::kF16, "F16", 1, 2},
    {TensorType::kQ4_0, "Q4_0", 32, 2 + 16},
    {TensorType::kQ4_1, "Q4_1", 32, 2 + 2 + 16},
    {TensorType::kQ5_0, "Q5_0", 32, 2 + 4 + 16},
    {TensorType::kQ5_1, "Q5_1", 32, 2 + 2 + 4 + 16},
    {TensorType::kQ8_0, "Q8_0", 32, 2 + 32},
    {TensorType::kQ8_1, "Q8_1", 32, 4 + 32},
    {TensorType::kQ2_K, "Q2_K", 256, 16 + 64 + 2 + 2},
    {TensorType::kQ3_K, "Q3_K", 256, 32 + 64 + 12 + 2},
    {TensorType::kQ4_K, "Q4_K", 256, 2 + 2 + 12 + 128},
    {TensorType::kQ5_K, "Q5_K", 256, 2 + 2 + 12 + 32 + 128},
    {TensorType::kQ6_K, "Q6_K", 256, 128 + 64 + 16 + 2},
    {TensorType::kQ8_K, "Q8_K", 256, 4 + 256 + 32},
    {TensorType::kI8, "I8", 1, 1},
    {TensorType::kI16, "I16", 1, 2},
    {TensorType::kI32, "I32", 1, 4},
    {TensorType::kI64, "I64", 1, 8},
    {TensorType::kF64, "F64", 1, 8},
    {TensorType::kBF16, "BF16", 1, 2},
}};

}  // namespace

std::optional<TensorTypeInfo> tensor_type_info(uint32_t raw_type) {
  for (const auto& info : kTypes) {
    if (static_cast<uint32_t>(info.type) == raw_type) return info;
  }
  return std::nullopt;
}

std::string_view tensor_type_name(TensorType type) {
  auto info = tensor_type_info(static_cast<uint32_t>(type));
  return info ? info->name : std::string_view("unknown");
}

std::optional<uint64_t> tensor_row_bytes(TensorType type, uint64_t n_elements) {
  auto info = tensor_type_info(static_cast<uint32_t>(type));
  if (!info || n_elements % info->block_size != 0) return std::nullopt;
  return n_elements / info->block_size * info->type_size;
}

}  // namespace lantern::engine
