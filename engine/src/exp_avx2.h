// exp for AVX2 + FMA vectors, shared by the AVX2 files (attention softmax, SwiGLU).
//
// The one thing to know: include it only from files compiled with -mavx2 -mfma (the *_avx2.cpp
// files); it has internal linkage so that no AVX2 copy is ever called on another CPU.
#pragma once

#include <immintrin.h>

namespace lantern::engine {
namespace {

// exp(x) for x in [-87, 0] (smaller inputs give exp(-87) ~ 1.6e-38, harmless as softmax weights):
// x = n ln2 + r with |r| <= ln2 / 2, exp(r) by its Taylor polynomial to degree 6 (relative error
// below 4e-7), times 2^n put straight into the exponent bits.
inline __m256 exp_nonpositive(__m256 x) {
  x = _mm256_max_ps(x, _mm256_set1_ps(-87.0f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145752f), x);  // ln2 split in two for exactness
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.42860677e-6f), r);
  __m256 p = _mm256_set1_ps(1.0f / 720);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  const __m256i pow2n = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(pow2n));
}

}  // namespace
}  // namespace lantern::engine
