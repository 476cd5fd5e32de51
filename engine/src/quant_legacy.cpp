// Scalar reference kernels for the 32-element "legacy" types Q4_0, Q4_1, Q5_0, Q5_1, Q8_0.
//
// The one thing to know: in the 4/5-bit types byte j of qs holds element j in its low nibble and
// element j + 16 in its high nibble (not j and j + 1); for Q5 the 5th bit of element i is bit i of
// the little-endian 32-bit word qh. Dots take activations quantized to Q8_0 (see kernels.h).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels.h"

namespace lantern::engine::kernels {
namespace {

int clamp_round(float v, int lo, int hi) {
  int q = static_cast<int>(std::lround(v));
  return std::clamp(q, lo, hi);
}

uint32_t load_qh(const uint8_t* qh) {
  return static_cast<uint32_t>(qh[0]) | static_cast<uint32_t>(qh[1]) << 8 | static_cast<uint32_t>(qh[2]) << 16 |
         static_cast<uint32_t>(qh[3]) << 24;
}
void store_qh(uint8_t* qh, uint32_t v) {
  for (int i = 0; i < 4; ++i) qh[i] = static_cast<uint8_t>(v >> (8 * i));
}

// The element of largest magnitude, with its sign (symmetric types scale by it so that it maps to
// the most negative level, which has one more step than the positive side).
float signed_absmax(const float* x, int64_t n) {
  float amax = 0, max = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (std::fabs(x[i]) > amax) {
      amax = std::fabs(x[i]);
      max = x[i];
    }
  }
  return max;
}

// ---- Q4_0 ----
void q4_0_to_float(const void* src, float* dst, int64_t n) {
  const BlockQ4_0* b = static_cast<const BlockQ4_0*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = half(b[i].d);
    for (int j = 0; j < 16; ++j) {
      dst[j] = d * ((b[i].qs[j] & 0xF) - 8);
      dst[j + 16] = d * ((b[i].qs[j] >> 4) - 8);
    }
  }
}
void q4_0_from_float(const float* src, void* dst, int64_t n) {
  BlockQ4_0* b = static_cast<BlockQ4_0*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    const float d = signed_absmax(src, kQK) / -8.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    b[i].d = fp32_to_fp16(d);
    for (int j = 0; j < 16; ++j) {
      const int q0 = clamp_round(src[j] * id + 8, 0, 15);
      const int q1 = clamp_round(src[j + 16] * id + 8, 0, 15);
      b[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}
float q4_0_dot(int64_t n, const void* w, const void* x) {
  const BlockQ4_0* b = static_cast<const BlockQ4_0*>(w);
  const BlockQ8_0* a = static_cast<const BlockQ8_0*>(x);
  float sum = 0;
  for (int64_t i = 0; i < n / kQK; ++i) {
    int32_t s = 0;
    for (int j = 0; j < 16; ++j) {
      s += ((b[i].qs[j] & 0xF) - 8) * a[i].qs[j] + ((b[i].qs[j] >> 4) - 8) * a[i].qs[j + 16];
    }
    sum += half(b[i].d) * half(a[i].d) * static_cast<float>(s);
  }
  return sum;
}

// ---- Q4_1 ----
void q4_1_to_float(const void* src, float* dst, int64_t n) {
  const BlockQ4_1* b = static_cast<const BlockQ4_1*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = half(b[i].d), m = half(b[i].m);
    for (int j = 0; j < 16; ++j) {
      dst[j] = d * (b[i].qs[j] & 0xF) + m;
      dst[j + 16] = d * (b[i].qs[j] >> 4) + m;
    }
  }
}
void q4_1_from_float(const float* src, void* dst, int64_t n) {
  BlockQ4_1* b = static_cast<BlockQ4_1*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    const float mn = *std::min_element(src, src + kQK), mx = *std::max_element(src, src + kQK);
    const float d = (mx - mn) / 15.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    b[i].d = fp32_to_fp16(d);
    b[i].m = fp32_to_fp16(mn);
    for (int j = 0; j < 16; ++j) {
      const int q0 = clamp_round((src[j] - mn) * id, 0, 15);
      const int q1 = clamp_round((src[j + 16] - mn) * id, 0, 15);
      b[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}
float q4_1_dot(int64_t n, const void* w, const void* x) {
  const BlockQ4_1* b = static_cast<const BlockQ4_1*>(w);
  const BlockQ8_0* a = static_cast<const BlockQ8_0*>(x);
  float sum = 0;
  for (int64_t i = 0; i < n / kQK; ++i) {
    int32_t s = 0, sa = 0;
    for (int j = 0; j < 16; ++j) {
      s += (b[i].qs[j] & 0xF) * a[i].qs[j] + (b[i].qs[j] >> 4) * a[i].qs[j + 16];
      sa += a[i].qs[j] + a[i].qs[j + 16];
    }
    const float da = half(a[i].d);
    sum += half(b[i].d) * da * static_cast<float>(s) + half(b[i].m) * da * static_cast<float>(sa);
  }
  return sum;
}

// ---- Q5_0 ----
void q5_0_to_float(const void* src, float* dst, int64_t n) {
  const BlockQ5_0* b = static_cast<const BlockQ5_0*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = half(b[i].d);
    const uint32_t qh = load_qh(b[i].qh);
    for (int j = 0; j < 16; ++j) {
      const int q0 = (b[i].qs[j] & 0xF) | (((qh >> j) & 1) << 4);
      const int q1 = (b[i].qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4);
      dst[j] = d * (q0 - 16);
      dst[j + 16] = d * (q1 - 16);
    }
  }
}
void q5_0_from_float(const float* src, void* dst, int64_t n) {
  BlockQ5_0* b = static_cast<BlockQ5_0*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    const float d = signed_absmax(src, kQK) / -16.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    b[i].d = fp32_to_fp16(d);
    uint32_t qh = 0;
    for (int j = 0; j < 16; ++j) {
      const int q0 = clamp_round(src[j] * id + 16, 0, 31);
      const int q1 = clamp_round(src[j + 16] * id + 16, 0, 31);
      b[i].qs[j] = static_cast<uint8_t>((q0 & 0xF) | ((q1 & 0xF) << 4));
      qh |= static_cast<uint32_t>(q0 >> 4) << j;
      qh |= static_cast<uint32_t>(q1 >> 4) << (j + 16);
    }
    store_qh(b[i].qh, qh);
  }
}
float q5_0_dot(int64_t n, const void* w, const void* x) {
  const BlockQ5_0* b = static_cast<const BlockQ5_0*>(w);
  const BlockQ8_0* a = static_cast<const BlockQ8_0*>(x);
  float sum = 0;
  for (int64_t i = 0; i < n / kQK; ++i) {
    const uint32_t qh = load_qh(b[i].qh);
    int32_t s = 0;
    for (int j = 0; j < 16; ++j) {
      const int q0 = ((b[i].qs[j] & 0xF) | (((qh >> j) & 1) << 4)) - 16;
      const int q1 = ((b[i].qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4)) - 16;
      s += q0 * a[i].qs[j] + q1 * a[i].qs[j + 16];
    }
    sum += half(b[i].d) * half(a[i].d) * static_cast<float>(s);
  }
  return sum;
}

// ---- Q5_1 ----
void q5_1_to_float(const void* src, float* dst, int64_t n) {
  const BlockQ5_1* b = static_cast<const BlockQ5_1*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = half(b[i].d), m = half(b[i].m);
    const uint32_t qh = load_qh(b[i].qh);
    for (int j = 0; j < 16; ++j) {
      const int q0 = (b[i].qs[j] & 0xF) | (((qh >> j) & 1) << 4);
      const int q1 = (b[i].qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4);
      dst[j] = d * q0 + m;
      dst[j + 16] = d * q1 + m;
    }
  }
}
void q5_1_from_float(const float* src, void* dst, int64_t n) {
  BlockQ5_1* b = static_cast<BlockQ5_1*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    const float mn = *std::min_element(src, src + kQK), mx = *std::max_element(src, src + kQK);
    const float d = (mx - mn) / 31.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    b[i].d = fp32_to_fp16(d);
    b[i].m = fp32_to_fp16(mn);
    uint32_t qh = 0;
    for (int j = 0; j < 16; ++j) {
      const int q0 = clamp_round((src[j] - mn) * id, 0, 31);
      const int q1 = clamp_round((src[j + 16] - mn) * id, 0, 31);
      b[i].qs[j] = static_cast<uint8_t>((q0 & 0xF) | ((q1 & 0xF) << 4));
      qh |= static_cast<uint32_t>(q0 >> 4) << j;
      qh |= static_cast<uint32_t>(q1 >> 4) << (j + 16);
    }
    store_qh(b[i].qh, qh);
  }
}
float q5_1_dot(int64_t n, const void* w, const void* x) {
  const BlockQ5_1* b = static_cast<const BlockQ5_1*>(w);
  const BlockQ8_0* a = static_cast<const BlockQ8_0*>(x);
  float sum = 0;
  for (int64_t i = 0; i < n / kQK; ++i) {
    const uint32_t qh = load_qh(b[i].qh);
    int32_t s = 0, sa = 0;
    for (int j = 0; j < 16; ++j) {
      const int q0 = (b[i].qs[j] & 0xF) | (((qh >> j) & 1) << 4);
      const int q1 = (b[i].qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4);
      s += q0 * a[i].qs[j] + q1 * a[i].qs[j + 16];
      sa += a[i].qs[j] + a[i].qs[j + 16];
    }
    const float da = half(a[i].d);
    sum += half(b[i].d) * da * static_cast<float>(s) + half(b[i].m) * da * static_cast<float>(sa);
  }
  return sum;
}

