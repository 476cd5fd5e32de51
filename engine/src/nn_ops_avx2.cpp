// AVX2 + FMA + F16C versions of nn::swiglu, nn::rms_norm and the KV cache's float-to-half row
// conversion (compiled with -mavx2 -mfma -mf16c; nn_ops.cpp calls them only after the runtime CPU
// check). Decode runs these on one thread while the other waits: the scalar std::exp loop of
// SwiGLU cost ~2% of a Q4_K_M 1.5B token; RMSNorm and the half conversion about 1%.
#include <immintrin.h>

#include <cmath>
#include <cstdint>

#include "exp_avx2.h"
#include "nn_ops.h"

namespace lantern::engine::nn {

// silu(g) = g * sigmoid(g), with e = exp(-|g|) <= 1 in range of exp_nonpositive:
// sigmoid(g) = 1 / (1 + e) for g >= 0 and e / (1 + e) for g < 0.
void swiglu_avx2(const float* gate, const float* up, float* out, int64_t n) {
  const __m256 sign = _mm256_set1_ps(-0.0f), one = _mm256_set1_ps(1.0f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 g = _mm256_loadu_ps(gate + i);
    const __m256 e = exp_nonpositive(_mm256_or_ps(g, sign));  // exp(-|g|)
    const __m256 num = _mm256_blendv_ps(one, e, g);           // sign bit of g set: e
    const __m256 sig = _mm256_div_ps(num, _mm256_add_ps(one, e));
    _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_mul_ps(g, sig), _mm256_loadu_ps(up + i)));
  }
  for (; i < n; ++i) out[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

// The sum of squares in double as the scalar rms_norm has it (only the order of the additions
// differs), the scaling in float in the same order: (x * scale) * weight.
void rms_norm_avx2(const float* x, const float* weight, float* out, int64_t n, float eps) {
  __m256d s0 = _mm256_setzero_pd(), s1 = s0;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(v)), hi = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
    s0 = _mm256_fmadd_pd(lo, lo, s0);
    s1 = _mm256_fmadd_pd(hi, hi, s1);
  }
  alignas(32) double part[4];
  _mm256_store_pd(part, _mm256_add_pd(s0, s1));
  double sum = (part[0] + part[1]) + (part[2] + part[3]);
  for (int64_t j = i; j < n; ++j) sum += static_cast<double>(x[j]) * x[j];
  const float scale = static_cast<float>(1.0 / std::sqrt(sum / static_cast<double>(n) + eps));
  const __m256 sv = _mm256_set1_ps(scale);
  for (i = 0; i + 8 <= n; i += 8) {
    __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + i), sv);
    if (weight) v = _mm256_mul_ps(v, _mm256_loadu_ps(weight + i));
    _mm256_storeu_ps(out + i, v);
  }
  for (; i < n; ++i) out[i] = weight ? x[i] * scale * weight[i] : x[i] * scale;
}

void f32_to_f16_row_f16c(const float* x, uint16_t* out, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
  }
  for (; i < n; ++i) out[i] = f32_to_f16(x[i]);
}

}  // namespace lantern::engine::nn
