// Scalar reference kernels for the K-quants (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K) and the Q8_K
// activation layout their dot products take.
//
// The one thing to know: a 256-element super-block is cut into sub-blocks (16 of 16 elements for
// Q2_K/Q3_K/Q6_K, 8 of 32 for Q4_K/Q5_K) whose integer scales are themselves quantized against the
// block's f16 `d` (and `dmin`). The bit packing differs per type; each quantizer below works on
// plain per-element levels and per-sub-block scales first, then packs them in one place, so the
// packing can be read against the matching to_float function directly above or below it.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels.h"

namespace lantern::engine::kernels {
namespace {

int clamp_round(float v, int lo, int hi) { return std::clamp(static_cast<int>(std::lround(v)), lo, hi); }

// Fits x ~= scale * q - min with q in [0, nmax], scale >= 0, min >= 0 (K-quant "min" types): a
// min/max start, then a few rounds of least squares on the assigned levels, keeping the best fit.
void fit_scale_min(const float* x, int n, int nmax, float* scale_out, float* min_out) {
  float lo = std::min(0.0f, *std::min_element(x, x + n));
  float hi = *std::max_element(x, x + n);
  if (hi <= lo) {
    *scale_out = 0;
    *min_out = -lo;
    return;
  }
  float scale = (hi - lo) / nmax, min = -lo;
  auto error_of = [&](float s, float m) {
    double e = 0;
    for (int i = 0; i < n; ++i) {
      const int q = s > 0 ? clamp_round((x[i] + m) / s, 0, nmax) : 0;
      const double d = s * q - m - x[i];
      e += d * d;
    }
    return e;
  };
  double best = error_of(scale, min);
  float s = scale, m = min;
  for (int iter = 0; iter < 4; ++iter) {
    double sq = 0, sqq = 0, sx = 0, sqx = 0;
    for (int i = 0; i < n; ++i) {
      const int q = clamp_round((x[i] + m) / s, 0, nmax);
      sq += q;
      sqq += static_cast<double>(q) * q;
      sx += x[i];
      sqx += q * x[i];
    }
    const double det = n * sqq - sq * sq;
    if (det <= 0) break;
    double ns = (n * sqx - sq * sx) / det;
    double nb = (sx - ns * sq) / n;  // x ~= ns * q + nb, so min = -nb
    if (nb > 0) {
      nb = 0;
      ns = sqq > 0 ? sqx / sqq : 0;
    }
    if (ns <= 0) break;
    s = static_cast<float>(ns);
    m = static_cast<float>(-nb);
    const double e = error_of(s, m);
    if (e < best) {
      best = e;
      scale = s;
      min = m;
    }
  }
  *scale_out = scale;
  *min_out = min;
}

// The element of largest magnitude, with its sign.
float signed_absmax(const float* x, int n) {
  float amax = 0, max = 0;
  for (int i = 0; i < n; ++i) {
    if (std::fabs(x[i]) > amax) {
      amax = std::fabs(x[i]);
      max = x[i];
    }
  }
  return max;
}

// Quantizes per-sub-block (scale, min) pairs against a block-level d/dmin with `levels` steps;
// returns d and dmin as stored (f16-rounded) and the integer scales/mins.
void quantize_scale_mins(const float* scales, const float* mins, int n_sub, int levels, uint16_t* d_out,
                         uint16_t* dmin_out, uint8_t* sc, uint8_t* mn) {
  const float max_scale = *std::max_element(scales, scales + n_sub);
  const float max_min = *std::max_element(mins, mins + n_sub);
  *d_out = fp32_to_fp16(max_scale / levels);
  *dmin_out = fp32_to_fp16(max_min / levels);
  const float d = half(*d_out), dmin = half(*dmin_out);
  for (int j = 0; j < n_sub; ++j) {
    sc[j] = static_cast<uint8_t>(d > 0 ? clamp_round(scales[j] / d, 0, levels) : 0);
    mn[j] = static_cast<uint8_t>(dmin > 0 ? clamp_round(mins[j] / dmin, 0, levels) : 0);
  }
}

// ---- Q2_K ----
// Element e = 128 n + 32 j + l (l < 32): 2 bits at qs[32 n + l] >> 2 j; sub-block e / 16, whose
// scales byte holds the scale in its low nibble and the min in its high nibble.
void q2_k_to_float(const void* src, float* dst, int64_t n_elems) {
  const BlockQ2_K* b = static_cast<const BlockQ2_K*>(src);
  for (int64_t i = 0; i < n_elems / kQK_K; ++i, dst += kQK_K) {
    const float d = half(b[i].d), dmin = half(b[i].dmin);
    for (int e = 0; e < 256; ++e) {
      const int n = e / 128, j = (e % 128) / 32, l = e % 32;
      const int q = (b[i].qs[32 * n + l] >> (2 * j)) & 3;
      const uint8_t sc = b[i].scales[e / 16];
      dst[e] = d * (sc & 0xF) * q - dmin * (sc >> 4);
    }
  }
}
void q2_k_from_float(const float* src, void* dst, int64_t n_elems) {
  BlockQ2_K* b = static_cast<BlockQ2_K*>(dst);
  for (int64_t i = 0; i < n_elems / kQK_K; ++i, src += kQK_K) {
    float scales[16], mins[16];
    for (int s = 0; s < 16; ++s) fit_scale_min(src + 16 * s, 16, 3, &scales[s], &mins[s]);
    uint8_t sc[16], mn[16];
    quantize_scale_mins(scales, mins, 16, 15, &b[i].d, &b[i].dmin, sc, mn);
    const float d = half(b[i].d), dmin = half(b[i].dmin);
    std::memset(b[i].qs, 0, sizeof(b[i].qs));
    for (int s = 0; s < 16; ++s) b[i].scales[s] = static_cast<uint8_t>(sc[s] | (mn[s] << 4));
    for (int e = 0; e < 256; ++e) {
      const float step = d * sc[e / 16];
      const int q = step > 0 ? clamp_round((src[e] + dmin * mn[e / 16]) / step, 0, 3) : 0;
      const int n = e / 128, j = (e % 128) / 32, l = e % 32;
      b[i].qs[32 * n + l] |= static_cast<uint8_t>(q << (2 * j));
    }
  }
}
float q2_k_dot(int64_t n_elems, const void* w, const void* x) {
  const BlockQ2_K* b = static_cast<const BlockQ2_K*>(w);
  const BlockQ8_K* a = static_cast<const BlockQ8_K*>(x);
  float sum = 0;
  for (int64_t i = 0; i < n_elems / kQK_K; ++i) {
    int32_t isum = 0, msum = 0;
    for (int s = 0; s < 16; ++s) msum += (b[i].scales[s] >> 4) * a[i].bsums[s];
    for (int n = 0; n < 2; ++n) {
      for (int j = 0; j < 4; ++j) {
        for (int h = 0; h < 2; ++h) {
          const int sub = 8 * n + 2 * j + h;
          int32_t s = 0;
          for (int l = 16 * h; l < 16 * h + 16; ++l) {
            s += ((b[i].qs[32 * n + l] >> (2 * j)) & 3) * a[i].qs[128 * n + 32 * j + l];
          }
          isum += (b[i].scales[sub] & 0xF) * s;
        }
      }
    }
    sum += a[i].d * (half(b[i].d) * static_cast<float>(isum) - half(b[i].dmin) * static_cast<float>(msum));
  }
  return sum;
}

// ---- Q3_K ----
// Element e = 128 n + 32 j + l: low 2 bits at qs[32 n + l] >> 2 j, high bit at hmask[l] bit 4 n + j
// (set means +4); value = d * scale[e / 16] * (level - 4), level in 0..7.
void q3_k_to_float(const void* src, float* dst, int64_t n_elems) {
  const BlockQ3_K* b = static_cast<const BlockQ3_K*>(src);
  for (int64_t i = 0; i < n_elems / kQK_K; ++i, dst += kQK_K) {
    const float d = half(b[i].d);
    int8_t sc[16];
    unpack_q3_k_scales(b[i].scales, sc);
    for (int e = 0; e < 256; ++e) {
      const int n = e / 128, j = (e % 128) / 32, l = e % 32;
      const int low = (b[i].qs[32 * n + l] >> (2 * j)) & 3;
      const int high = (b[i].hmask[l] >> (4 * n + j)) & 1;
      dst[e] = d * sc[e / 16] * (low + 4 * high - 4);
    }
  }
}
void q3_k_from_float(const float* src, void* dst, int64_t n_elems) {
  BlockQ3_K* b = static_cast<BlockQ3_K*>(dst);
  for (int64_t i = 0; i < n_elems / kQK_K; ++i, src += kQK_K) {
    float scales[16];
    float max_abs = 0;
    for (int s = 0; s < 16; ++s) {
      scales[s] = signed_absmax(src + 16 * s, 16) / -4.0f;
      max_abs = std::max(max_abs, std::fabs(scales[s]));
    }
    b[i].d = fp32_to_fp16(max_abs / 31.0f);
    const float d = half(b[i].d);
    int sc[16];
    for (int s = 0; s < 16; ++s) sc[s] = d > 0 ? clamp_round(scales[s] / d, -32, 31) : 0;
    std::memset(b[i].scales, 0, sizeof(b[i].scales));
    for (int s = 0; s < 16; ++s) {
      const int u = sc[s] + 32;
      if (s < 8) {
        b[i].scales[s] |= static_cast<uint8_t>(u & 0xF);
      } else {
        b[i].scales[s - 8] |= static_cast<uint8_t>((u & 0xF) << 4);
      }
      b[i].scales[8 + s % 4] |= static_cast<uint8_t>((u >> 4) << (2 * (s / 4)));
    }
    std::memset(b[i].qs, 0, sizeof(b[i].qs));
    std::memset(b[i].hmask, 0, sizeof(b[i].hmask));
    for (int e = 0; e < 256; ++e) {
      const float step = d * sc[e / 16];
      const int level = (step != 0 ? clamp_round(src[e] / step, -4, 3) : 0) + 4;
      const int n = e / 128, j = (e % 128) / 32, l = e % 32;
      b[i].qs[32 * n + l] |= static_cast<uint8_t>((level & 3) << (2 * j));
      b[i].hmask[l] |= static_cast<uint8_t>((level >> 2) << (4 * n + j));
    }
  }
}
float q3_k_dot(int64_t n_elems, const void* w, const void* x) {
  const BlockQ3_K* b = static_cast<const BlockQ3_K*>(w);
  const BlockQ8_K* a = static_cast<const BlockQ8_K*>(x);
  float sum = 0;
  for (int64_t i = 0; i < n_elems / kQK_K; ++i) {
    int8_t sc[16];
    unpack_q3_k_scales(b[i].scales, sc);
    int32_t isum = 0;
    for (int sub = 0; sub < 16; ++sub) {
      int32_t s = 0;
      for (int e = 16 * sub; e < 16 * sub + 16; ++e) {
        const int n = e / 128, j = (e % 128) / 32, l = e % 32;
        const int low = (b[i].qs[32 * n + l] >> (2 * j)) & 3;
        const int high = (b[i].hmask[l] >> (4 * n + j)) & 1;
        s += (low + 4 * high - 4) * a[i].qs[e];
      }
      isum += sc[sub] * s;
    }
    sum += a[i].d * half(b[i].d) * static_cast<float>(isum);
  }
  return sum;
}

// ---- Q4_K and Q5_K ----
// Element e = 64 c + 32 h + l: nibble h (0 low, 1 high) of qs[32 c + l]; Q5_K adds the 5th bit at
// qh[l] bit 2 c + h. Sub-block e / 32 with 6-bit scale and min (unpack_k4_scales).
void pack_k4_scales(const uint8_t* sc, const uint8_t* mn, uint8_t* q) {
  for (int j = 0; j < 4; ++j) {
    q[j] = static_cast<uint8_t>((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
    q[j + 4] = static_cast<uint8_t>((mn[j] & 63) | ((mn[j + 4] >> 4) << 6));
    q[j + 8] = static_cast<uint8_t>((sc[j + 4] & 0xF) | ((mn[j + 4] & 0xF) << 4));
  }
}

void q4_k_to_float(const void* src, float* dst, int64_t n_elems) {
  const BlockQ4_K* b = static_cast<const BlockQ4_K*>(src);
  for (int64_t i = 0; i < n_elems / kQK_K; ++i, dst += kQK_K) {
    const float d = half(b[i].d), dmin = half(b[i].dmin);
    uint8_t sc[8], mn[8];
    unpack_k4_scales(b[i].scales, sc, mn);
    for (int e = 0; e < 256; ++e) {
      const int c = e / 64, h = (e % 64) / 32, l = e % 32;
      const int q = (b[i].qs[32 * c + l] >> (4 * h)) & 0xF;
      dst[e] = d * sc[e / 32] * q - dmin * mn[e / 32];
    }
  }
}

// Shared quantizer for Q4_K (nmax 15) and Q5_K (nmax 31): fills d, dmin, scales and levels.
void quantize_k4_block(const float* src, int nmax, uint16_t* d_out, uint16_t* dmin_out, uint8_t* scales12,
                       uint8_t* levels) {
  float scales[8], mins[8];
  for (int s = 0; s < 8; ++s) fit_scale_min(src + 32 * s, 32, nmax, &scales[s], &mins[s]);
  uint8_t sc[8], mn[8];
  quantize_scale_mins(scales, mins, 8, 63, d_out, dmin_out, sc, mn);
  pack_k4_scales(sc, mn, scales12);
  const float d = half(*d_out), dmin = half(*dmin_out);
  for (int e = 0; e < 256; ++e) {
    const float step = d * sc[e / 32];
    levels[e] = static_cast<uint8_t>(step > 0 ? clamp_round((src[e] + dmin * mn[e / 32]) / step, 0, nmax) : 0);
  }
}

void q4_k_from_float(const float* src, void* dst, int64_t n_elems) {
  BlockQ4_K* b = static_cast<BlockQ4_K*>(dst);
  for (int64_t i = 0; i < n_elems / kQK_K; ++i, src += kQK_K) {
    uint8_t levels[256];
    quantize_k4_block(src, 15, &b[i].d, &b[i].dmin, b[i].scales, levels);
    for (int c = 0; c < 4; ++c) {
      for (int l = 0; l < 32; ++l) {
        b[i].qs[32 * c + l] = static_cast<uint8_t>(levels[64 * c + l] | (levels[64 * c + 32 + l] << 4));
      }
    }
  }
}
float q4_k_dot(int64_t n_elems, const void* w, const void* x) {
  const BlockQ4_K* b = static_cast<const BlockQ4_K*>(w);
  const BlockQ8_K* a = static_cast<const BlockQ8_K*>(x);
  float sum = 0;
  for (int64_t i = 0; i < n_elems / kQK_K; ++i) {
    uint8_t sc[8], mn[8];
    unpack_k4_scales(b[i].scales, sc, mn);
    int32_t isum = 0, msum = 0;
    for (int c = 0; c < 4; ++c) {
      int32_t s0 = 0, s1 = 0;
      for (int l = 0; l < 32; ++l) {
        s0 += (b[i].qs[32 * c + l] & 0xF) * a[i].qs[64 * c + l];
        s1 += (b[i].qs[32 * c + l] >> 4) * a[i].qs[64 * c + 32 + l];
      }
      isum += s0 * sc[2 * c] + s1 * sc[2 * c + 1];
    }
    for (int s = 0; s < 8; ++s) msum += mn[s] * (a[i].bsums[2 * s] + a[i].bsums[2 * s + 1]);
    sum += a[i].d * (half(b[i].d) * static_cast<float>(isum) - half(b[i].dmin) * static_cast<float>(msum));
  }
  return sum;
}

void q5_k_to_float(const void* src, float* dst, int64_t n_elems) {
  const BlockQ5_K* b = static_cast<const BlockQ5_K*>(src);
  for (int64_t i = 0; i < n_elems / kQK_K; ++i, dst += kQK_K) {
    const float d = half(b[i].d), dmin = half(b[i].dmin);
    uint8_t sc[8], mn[8];
    unpack_k4_scales(b[i].scales, sc, mn);
    for (int e = 0; e < 256; ++e) {
      const int c = e / 64, h = (e % 64) / 32, l = e % 32;
      const int q = ((b[i].qs[32 * c + l] >> (4 * h)) & 0xF) | (((b[i].qh[l] >> (2 * c + h)) & 1) << 4);
      dst[e] = d * sc[e / 32] * q - dmin * mn[e / 32];
    }
  }
}
void q5_k_from_float(const float* src, void* dst, int64_t n_elems) {
  BlockQ5_K* b = static_cast<BlockQ5_K*>(dst);
  for (int64_t i = 0; i < n_elems / kQK_K; ++i, src += kQK_K) {
    uint8_t levels[256];
    quantize_k4_block(src, 31, &b[i].d, &b[i].dmin, b[i].scales, levels);
    std::memset(b[i].qh, 0, sizeof(b[i].qh));
    for (int c = 0; c < 4; ++c) {
      for (int l = 0; l < 32; ++l) {
        const int q0 = levels[64 * c + l], q1 = levels[64 * c + 32 + l];
        b[i].qs[32 * c + l] = static_cast<uint8_t>((q0 & 0xF) | ((q1 & 0xF) << 4));
        b[i].qh[l] |= static_cast<uint8_t>(((q0 >> 4) << (2 * c)) | ((q1 >> 4) << (2 * c + 1)));
      }
    }
  }
}
float q5_k_dot(int64_t n_elems, const void* w, const void* x) {
  const BlockQ5_K* b = static_cast<const BlockQ5_K*>(w);
  const BlockQ8_K* a = static_cast<const BlockQ8_K*>(x);
  float sum = 0;
  for (int64_t i = 0; i < n_elems / kQK_K; ++i) {
    uint8_t sc[8], mn[8];
    unpack_k4_scales(b[i].scales, sc, mn);
    int32_t isum = 0, msum = 0;
    for (int c = 0; c < 4; ++c) {
      int32_t s0 = 0, s1 = 0;
      for (int l = 0; l < 32; ++l) {
        const int q0 = (b[i].qs[32 * c + l] & 0xF) | (((b[i].qh[l] >> (2 * c)) & 1) << 4);
        const int q1 = (b[i].qs[32 * c + l] >> 4) | (((b[i].qh[l] >> (2 * c + 1)) & 1) << 4);
        s0 += q0 * a[i].qs[64 * c + l];
        s1 += q1 * a[i].qs[64 * c + 32 + l];
      }
      isum += s0 * sc[2 * c] + s1 * sc[2 * c + 1];
    }
    for (int s = 0; s < 8; ++s) msum += mn[s] * (a[i].bsums[2 * s] + a[i].bsums[2 * s + 1]);
    sum += a[i].d * (half(b[i].d) * static_cast<float>(isum) - half(b[i].dmin) * static_cast<float>(msum));
  }
  return sum;
}

// ---- Q6_K ----
// Element e = 128 n + 32 k + l (k < 4, l < 32): low 4 bits in ql[64 n + l + 32 (k & 1)], nibble
// k >> 1; high 2 bits at qh[32 n + l] >> 2 k; value = d * scales[e / 16] * (level - 32).
inline int q6_level(const BlockQ6_K& b, int e) {
  const int n = e / 128, k = (e % 128) / 32, l = e % 32;
  const int low = (b.ql[64 * n + l + 32 * (k & 1)] >> (4 * (k >> 1))) & 0xF;
  const int high = (b.qh[32 * n + l] >> (2 * k)) & 3;
  return low | (high << 4);
}

void q6_k_to_float(const void* src, float* dst, int64_t n_elems) {
  const BlockQ6_K* b = static_cast<const BlockQ6_K*>(src);
  for (int64_t i = 0; i < n_elems / kQK_K; ++i, dst += kQK_K) {
    const float d = half(b[i].d);
    for (int e = 0; e < 256; ++e) dst[e] = d * b[i].scales[e / 16] * (q6_level(b[i], e) - 32);
  }
}
void q6_k_from_float(const float* src, void* dst, int64_t n_elems) {
  BlockQ6_K* b = static_cast<BlockQ6_K*>(dst);
  for (int64_t i = 0; i < n_elems / kQK_K; ++i, src += kQK_K) {
    float scales[16];
    float max_abs = 0;
    for (int s = 0; s < 16; ++s) {
      scales[s] = signed_absmax(src + 16 * s, 16) / -32.0f;
      max_abs = std::max(max_abs, std::fabs(scales[s]));
    }
    b[i].d = fp32_to_fp16(max_abs / 127.0f);
    const float d = half(b[i].d);
    for (int s = 0; s < 16; ++s) {
      b[i].scales[s] = static_cast<int8_t>(d > 0 ? clamp_round(scales[s] / d, -128, 127) : 0);
    }
    std::memset(b[i].ql, 0, sizeof(b[i].ql));
    std::memset(b[i].qh, 0, sizeof(b[i].qh));
    for (int e = 0; e < 256; ++e) {
      const float step = d * b[i].scales[e / 16];
      const int level = (step != 0 ? clamp_round(src[e] / step, -32, 31) : 0) + 32;
      const int n = e / 128, k = (e % 128) / 32, l = e % 32;
      b[i].ql[64 * n + l + 32 * (k & 1)] |= static_cast<uint8_t>((level & 0xF) << (4 * (k >> 1)));
      b[i].qh[32 * n + l] |= static_cast<uint8_t>((level >> 4) << (2 * k));
    }
  }
}
float q6_k_dot(int64_t n_elems, const void* w, const void* x) {
  const BlockQ6_K* b = static_cast<const BlockQ6_K*>(w);
  const BlockQ8_K* a = static_cast<const BlockQ8_K*>(x);
  float sum = 0;
  for (int64_t i = 0; i < n_elems / kQK_K; ++i) {
    int32_t isum = 0;
    for (int sub = 0; sub < 16; ++sub) {
      int32_t s = 0;
      for (int e = 16 * sub; e < 16 * sub + 16; ++e) s += (q6_level(b[i], e) - 32) * a[i].qs[e];
      isum += b[i].scales[sub] * s;
    }
    sum += a[i].d * half(b[i].d) * static_cast<float>(isum);
  }
  return sum;
}

// ---- Q8_K (activations only) ----
void q8_k_to_float(const void* src, float* dst, int64_t n_elems) {
  const BlockQ8_K* b = static_cast<const BlockQ8_K*>(src);
  for (int64_t i = 0; i < n_elems / kQK_K; ++i, dst += kQK_K) {
    for (int e = 0; e < 256; ++e) dst[e] = b[i].d * b[i].qs[e];
  }
}
void q8_k_from_float(const float* src, void* dst, int64_t n_elems) {
  BlockQ8_K* b = static_cast<BlockQ8_K*>(dst);
  for (int64_t i = 0; i < n_elems / kQK_K; ++i, src += kQK_K) {
    float amax = 0;
    for (int e = 0; e < 256; ++e) amax = std::max(amax, std::fabs(src[e]));
    const float d = amax / 127.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    b[i].d = d;
    for (int s = 0; s < 16; ++s) {
      int sum = 0;
      for (int e = 16 * s; e < 16 * s + 16; ++e) {
        b[i].qs[e] = static_cast<int8_t>(clamp_round(src[e] * id, -127, 127));
        sum += b[i].qs[e];
      }
      b[i].bsums[s] = static_cast<int16_t>(sum);
    }
  }
}

}  // namespace

void register_k_kernels(TypeTraits* table) {
  auto put = [&](TensorType t, int64_t size, ToFloatFn to, FromFloatFn from, VecDotFn dot) {
    table[static_cast<int>(t)] = {t, kQK_K, size, to, from, TensorType::kQ8_K, dot};
  };
  put(TensorType::kQ2_K, sizeof(BlockQ2_K), q2_k_to_float, q2_k_from_float, q2_k_dot);
  put(TensorType::kQ3_K, sizeof(BlockQ3_K), q3_k_to_float, q3_k_from_float, q3_k_dot);
  put(TensorType::kQ4_K, sizeof(BlockQ4_K), q4_k_to_float, q4_k_from_float, q4_k_dot);
  put(TensorType::kQ5_K, sizeof(BlockQ5_K), q5_k_to_float, q5_k_from_float, q5_k_dot);
  put(TensorType::kQ6_K, sizeof(BlockQ6_K), q6_k_to_float, q6_k_from_float, q6_k_dot);
  put(TensorType::kQ8_K, sizeof(BlockQ8_K), q8_k_to_float, q8_k_from_float, nullptr);
}

}  // namespace lantern::engine::kernels
