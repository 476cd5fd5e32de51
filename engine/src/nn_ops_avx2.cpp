// AVX2 + FMA version of nn::swiglu (compiled with -mavx2 -mfma; nn_ops.cpp calls it only after the
// runtime CPU check). Decode runs SwiGLU over n_ff elements per layer on one thread while the
// other waits, so the scalar std::exp loop cost ~2% of a Q4_K_M 1.5B token.
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

}  // namespace lantern::engine::nn
