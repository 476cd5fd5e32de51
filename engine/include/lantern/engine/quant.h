// Public quantization helpers: half-precision conversions, float -> any supported weight type
// (the quantizer used by the GGUF writer, tests and the benchmark model generator), and
// dequantization of rows.
//
// The one thing to know: the quantizer is reference quality (a simple min/max and scale search),
// not llama.cpp's importance-weighted one. Its output is a valid file block for every type, which
// is all the tests and benchmarks need.
#pragma once

#include <cstdint>
#include <vector>

#include "lantern/engine/tensor_type.h"
#include "lantern/status.h"

namespace lantern::engine {

float fp16_to_fp32(uint16_t h);
uint16_t fp32_to_fp16(float f);  // round to nearest even, overflow to inf
float bf16_to_fp32(uint16_t h);
uint16_t fp32_to_bf16(float f);  // round to nearest even

// True for weight types Matrix can multiply: F32 F16 BF16 Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q2_K..Q6_K.
bool type_has_kernels(TensorType type);

// Quantizes src [n_rows][n_cols] into the on-disk layout of `type` (row after row).
// Errors: unsupported type, n_cols not a multiple of the block size.
Result<std::vector<uint8_t>> quantize_rows(TensorType type, const float* src, int64_t n_cols, int64_t n_rows);

// Dequantizes one row of n elements (n a multiple of the block size) stored as `type`.
Status dequantize_row(TensorType type, const void* src, float* dst, int64_t n);

}  // namespace lantern::engine
