// Plain float implementations of the decoder-block math in nn_ops.h.
// The one thing to know: accuracy first (double accumulators where rows are long); these run
// once per token per layer on [n_embd]-sized rows, a small fraction of the time next to the
// weight products.
#include "nn_ops.h"

#include <cmath>
#include <memory>

#include "kernels.h"

namespace lantern::engine::nn {

void rms_norm(const float* x, const float* weight, float* out, int64_t n, float eps) {
  static const bool simd = kernels::simd_active();
  if (simd) return rms_norm_avx2(x, weight, out, n, eps);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  const float scale = static_cast<float>(1.0 / std::sqrt(sum / static_cast<double>(n) + eps));
  if (weight) {
    for (int64_t i = 0; i < n; ++i) out[i] = x[i] * scale * weight[i];
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = x[i] * scale;
  }
}

void layer_norm(const float* x, const float* weight, const float* bias, float* out, int64_t n, float eps) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += x[i];
  const double mean = sum / static_cast<double>(n);
  double var = 0.0;
  for (int64_t i = 0; i < n; ++i) var += (x[i] - mean) * (x[i] - mean);
  var /= static_cast<double>(n);
  const double inv = 1.0 / std::sqrt(var + eps);
  for (int64_t i = 0; i < n; ++i) {
    const float v = static_cast<float>((x[i] - mean) * inv) * weight[i];
    out[i] = bias ? v + bias[i] : v;
  }
}

void gelu(float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * 0.70710678118654752f));
}

void swiglu(const float* gate, const float* up, float* out, int64_t n) {
  static const bool simd = kernels::simd_active();
  if (simd) return swiglu_avx2(gate, up, out, n);
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    out[i] = g / (1.0f + std::exp(-g)) * up[i];
  }
}

void softmax(float* x, int64_t n) {
  if (n <= 0) return;
  float max = x[0];
  for (int64_t i = 1; i < n; ++i) max = x[i] > max ? x[i] : max;
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - max);
    sum += x[i];
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

void rope_angles(const RopeParams& rope, int64_t pos, float* cos_out, float* sin_out) {
  const int32_t half = rope.n_rot / 2;
  for (int32_t i = 0; i < half; ++i) {
    double theta = static_cast<double>(pos) * rope.freq_scale *
                   std::pow(static_cast<double>(rope.base), -2.0 * i / rope.n_rot);
    if (rope.freq_factors) theta /= rope.freq_factors[i];
    cos_out[i] = static_cast<float>(std::cos(theta));
    sin_out[i] = static_cast<float>(std::sin(theta));
  }
}

void rope_apply(const RopeParams& rope, const float* cos, const float* sin, float* x, int32_t n_head,
                int32_t head_dim) {
  const int32_t half = rope.n_rot / 2;
  for (int32_t h = 0; h < n_head; ++h) {
    float* v = x + static_cast<int64_t>(h) * head_dim;
    for (int32_t i = 0; i < half; ++i) {
      // neox pairs dimension i with i + n_rot/2; llama pairs 2i with 2i+1.
      float* a = rope.neox ? v + i : v + 2 * i;
      float* b = rope.neox ? v + i + half : v + 2 * i + 1;
      const float x0 = *a, x1 = *b;
      *a = x0 * cos[i] - x1 * sin[i];
      *b = x0 * sin[i] + x1 * cos[i];
    }
  }
}

void f32_to_f16_row(const float* x, uint16_t* out, int64_t n) {
  static const bool simd = kernels::simd_active();
  if (simd) return f32_to_f16_row_f16c(x, out, n);
  for (int64_t i = 0; i < n; ++i) out[i] = f32_to_f16(x[i]);
}

uint16_t f32_to_f16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u) {  // inf or nan
    return static_cast<uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u));
  }
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds to inf
  if (abs < 0x38800000u) {
    // Subnormal half (or zero): value = m * 2^-24. Round |f| * 2^24 to nearest even.
    float af;
    std::memcpy(&af, &abs, 4);
    const float scaled = af * 16777216.0f;  // exact: power-of-two scale
    uint32_t m = static_cast<uint32_t>(std::nearbyint(scaled));
    return static_cast<uint16_t>(sign | m);
  }
  // Normal: rebias exponent 127 -> 15, round mantissa 23 -> 10 bits to nearest even.
  uint32_t mant = abs & 0x7fffffu;
  uint32_t exp = (abs >> 23) - 112;
  uint32_t h = (exp << 10) | (mant >> 13);
  const uint32_t rest = mant & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;  // carry may bump the exponent: fine
  return static_cast<uint16_t>(sign | h);
}

float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  const uint32_t mant = h & 0x3ffu;
  float out;
  if (exp == 0) {
    out = std::ldexp(static_cast<float>(mant), -24);
    if (sign) out = -out;
    return out;
  }
  uint32_t bits;
  if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  }
  std::memcpy(&out, &bits, 4);
  return out;
}

const float* f16_table() {
  static const std::unique_ptr<float[]> table = [] {
    auto t = std::make_unique<float[]>(65536);
    for (uint32_t i = 0; i < 65536; ++i) t[i] = f16_to_f32(static_cast<uint16_t>(i));
    return t;
  }();
  return table.get();
}

}  // namespace lantern::engine::nn