// ---- Q8_0 (weights, and the activation layout of every legacy dot) ----
void q8_0_to_float(const void* src, float* dst, int64_t n) {
  const BlockQ8_0* b = static_cast<const BlockQ8_0*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = half(b[i].d);
    for (int j = 0; j < 32; ++j) dst[j] = d * b[i].qs[j];
  }
}
void q8_0_from_float(const float* src, void* dst, int64_t n) {
  BlockQ8_0* b = static_cast<BlockQ8_0*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    float amax = 0;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(src[j]));
    const float d = amax / 127.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    b[i].d = fp32_to_fp16(d);
    for (int j = 0; j < 32; ++j) b[i].qs[j] = static_cast<int8_t>(clamp_round(src[j] * id, -127, 127));
  }
}
float q8_0_dot(int64_t n, const void* w, const void* x) {
  const BlockQ8_0* b = static_cast<const BlockQ8_0*>(w);
  const BlockQ8_0* a = static_cast<const BlockQ8_0*>(x);
  float sum = 0;
  for (int64_t i = 0; i < n / kQK; ++i) {
    int32_t s = 0;
    for (int j = 0; j < 32; ++j) s += b[i].qs[j] * a[i].qs[j];
    sum += half(b[i].d) * half(a[i].d) * static_cast<float>(s);
  }
  return sum;
}

}  // namespace

void register_legacy_kernels(TypeTraits* table) {
  auto put = [&](TensorType t, int64_t size, ToFloatFn to, FromFloatFn from, VecDotFn dot) {
    table[static_cast<int>(t)] = {t, kQK, size, to, from, TensorType::kQ8_0, dot};
  };
  put(TensorType::kQ4_0, sizeof(BlockQ4_0), q4_0_to_float, q4_0_from_float, q4_0_dot);
  put(TensorType::kQ4_1, sizeof(BlockQ4_1), q4_1_to_float, q4_1_from_float, q4_1_dot);
  put(TensorType::kQ5_0, sizeof(BlockQ5_0), q5_0_to_float, q5_0_from_float, q5_0_dot);
  put(TensorType::kQ5_1, sizeof(BlockQ5_1), q5_1_to_float, q5_1_from_float, q5_1_dot);
  put(TensorType::kQ8_0, sizeof(BlockQ8_0), q8_0_to_float, q8_0_from_float, q8_0_dot);
}

}  // namespace lantern::engine::kernels
