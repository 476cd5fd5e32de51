// Scalar kernels for the plain float weight types (F32, F16, BF16) and the half-precision
// conversions every other kernel uses for its block scales.
//
// The one thing to know: fp32_to_fp16 rounds to nearest even exactly like the F16C instruction,
// so files written here match what llama.cpp's converter would store for the same floats.
#include <cmath>
#include <cstring>

#include "kernels.h"

namespace lantern::engine {

namespace {
uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float float_of(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
}  // namespace

float fp16_to_fp32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t exp = (h >> 10) & 0x1F;
  const uint32_t mant = h & 0x3FF;
  if (exp == 0) {
    // Zero or subnormal: mant * 2^-24.
    float v = std::ldexp(static_cast<float>(mant), -24);
    return sign ? -v : v;
  }
  if (exp == 31) return float_of(sign | 0x7F800000 | (mant << 13));
  return float_of(sign | ((exp + 112) << 23) | (mant << 13));
}

uint16_t fp32_to_fp16(float f) {
  const uint32_t x = bits_of(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
  const uint32_t a = x & 0x7FFFFFFF;
  if (a > 0x7F800000) return sign | 0x7E00;   // NaN stays NaN (quiet)
  if (a >= 0x477FF000) return sign | 0x7C00;  // >= 65520 rounds to infinity
  if (a >= 0x38800000) {                      // a normal half
    const uint32_t mant = a & 0x7FFFFF;
    const uint32_t exp = (a >> 23) - 127 + 15;
    uint32_t h = (exp << 10) | (mant >> 13);
    const uint32_t rem = mant & 0x1FFF;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) ++h;  // a carry into the exponent is correct
    return static_cast<uint16_t>(sign | h);
  }
  if (a < 0x33000000) return sign;  // below 2^-25: rounds to zero
  // Subnormal half: m = value * 2^24 rounded to nearest even; value = mant * 2^(e - 150).
  const uint32_t mant = (a & 0x7FFFFF) | 0x800000;
  const uint32_t shift = 126 - (a >> 23);  // 14..24
  uint32_t m = mant >> shift;
  const uint32_t rem = mant & ((1u << shift) - 1);
  const uint32_t halfway = 1u << (shift - 1);
  if (rem > halfway || (rem == halfway && (m & 1))) ++m;
  return static_cast<uint16_t>(sign | m);
}

float bf16_to_fp32(uint16_t h) { return float_of(static_cast<uint32_t>(h) << 16); }

uint16_t fp32_to_bf16(float f) {
  const uint32_t x = bits_of(f);
  if ((x & 0x7FFFFFFF) > 0x7F800000) return static_cast<uint16_t>((x >> 16) | 0x40);  // quiet NaN
  return static_cast<uint16_t>((x + 0x7FFF + ((x >> 16) & 1)) >> 16);
}

namespace kernels {
namespace {

void f32_to_float(const void* src, float* dst, int64_t n) { std::memcpy(dst, src, n * sizeof(float)); }
void f32_from_float(const float* src, void* dst, int64_t n) { std::memcpy(dst, src, n * sizeof(float)); }

float f32_dot(int64_t n, const void* w, const void* x) {
  const float* a = static_cast<const float*>(w);
  const float* b = static_cast<const float*>(x);
  float acc[4] = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (int k = 0; k < 4; ++k) acc[k] += a[i + k] * b[i + k];
  }
  for (; i < n; ++i) acc[0] += a[i] * b[i];
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

void f16_to_float(const void* src, float* dst, int64_t n) {
  const uint16_t* s = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; ++i) dst[i] = fp16_to_fp32(s[i]);
}
void f16_from_float(const float* src, void* dst, int64_t n) {
  uint16_t* d = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) d[i] = fp32_to_fp16(src[i]);
}
float f16_dot(int64_t n, const void* w, const void* x) {
  const uint16_t* a = static_cast<const uint16_t*>(w);
  const float* b = static_cast<const float*>(x);
  float acc[4] = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (int k = 0; k < 4; ++k) acc[k] += fp16_to_fp32(a[i + k]) * b[i + k];
  }
  for (; i < n; ++i) acc[0] += fp16_to_fp32(a[i]) * b[i];
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

void bf16_to_float(const void* src, float* dst, int64_t n) {
  const uint16_t* s = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_fp32(s[i]);
}
void bf16_from_float(const float* src, void* dst, int64_t n) {
  uint16_t* d = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) d[i] = fp32_to_bf16(src[i]);
}
float bf16_dot(int64_t n, const void* w, const void* x) {
  const uint16_t* a = static_cast<const uint16_t*>(w);
  const float* b = static_cast<const float*>(x);
  float acc[4] = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (int k = 0; k < 4; ++k) acc[k] += bf16_to_fp32(a[i + k]) * b[i + k];
  }
  for (; i < n; ++i) acc[0] += bf16_to_fp32(a[i]) * b[i];
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

}  // namespace

void register_float_kernels(TypeTraits* table) {
  table[static_cast<int>(TensorType::kF32)] = {TensorType::kF32, 1, 4, f32_to_float, f32_from_float,
                                               TensorType::kF32, f32_dot};
  table[static_cast<int>(TensorType::kF16)] = {TensorType::kF16, 1, 2, f16_to_float, f16_from_float,
                                               TensorType::kF32, f16_dot};
  table[static_cast<int>(TensorType::kBF16)] = {TensorType::kBF16, 1, 2, bf16_to_float, bf16_from_float,
                                                TensorType::kF32, bf16_dot};
}

}  // namespace kernels
}  // namespace lantern::engine
