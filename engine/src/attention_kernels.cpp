// Scalar attention kernels and the runtime choice between them and the AVX2 set.
#include "attention_kernels.h"

#include "kernels.h"
#include "nn_ops.h"

namespace lantern::engine {
namespace {

float dot_f32(const float* q, const float* k, int32_t n) {
  float s = 0.0f;
  for (int32_t i = 0; i < n; ++i) s += q[i] * k[i];
  return s;
}

float dot_f16(const float* q, const uint16_t* k, int32_t n) {
  const float* t = nn::f16_table();
  float s = 0.0f;
  for (int32_t i = 0; i < n; ++i) s += q[i] * t[k[i]];
  return s;
}

void axpy_f32(float w, const float* v, float* out, int32_t n) {
  for (int32_t i = 0; i < n; ++i) out[i] += w * v[i];
}

void axpy_f16(float w, const uint16_t* v, float* out, int32_t n) {
  const float* t = nn::f16_table();
  for (int32_t i = 0; i < n; ++i) out[i] += w * t[v[i]];
}

}  // namespace

const AttentionKernels& attention_kernels_scalar() {
  static const AttentionKernels k{dot_f32, dot_f16, axpy_f32, axpy_f16};
  return k;
}

const AttentionKernels& attention_kernels() {
  static const AttentionKernels* active = [] {
    const AttentionKernels* simd = kernels::simd_active() ? attention_kernels_avx2() : nullptr;
    return simd ? simd : &attention_kernels_scalar();
  }();
  return *active;
}

}  // namespace lantern::engine
