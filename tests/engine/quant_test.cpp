// Kernel tests: half conversions, quantize -> dequantize error per type, hand-built blocks that pin
// the bit layouts, and dot products (scalar and SIMD) against a float64 reference.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels.h"
#include "lantern/engine/quant.h"
#include "test_support.h"

namespace lantern::engine {
namespace {

using kernels::TypeTraits;

using lantern::testing::gaussian;

double rel_rms(const std::vector<float>& a, const std::vector<float>& ref) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    num += (double(a[i]) - ref[i]) * (double(a[i]) - ref[i]);
    den += double(ref[i]) * ref[i];
  }
  return std::sqrt(num / den);
}

struct TypeCase {
  TensorType type;
  double max_rel_rms;  // quantize -> dequantize error bound on Gaussian data
};
const TypeCase kTypes[] = {
    {TensorType::kF32, 1e-7},  {TensorType::kF16, 1e-3},  {TensorType::kBF16, 5e-3},
    {TensorType::kQ8_0, 0.01}, {TensorType::kQ5_0, 0.06}, {TensorType::kQ5_1, 0.06},
    {TensorType::kQ4_0, 0.13}, {TensorType::kQ4_1, 0.12}, {TensorType::kQ6_K, 0.03},
    {TensorType::kQ5_K, 0.06}, {TensorType::kQ4_K, 0.12}, {TensorType::kQ3_K, 0.25},
    {TensorType::kQ2_K, 0.45},
};

TEST(Half, RoundTripsEveryHalf) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = fp16_to_fp32(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(fp32_to_fp16(f), h) << "half 0x" << std::hex << h;
  }
}

