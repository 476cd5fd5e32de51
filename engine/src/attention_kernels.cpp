// Scalar attention kernels and the runtime choice between them and the AVX2 set.
#include "attention_kernels.h"

#include <cmath>

#include "kernels.h"
#include "nn_ops.h"

namespace lantern::engine {
namespace {

float value(float x) { return x; }
float value(uint16_t h) { return nn::f16_table()[h]; }

template <class K>
void dot_ref(const float* q, int32_t qs, int32_t g, const K* k, int64_t ks, int32_t n_keys, int32_t n, float* out,
             int32_t os) {
  for (int32_t h = 0; h < g; ++h) {
    for (int32_t j = 0; j < n_keys; ++j) {
      float s = 0.0f;
      for (int32_t i = 0; i < n; ++i) s += q[h * qs + i] * value(k[j * ks + i]);
      out[h * os + j] = s;
    }
  }
}

template <class V>
void axpy_ref(const float* w, int32_t ws, int32_t g, const V* v, int64_t vs, int32_t n_keys, float* out, int32_t os,
              int32_t n) {
  for (int32_t h = 0; h < g; ++h) {
    for (int32_t j = 0; j < n_keys; ++j) {
      for (int32_t i = 0; i < n; ++i) out[h * os + i] += w[h * ws + j] * value(v[j * vs + i]);
    }
  }
}

double exp_shift(float* x, int32_t n, float shift) {
  double sum = 0.0;
  for (int32_t j = 0; j < n; ++j) sum += (x[j] = std::exp(x[j] - shift));
  return sum;
}

}  // namespace

const AttentionKernels& attention_kernels_scalar() {
  static const AttentionKernels k{dot_ref<float>, dot_ref<uint16_t>, axpy_ref<float>, axpy_ref<uint16_t>, exp_shift};
  return k;
}

const AttentionKernels* attention_kernels_avx512() {
  if (kernels::cpu_simd_level() != kernels::SimdLevel::kAvx512 || attention_kernels_avx2() == nullptr) return nullptr;
  static const AttentionKernels k = [] {
    AttentionKernels s = *attention_kernels_avx2();
    fill_attention_kernels_avx512(&s);
    return s;
  }();
  return &k;
}

const AttentionKernels& attention_kernels() {
  static const AttentionKernels* active = [] {
    const AttentionKernels* simd = nullptr;
    if (kernels::active_simd_level() == kernels::SimdLevel::kAvx512) simd = attention_kernels_avx512();
    if (simd == nullptr && kernels::simd_active()) simd = attention_kernels_avx2();
    return simd ? simd : &attention_kernels_scalar();
  }();
  return *active;
}

}  // namespace lantern::engine
