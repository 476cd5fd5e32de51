// The inner loops of attention over KV-cache rows: q.k dot products and the weighted V sum, for
// float32 and float16 rows. AVX2/F16C versions (attention_kernels_avx2.cpp) are used where the
// CPU has them and LANTERN_NO_SIMD is not set; the scalar ones are the reference.
//
// The one thing to know: n (the head size) may be any positive number; the SIMD versions handle
// the tail with scalar code, so results match the reference to float rounding, not bit for bit.
#pragma once

#include <cstdint>

namespace lantern::engine {

struct AttentionKernels {
  float (*dot_f32)(const float* q, const float* k, int32_t n);     // sum q[i] * k[i]
  float (*dot_f16)(const float* q, const uint16_t* k, int32_t n);  // k in IEEE half
  void (*axpy_f32)(float w, const float* v, float* out, int32_t n);     // out[i] += w * v[i]
  void (*axpy_f16)(float w, const uint16_t* v, float* out, int32_t n);  // v in IEEE half
};

const AttentionKernels& attention_kernels();       // the active set
const AttentionKernels& attention_kernels_scalar();
// The AVX2 set, or nullptr when this build or CPU has none.
const AttentionKernels* attention_kernels_avx2();

}  // namespace lantern::engine