TEST(Half, KnownValuesAndRounding) {
  EXPECT_EQ(fp32_to_fp16(1.0f), 0x3C00);
  EXPECT_EQ(fp32_to_fp16(-2.0f), 0xC000);
  EXPECT_EQ(fp32_to_fp16(65504.0f), 0x7BFF);
  EXPECT_EQ(fp32_to_fp16(65520.0f), 0x7C00);               // rounds up to infinity
  EXPECT_EQ(fp32_to_fp16(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal
  EXPECT_EQ(fp32_to_fp16(std::ldexp(1.0f, -25)), 0x0000);  // tie to even: zero
  EXPECT_EQ(fp32_to_fp16(std::ldexp(3.0f, -26)), 0x0001);  // 0.75 ulp rounds up
  EXPECT_EQ(fp32_to_fp16(1.0f + std::ldexp(1.0f, -11)), 0x3C00);  // tie to even: down
  EXPECT_EQ(fp32_to_fp16(1.0f + std::ldexp(3.0f, -11)), 0x3C02);  // tie to even: up
  EXPECT_TRUE(std::isnan(fp16_to_fp32(fp32_to_fp16(NAN))));
  EXPECT_FLOAT_EQ(fp16_to_fp32(0x3555), 0.333251953125f);
  EXPECT_EQ(fp32_to_bf16(1.0f), 0x3F80);
  EXPECT_EQ(fp32_to_bf16(1.0f + std::ldexp(1.0f, -8)), 0x3F80);  // tie to even
  EXPECT_EQ(bf16_to_fp32(0x4049), 3.140625f);
}

TEST(Quant, RoundTripErrorPerType) {
  for (const auto& c : kTypes) {
    const int64_t n = 1024;
    const auto x = gaussian(n, 7);
    auto q = quantize_rows(c.type, x.data(), n, 1);
    ASSERT_TRUE(q.ok()) << q.status().to_string();
    std::vector<float> back(n);
    ASSERT_TRUE(dequantize_row(c.type, q->data(), back.data(), n).ok());
    const double err = rel_rms(back, x);
    EXPECT_LT(err, c.max_rel_rms) << tensor_type_name(c.type);
    // The scalar reference dequantizer agrees exactly with every SIMD one.
    std::vector<float> ref(n), simd(n);
    kernels::scalar_traits(c.type)->to_float(q->data(), ref.data(), n);
    EXPECT_EQ(ref, back) << tensor_type_name(c.type);
    for (auto level : {kernels::SimdLevel::kAvx2, kernels::SimdLevel::kAvx512}) {
      if (const TypeTraits* t = kernels::traits_at(level, c.type)) {
        t->to_float(q->data(), simd.data(), n);
        EXPECT_EQ(ref, simd) << tensor_type_name(c.type) << " " << kernels::simd_level_name(level);
      }
    }
  }
}

TEST(Quant, RejectsBadRowLengthAndTypes) {
  std::vector<float> x(100);
  EXPECT_EQ(quantize_rows(TensorType::kQ4_K, x.data(), 100, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(quantize_rows(TensorType::kQ8_1, x.data(), 64, 1).status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(quantize_rows(TensorType::kI32, x.data(), 64, 1).status().code(), StatusCode::kUnsupported);
  EXPECT_TRUE(type_has_kernels(TensorType::kQ6_K));
  EXPECT_FALSE(type_has_kernels(TensorType::kQ8_K));  // activation layout only
}

// Hand-built blocks: these pin the on-disk layouts (which element lives in which bits), which a
// quantize/dequantize round trip alone cannot, since both sides could agree on a wrong layout.
TEST(Quant, Q4_0LayoutLowNibbleFirstHalf) {
  kernels::BlockQ4_0 b{};
  b.d = fp32_to_fp16(0.5f);
  b.qs[0] = 0x2F;  // element 0 = 15 - 8, element 16 = 2 - 8
  b.qs[15] = 0x90; // element 15 = 0 - 8, element 31 = 9 - 8
  float out[32];
  ASSERT_TRUE(dequantize_row(TensorType::kQ4_0, &b, out, 32).ok());
  EXPECT_EQ(out[0], 3.5f);
  EXPECT_EQ(out[16], -3.0f);
  EXPECT_EQ(out[15], -4.0f);
  EXPECT_EQ(out[31], 0.5f);
}

TEST(Quant, Q5_0HighBitsFromQh) {
  kernels::BlockQ5_0 b{};
  b.d = fp32_to_fp16(1.0f);
  b.qh[0] = 0x01;  // element 0 gets +16
  b.qh[2] = 0x02;  // bit 17: element 17 gets +16
  b.qs[0] = 0x03;
  b.qs[1] = 0x50;
  float out[32];
  ASSERT_TRUE(dequantize_row(TensorType::kQ5_0, &b, out, 32).ok());
  EXPECT_EQ(out[0], 3.0f);        // (3 | 16) - 16
  EXPECT_EQ(out[16], -16.0f);     // (0) - 16
  EXPECT_EQ(out[17], 5.0f);       // (5 | 16) - 16
  EXPECT_EQ(out[1], -16.0f);
}

TEST(Quant, Q4_KScalesAndNibbles) {
  kernels::BlockQ4_K b{};
  b.d = fp32_to_fp16(1.0f);
  b.dmin = fp32_to_fp16(0.5f);
  // Sub-block 1: scale 2, min 4 (bytes 1 and 5). Sub-block 5: scale 0x23 (low 4 bits in byte 9's
  // low nibble, high 2 bits at the top of byte 1), min 0x11 (byte 9 high nibble, top of byte 5).
  b.scales[1] = 2 | (0x2 << 6);
  b.scales[5] = 4 | (0x1 << 6);
  b.scales[9] = 0x3 | (0x1 << 4);
  b.qs[0] = 0x70;   // element 32 (sub-block 1, high nibble of chunk 0) = 7
  b.qs[64] = 0x06;  // element 128 (sub-block 4) low nibble; sub-block 4 has scale 0: 0
  b.qs[65] = 0x50;  // element 64*2+32+1 = 161 (sub-block 5) = 5
  std::vector<float> out(256);
  ASSERT_TRUE(dequantize_row(TensorType::kQ4_K, &b, out.data(), 256).ok());
  EXPECT_EQ(out[32], 2.0f * 7 - 0.5f * 4);
  EXPECT_EQ(out[33], -0.5f * 4);
  EXPECT_EQ(out[128], 0.0f);
  EXPECT_EQ(out[161], 35.0f * 5 - 0.5f * 17);
}

TEST(Quant, Q6_KLayout) {
  kernels::BlockQ6_K b{};
  b.d = fp32_to_fp16(1.0f);
  for (int i = 0; i < 16; ++i) b.scales[i] = static_cast<int8_t>(i + 1);
  // Element 96 + 128 = 224 (second half, k = 3, l = 0): high nibble of ql[64 + 32], bits 6..7 of qh[32].
  b.ql[96] = 0xA0;
  b.qh[32] = 0x80;  // high 2 bits = 2
  std::vector<float> out(256);
  ASSERT_TRUE(dequantize_row(TensorType::kQ6_K, &b, out.data(), 256).ok());
  EXPECT_EQ(out[224], 15.0f * ((0xA | (2 << 4)) - 32));  // sub-block 14 has scale 15
  EXPECT_EQ(out[0], 1.0f * -32);
}

TEST(Quant, Q3_KScalesAndSigns) {
  kernels::BlockQ3_K b{};
  b.d = fp32_to_fp16(1.0f);
  // Scale 9 (stored 41 = 0b101001): low nibble 9 in byte 1 (low), high bits 0b10 in byte 9 bits 0-1.
  b.scales[1] = 0x9;
  b.scales[9] = 0x2;
  // Other scales stay 0 - 32 = -32. Element 16 (sub-block 1): qs[16] bits 0-1 = 3, hmask[16] bit 0 set.
  b.qs[16] = 0x3;
  b.hmask[16] = 0x1;
  std::vector<float> out(256);
  ASSERT_TRUE(dequantize_row(TensorType::kQ3_K, &b, out.data(), 256).ok());
  EXPECT_EQ(out[16], 9.0f * 3);
  EXPECT_EQ(out[17], 9.0f * -4);
  EXPECT_EQ(out[0], -32.0f * -4);
}

TEST(Quant, Q2_KLayout) {
  kernels::BlockQ2_K b{};
  b.d = fp32_to_fp16(1.0f);
  b.dmin = fp32_to_fp16(2.0f);
  b.scales[3] = 0x35;  // sub-block 3: scale 5, min 3
  b.qs[16] = 0x0C;     // element 32 + 16 = 48 (j = 1, l = 16): bits 2-3 = 3
  std::vector<float> out(256);
  ASSERT_TRUE(dequantize_row(TensorType::kQ2_K, &b, out.data(), 256).ok());
  EXPECT_EQ(out[48], 5.0f * 3 - 2.0f * 3);
  EXPECT_EQ(out[49], -6.0f);
  EXPECT_EQ(out[16], 0.0f);
}

// y = w . x via the kernels, against float64 on the dequantized weights. The activation
// quantization (8 bits) bounds the error at about 1% of |w| |x|.
TEST(Quant, DotProductsMatchReferenceScalarAndSimd) {
  for (const auto& c : kTypes) {
    // 8960: Q8_0's 280 blocks are 17 steps of 16 and a tail of 8 in the AVX-512 kernel.
    for (int64_t n : {256, 1536, 8960}) {
      const auto wf = gaussian(n, 11 + n);
      const auto xf = gaussian(n, 13 + n, 0.3f);
      auto wq = quantize_rows(c.type, wf.data(), n, 1);
      ASSERT_TRUE(wq.ok());
      std::vector<float> wd(n);
      ASSERT_TRUE(dequantize_row(c.type, wq->data(), wd.data(), n).ok());
      double ref = 0, nw = 0, nx = 0;
      for (int64_t i = 0; i < n; ++i) {
        ref += double(wd[i]) * xf[i];
        nw += double(wd[i]) * wd[i];
        nx += double(xf[i]) * xf[i];
      }
      const double norm = std::sqrt(nw * nx);
      const TypeTraits* scalar = kernels::scalar_traits(c.type);
      const TypeTraits* xs = kernels::scalar_traits(scalar->vec_dot_type);
      std::vector<uint8_t> xq_s(kernels::row_size(*xs, n)), xq_l(kernels::row_size(*xs, n));
      xs->from_float(xf.data(), xq_s.data(), n);
      const float dot_s = scalar->vec_dot(n, wq->data(), xq_s.data());
      const double tol = scalar->vec_dot_type == TensorType::kF32 ? 1e-5 : 0.01;
      EXPECT_NEAR(dot_s, ref, tol * norm) << tensor_type_name(c.type) << " n=" << n;
      // Every SIMD level this CPU has, whether or not it is the active one.
      for (auto level : {kernels::SimdLevel::kAvx2, kernels::SimdLevel::kAvx512}) {
        const TypeTraits* t = kernels::traits_at(level, c.type);
        if (t == nullptr) continue;
        const TypeTraits* xl = kernels::traits_at(level, scalar->vec_dot_type);
        xl->from_float(xf.data(), xq_l.data(), n);
        // The scalar-quantized activations too, in the order this level's kernel reads.
        std::vector<uint8_t> xq_m = xq_s;
        if (t->x_permute != nullptr) {
          t->x_permute(xq_l.data(), n);
          t->x_permute(xq_m.data(), n);
        }
        const float dot_l = t->vec_dot(n, wq->data(), xq_l.data());
        const float dot_mixed = t->vec_dot(n, wq->data(), xq_m.data());
        const char* name = kernels::simd_level_name(level);
        EXPECT_NEAR(dot_l, ref, tol * norm) << tensor_type_name(c.type) << " n=" << n << " " << name;
        // Same quantized input: scalar and SIMD differ only by float summation order.
        EXPECT_NEAR(dot_mixed, dot_s, 1e-5 * norm) << tensor_type_name(c.type) << " n=" << n << " " << name;
      }
    }
  }
}

// Float weights take any row length: the SIMD dots' tails (n % 32, then n % 8) against the
// scalar dot of the same values.
TEST(Quant, FloatDotsTakeEveryRowLength) {
  for (TensorType type : {TensorType::kF32, TensorType::kF16, TensorType::kBF16}) {
    for (int64_t n : {1, 7, 15, 16, 17, 33, 63, 64, 65, 100, 1000}) {
      const auto wf = gaussian(n, 17 + n);
      const auto x = gaussian(n, 19 + n, 0.3f);
      auto wq = quantize_rows(type, wf.data(), n, 1);
      ASSERT_TRUE(wq.ok());
      const float want = kernels::scalar_traits(type)->vec_dot(n, wq->data(), x.data());
      double norm = 0;
      for (int64_t i = 0; i < n; ++i) norm += std::fabs(wf[i] * x[i]);
      for (auto level : {kernels::SimdLevel::kAvx2, kernels::SimdLevel::kAvx512}) {
        const TypeTraits* t = kernels::traits_at(level, type);
        if (t == nullptr) continue;
        EXPECT_NEAR(t->vec_dot(n, wq->data(), x.data()), want, 1e-6 * norm + 1e-7)
            << tensor_type_name(type) << " n=" << n << " " << kernels::simd_level_name(level);
      }
    }
  }
}

TEST(Quant, ActivationQuantizersAgree) {
  const int64_t n = 1024;
  const auto x = gaussian(n, 3, 2.0f);
  for (TensorType t : {TensorType::kQ8_0, TensorType::kQ8_K}) {
   for (auto level : {kernels::SimdLevel::kAvx2, kernels::SimdLevel::kAvx512}) {
    const TypeTraits* s = kernels::scalar_traits(t);
    const TypeTraits* a = kernels::traits_at(level, t);
    if (a == nullptr) continue;
    std::vector<uint8_t> qs(kernels::row_size(*s, n)), qa(kernels::row_size(*s, n));
    s->from_float(x.data(), qs.data(), n);
    a->from_float(x.data(), qa.data(), n);
    std::vector<float> ds(n), da(n);
    s->to_float(qs.data(), ds.data(), n);
    s->to_float(qa.data(), da.data(), n);
    // Rounding of exact halves may differ by one level in rare elements; compare values.
    EXPECT_LT(rel_rms(da, ds), 1e-3) << tensor_type_name(t);
    EXPECT_LT(rel_rms(ds, x), 0.01) << tensor_type_name(t);
    if (t == TensorType::kQ8_K) {
      // bsums must be exact sums of their 16 values.
      const auto* blocks = reinterpret_cast<const kernels::BlockQ8_K*>(qa.data());
      for (int64_t b = 0; b < n / 256; ++b) {
        for (int g = 0; g < 16; ++g) {
          int sum = 0;
          for (int e = 0; e < 16; ++e) sum += blocks[b].qs[16 * g + e];
          ASSERT_EQ(blocks[b].bsums[g], sum);
        }
      }
    }
   }
  }
}

}  // namespace
}  // namespace lantern::engine
