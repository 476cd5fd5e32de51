// The per-token math of a decoder block, as plain functions on float rows: RMSNorm, RoPE,
// SwiGLU, softmax, and float16 conversion for the KV cache.
//
// The one thing to know: these take raw pointers to rows whose shapes are written next to each
// parameter; they allocate nothing and never fail (sizes were checked when the model loaded).
// Weight products are not here: they go through Matrix (B1's kernels) so they can be made fast
// without touching this code.
#pragma once

#include <cstdint>
#include <cstring>

namespace lantern::engine::nn {

// out[i] = x[i] / sqrt(mean(x^2) + eps) * weight[i]. x, out: [n]; weight: [n] or null (no scale).
// out may alias x. The mean is accumulated in double: long rows of large activations otherwise
// lose digits the reference keeps.
void rms_norm(const float* x, const float* weight, float* out, int64_t n, float eps);
// The same with AVX2 + FMA (the sum of squares still in double, 4 lanes at a time), which
// rms_norm uses where the CPU has them and SIMD is not switched off. nn_ops_avx2.cpp.
void rms_norm_avx2(const float* x, const float* weight, float* out, int64_t n, float eps);

// LayerNorm: out[i] = (x[i] - mean) / sqrt(var + eps) * weight[i] + bias[i]. x, out: [n];
// weight, bias: [n] (bias may be null). out may alias x. Statistics in double.
void layer_norm(const float* x, const float* weight, const float* bias, float* out, int64_t n, float eps);

// In-place GELU, the exact form BERT was trained with: x * (1 + erf(x / sqrt 2)) / 2. x: [n].
void gelu(float* x, int64_t n);

// out[i] = silu(gate[i]) * up[i], silu(g) = g / (1 + e^-g). gate, up, out: [n]; out may alias.
// Uses swiglu_avx2 (exp to within 4e-7 relative) where the CPU has AVX2 and SIMD is not switched off.
void swiglu(const float* gate, const float* up, float* out, int64_t n);
void swiglu_avx2(const float* gate, const float* up, float* out, int64_t n);  // nn_ops_avx2.cpp

// In-place softmax of x: [n].
void softmax(float* x, int64_t n);

// Rotary position embedding settings for one model.
struct RopeParams {
  int32_t n_rot = 0;                    // dimensions rotated per head (even, <= head_dim)
  float base = 10000.0f;                // theta base
  float freq_scale = 1.0f;              // linear scaling: 1 / factor (position divided by factor)
  const float* freq_factors = nullptr;  // [n_rot / 2] per-pair divisors (rope_freqs.weight) or null
  bool neox = false;                    // pairs (i, i + n_rot/2) ("neox", qwen2) vs (2i, 2i+1) (llama)
};

// Cos/sin of the rotation angles of position `pos`: cos_out, sin_out: [n_rot / 2]. Pair i turns by
// pos * freq_scale * base^(-2i / n_rot) / freq_factors[i]; computed in double.
void rope_angles(const RopeParams& rope, int64_t pos, float* cos_out, float* sin_out);

// Rotates the heads of one position in place. x: [n_head][head_dim]; cos, sin: [n_rot / 2].
void rope_apply(const RopeParams& rope, const float* cos, const float* sin, float* x, int32_t n_head,
                int32_t head_dim);

// IEEE half precision <-> float, round to nearest even. Portable (no F16C needed).
uint16_t f32_to_f16(float f);
float f16_to_f32(uint16_t h);
// out[i] = f32_to_f16(x[i]) for a row (the KV cache's stores). x: [n], out: [n]. Uses F16C
// (f32_to_f16_row_f16c, nn_ops_avx2.cpp) where the CPU has it and SIMD is not switched off; the two
// agree on every value but NaN payloads.
void f32_to_f16_row(const float* x, uint16_t* out, int64_t n);
void f32_to_f16_row_f16c(const float* x, uint16_t* out, int64_t n);
// Table-driven f16 -> f32 for hot loops: exact, 256 KiB table built on first use.
const float* f16_table();

}  // namespace lantern::engine::nn
