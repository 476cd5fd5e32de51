// RMSNorm, SwiGLU, softmax, RoPE (adjacent and neox pairs, divisors, linear scaling), float16
// conversion, and blocked online-softmax attention against a direct double-precision reference.
#include "nn_ops.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <utility>
#include <string>
#include <vector>

#include "attention.h"
#include "kv_cache.h"

namespace lantern::engine {
namespace {

std::vector<float> random_vec(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

TEST(NnOps, RmsNormMatchesDefinition) {
  std::vector<float> x = {1.0f, -2.0f, 3.0f, 0.5f};
  std::vector<float> w = {1.0f, 0.5f, 2.0f, -1.0f};
  std::vector<float> out(4);
  nn::rms_norm(x.data(), w.data(), out.data(), 4, 1e-5f);
  double ms = (1 + 4 + 9 + 0.25) / 4.0;
  double inv = 1.0 / std::sqrt(ms + 1e-5);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(out[i], x[i] * inv * w[i], 1e-6);
  nn::rms_norm(x.data(), nullptr, x.data(), 4, 1e-5f);  // in place, no weight
  EXPECT_NEAR(x[2], 3.0 * inv, 1e-6);
}

bool cpu_has_avx2_set() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
}

TEST(NnOps, RmsNormAvx2MatchesTheDefinition) {
  if (!cpu_has_avx2_set()) GTEST_SKIP() << "no AVX2/FMA/F16C on this CPU";
  // A whole number of 8-wide steps, a tail of 3, a row shorter than one step, and large values
  // whose squares a float sum would round.
  for (int64_t n : {int64_t{1536}, int64_t{1539}, int64_t{5}}) {
    for (float scale : {1.0f, 3e4f}) {
      const auto x = random_vec(static_cast<size_t>(n), 7 + static_cast<uint32_t>(n), scale);
      const auto w = random_vec(static_cast<size_t>(n), 9 + static_cast<uint32_t>(n));
      double ms = 0;
      for (float v : x) ms += static_cast<double>(v) * v;
      const double inv = 1.0 / std::sqrt(ms / static_cast<double>(n) + 1e-6);
      std::vector<float> out(n), plain(n);
      nn::rms_norm_avx2(x.data(), w.data(), out.data(), n, 1e-6f);
      nn::rms_norm_avx2(x.data(), nullptr, plain.data(), n, 1e-6f);
      for (int64_t i = 0; i < n; ++i) {
        const double want = x[i] * inv * w[i];
        EXPECT_NEAR(out[i], want, 1e-6 * std::fabs(want) + 1e-30) << "n = " << n << ", i = " << i;
        EXPECT_NEAR(plain[i], x[i] * inv, 1e-6 * std::fabs(x[i] * inv) + 1e-30) << "n = " << n << ", i = " << i;
      }
    }
  }
}

TEST(NnOps, HalfRowF16cMatchesTheScalarConversion) {
  if (!cpu_has_avx2_set()) GTEST_SKIP() << "no AVX2/FMA/F16C on this CPU";
  // Every half's exact value, each of them nudged up and down by one float ulp, halfway points
  // (ties), subnormals, overflow to infinity, signed zeros and infinities; 3 past the last step.
  std::vector<float> x;
  const float* table = nn::f16_table();
  for (uint32_t h = 0; h < 65536; ++h) {
    if ((h & 0x7c00) == 0x7c00) continue;
    const float f = table[h];
    x.push_back(f);
    x.push_back(std::nextafter(f, 1e30f));
    x.push_back(std::nextafter(f, -1e30f));
    if ((h & 0x7fff) != 0x7bff) x.push_back((f + table[h + 1]) / 2);
  }
  for (float f : {65504.0f, 65519.0f, 65520.0f, 1e6f, -1e6f, 0.0f, -0.0f, 1e-10f, -3e-8f,
                  std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()}) {
    x.push_back(f);
  }
  while (x.size() % 8 != 3) x.push_back(0.5f);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  x.push_back(nan);
  std::vector<uint16_t> got(x.size());
  nn::f32_to_f16_row_f16c(x.data(), got.data(), static_cast<int64_t>(x.size()));
  for (size_t i = 0; i + 1 < x.size(); ++i) {
    ASSERT_EQ(got[i], nn::f32_to_f16(x[i])) << "x = " << x[i] << " (element " << i << ")";
  }
  EXPECT_EQ(got.back() & 0x7c00, 0x7c00);
  EXPECT_NE(got.back() & 0x03ff, 0);
  // The NaN inside a full 8-wide step too.
  std::vector<float> eight(8, 1.0f);
  eight[5] = nan;
  std::vector<uint16_t> out8(8);
  nn::f32_to_f16_row_f16c(eight.data(), out8.data(), 8);
  EXPECT_EQ(out8[0], 0x3c00);
  EXPECT_EQ(out8[5] & 0x7c00, 0x7c00);
  EXPECT_NE(out8[5] & 0x03ff, 0);
}

TEST(NnOps, SwigluAndSoftmax) {
  std::vector<float> g = {0.0f, 1.0f, -3.0f}, u = {2.0f, 2.0f, 1.0f}, out(3);
  nn::swiglu(g.data(), u.data(), out.data(), 3);
  EXPECT_NEAR(out[0], 0.0f, 1e-7);
  EXPECT_NEAR(out[1], 2.0 / (1.0 + std::exp(-1.0)), 1e-6);
  EXPECT_NEAR(out[2], -3.0 / (1.0 + std::exp(3.0)), 1e-6);
  std::vector<float> s = {1000.0f, 1000.0f, 999.0f};  // large values must not overflow
  nn::softmax(s.data(), 3);
  double z = 2.0 + std::exp(-1.0);
  EXPECT_NEAR(s[0], 1.0 / z, 1e-6);
  EXPECT_NEAR(s[2], std::exp(-1.0) / z, 1e-6);
}

TEST(NnOps, SwigluAvx2MatchesTheScalarFormula) {
  __builtin_cpu_init();
  if (!(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) GTEST_SKIP() << "no AVX2/FMA on this CPU";
  // Both signs, the exp clamp (|g| > 87), zero, and a tail of 3 past the last 8-wide step.
  std::vector<float> g, u;
  for (int i = 0; i < 403; ++i) {
    g.push_back(-100.0f + 0.5f * i);
    u.push_back(0.25f + 0.01f * (i % 7));
  }
  g[7] = 0.0f;
  g[9] = -0.0f;
  std::vector<float> out(g.size());
  nn::swiglu_avx2(g.data(), u.data(), out.data(), static_cast<int64_t>(g.size()));
  for (size_t i = 0; i < g.size(); ++i) {
    const double want = g[i] / (1.0 + std::exp(-static_cast<double>(g[i]))) * u[i];
    EXPECT_NEAR(out[i], want, 1e-6 * std::fabs(want) + 1e-30) << "g = " << g[i];
  }
}

TEST(NnOps, RopePairsAdjacentForLlamaAndHalvesForNeox) {
  nn::RopeParams rope;
  rope.n_rot = 4;
  rope.base = 10000.0f;
  std::vector<float> c(2), s(2);
  nn::rope_angles(rope, 3, c.data(), s.data());
  // Pair 0 turns by 3 rad, pair 1 by 3 * 10000^(-1/2) = 0.03 rad.
  EXPECT_NEAR(c[0], std::cos(3.0), 1e-6);
  EXPECT_NEAR(s[1], std::sin(0.03), 1e-6);

  std::vector<float> x = {1.0f, 0.0f, 1.0f, 0.0f};
  nn::rope_apply(rope, c.data(), s.data(), x.data(), 1, 4);
  EXPECT_NEAR(x[0], std::cos(3.0), 1e-6);  // (x0, x1) is pair 0
  EXPECT_NEAR(x[1], std::sin(3.0), 1e-6);
  EXPECT_NEAR(x[2], std::cos(0.03), 1e-6);
  EXPECT_NEAR(x[3], std::sin(0.03), 1e-6);

  rope.neox = true;
  std::vector<float> y = {1.0f, 1.0f, 0.0f, 0.0f};
  nn::rope_apply(rope, c.data(), s.data(), y.data(), 1, 4);
  EXPECT_NEAR(y[0], std::cos(3.0), 1e-6);  // (x0, x2) is pair 0
  EXPECT_NEAR(y[2], std::sin(3.0), 1e-6);
  EXPECT_NEAR(y[1], std::cos(0.03), 1e-6);
  EXPECT_NEAR(y[3], std::sin(0.03), 1e-6);
}

TEST(NnOps, RopeDotDependsOnlyOnDistance) {
  nn::RopeParams rope;
  rope.n_rot = 8;
  rope.base = 500000.0f;
  auto q = random_vec(16, 1), k = random_vec(16, 2);  // 2 heads of 8
  auto rotated_dot = [&](int64_t pq, int64_t pk) {
    std::vector<float> a = q, b = k, c(4), s(4);
    nn::rope_angles(rope, pq, c.data(), s.data());
    nn::rope_apply(rope, c.data(), s.data(), a.data(), 2, 8);
    nn::rope_angles(rope, pk, c.data(), s.data());
    nn::rope_apply(rope, c.data(), s.data(), b.data(), 2, 8);
    double d = 0;
    for (int i = 0; i < 16; ++i) d += a[i] * b[i];
    return d;
  };
  EXPECT_NEAR(rotated_dot(10, 7), rotated_dot(103, 100), 1e-4);
  rope.neox = true;
  EXPECT_NEAR(rotated_dot(5, 1), rotated_dot(45, 41), 1e-4);
}

TEST(NnOps, RopeFrequencyDivisorsAndLinearScaling) {
  nn::RopeParams plain;
  plain.n_rot = 4;
  std::vector<float> c1(2), s1(2), c2(2), s2(2);
  // Linear scaling by 4: position 8 turns like position 2.
  nn::RopeParams linear = plain;
  linear.freq_scale = 0.25f;
  nn::rope_angles(linear, 8, c1.data(), s1.data());
  nn::rope_angles(plain, 2, c2.data(), s2.data());
  EXPECT_NEAR(c1[0], c2[0], 1e-6);
  EXPECT_NEAR(s1[1], s2[1], 1e-6);
  // A divisor of 2 on pair 1 only: pair 1 at position 6 turns like position 3.
  std::vector<float> factors = {1.0f, 2.0f};
  nn::RopeParams divided = plain;
  divided.freq_factors = factors.data();
  nn::rope_angles(divided, 6, c1.data(), s1.data());
  nn::rope_angles(plain, 3, c2.data(), s2.data());
  EXPECT_NEAR(c1[1], c2[1], 1e-6);
  nn::rope_angles(plain, 6, c2.data(), s2.data());
  EXPECT_NEAR(c1[0], c2[0], 1e-6);
}

TEST(NnOps, Float16RoundTrip) {
  EXPECT_EQ(nn::f32_to_f16(1.0f), 0x3c00);
  EXPECT_EQ(nn::f32_to_f16(-2.0f), 0xc000);
  EXPECT_EQ(nn::f32_to_f16(65504.0f), 0x7bff);
  EXPECT_EQ(nn::f32_to_f16(1e6f), 0x7c00);
  EXPECT_EQ(nn::f32_to_f16(5.9604645e-8f), 0x0001);  // smallest subnormal
  EXPECT_EQ(nn::f32_to_f16(1.0f + 1.0f / 2048), 0x3c00);  // tie rounds to even
  EXPECT_EQ(nn::f32_to_f16(1.0f + 3.0f / 2048), 0x3c02);
  const float* table = nn::f16_table();
  for (uint32_t h = 0; h < 65536; ++h) {
    if ((h & 0x7c00) == 0x7c00) continue;  // inf/nan
    ASSERT_EQ(nn::f32_to_f16(table[h]), h == 0x8000 ? 0x8000 : h) << h;
  }
}

// The attention kernel sets to test: the active one, then the AVX2 and AVX-512 sets wherever this
// CPU runs them (the AVX2 set needs AVX2, FMA and F16C), whichever of them is active.
std::vector<const AttentionKernels*> attention_sets() {
  std::vector<const AttentionKernels*> sets = {&attention_kernels()};
  __builtin_cpu_init();
  if (attention_kernels_avx2() && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
      __builtin_cpu_supports("f16c")) {
    sets.push_back(attention_kernels_avx2());
  }
  if (attention_kernels_avx512()) sets.push_back(attention_kernels_avx512());
  return sets;
}

// Direct attention in double: softmax over all scores at once.
std::vector<double> reference_attention(const std::vector<float>& q, const std::vector<float>& k,
                                        const std::vector<float>& v, int n_kv, int head_dim, int kv_off,
                                        int n_embd_kv, float scale) {
  std::vector<double> s(n_kv);
  double mx = -1e300;
  for (int j = 0; j < n_kv; ++j) {
    double d = 0;
    for (int i = 0; i < head_dim; ++i) d += double(q[i]) * k[j * n_embd_kv + kv_off + i];
    s[j] = d * scale;
    mx = std::max(mx, s[j]);
  }
  double z = 0;
  for (auto& x : s) z += (x = std::exp(x - mx));
  std::vector<double> out(head_dim, 0.0);
  for (int j = 0; j < n_kv; ++j) {
    for (int i = 0; i < head_dim; ++i) out[i] += s[j] / z * v[j * n_embd_kv + kv_off + i];
  }
  return out;
}

void check_attention(KvType type, double tol) {
  const int n_head = 4, n_head_kv = 2, head_dim = 20, n_ctx = 300, n_embd_kv = n_head_kv * head_dim;
  auto cache = KvCache::create(2, n_ctx, n_head_kv, head_dim, type);
  ASSERT_TRUE(cache.ok()) << cache.status().to_string();
  auto k = random_vec(size_t(n_ctx) * n_embd_kv, 3, 2.0f), v = random_vec(size_t(n_ctx) * n_embd_kv, 4);
  for (int p = 0; p < n_ctx; ++p) cache->store(1, p, &k[p * n_embd_kv], &v[p * n_embd_kv]);
  AttentionShape shape{n_head, n_head_kv, head_dim, 1.0f / std::sqrt(float(head_dim))};
  for (int n_kv : {1, 63, 64, 65, 200, 300}) {
    for (int h = 0; h < n_head; ++h) {
      auto q = random_vec(head_dim, 100 + h + n_kv, 2.0f);
      auto ref = reference_attention(q, k, v, n_kv, head_dim, (h / 2) * head_dim, n_embd_kv, shape.scale);
      std::vector<const AttentionKernels*> sets = attention_sets();
      sets.push_back(&attention_kernels_scalar());
      for (const AttentionKernels* kern : sets) {
        std::vector<float> out(head_dim);
        attend_head(*cache, 1, shape, h, q.data(), n_kv, out.data(), *kern);
        for (int i = 0; i < head_dim; ++i) ASSERT_NEAR(out[i], ref[i], tol) << "n_kv " << n_kv << " head " << h;
      }
    }
    // Ranges of heads at once (within one KV head, across KV heads, all of them) give what each
    // head gives alone.
    std::vector<float> qs = random_vec(size_t(n_head) * head_dim, 500 + n_kv, 2.0f);
    std::vector<float> alone(qs.size());
    for (int h = 0; h < n_head; ++h) {
      attend_head(*cache, 1, shape, h, &qs[h * head_dim], n_kv, &alone[h * head_dim]);
    }
    // Keys split in parts (one of them empty) and merged give the same as all keys at once.
    {
      const int a = n_kv / 3;
      std::vector<float> po(3 * size_t(n_head) * head_dim), pm(3 * n_head), merged(size_t(n_head) * head_dim);
      std::vector<double> ps(3 * n_head);
      AttentionPartial parts[3];
      const int ranges[3][2] = {{0, a}, {a, a}, {a, n_kv}};
      for (int p = 0; p < 3; ++p) {
        parts[p] = {&po[p * n_head * head_dim], &pm[p * n_head], &ps[p * n_head]};
        attend_heads_partial(*cache, 1, shape, 0, n_head, qs.data(), ranges[p][0], ranges[p][1], parts[p]);
      }
      merge_partials(parts, 3, n_head, head_dim, merged.data());
      for (size_t i = 0; i < merged.size(); ++i) ASSERT_NEAR(merged[i], alone[i], 1e-5) << "n_kv " << n_kv << " i " << i;
    }
    for (auto [h0, nh] : {std::pair{0, 2}, std::pair{1, 2}, std::pair{0, 4}, std::pair{3, 1}}) {
      std::vector<float> out(size_t(nh) * head_dim);
      attend_heads(*cache, 1, shape, h0, nh, &qs[h0 * head_dim], n_kv, out.data());
      for (int i = 0; i < nh * head_dim; ++i) {
        ASSERT_NEAR(out[i], alone[h0 * head_dim + i], 1e-5) << "n_kv " << n_kv << " heads " << h0 << "+" << nh;
      }
    }
  }
}

// The block kernels against the reference for 1 to 9 heads (tiles of up to 6, 7-9 split) and 1 to
// 9 keys (the AVX2 set tiles 4 keys for up to 2 heads, 2 above, and 16 elements; the AVX-512 set
// 4 keys and 64 elements) and head sizes with a tail (150: two 64-element passes and a masked 22).
TEST(Attention, BlockKernelsMatchScalar) {
  const AttentionKernels& ref = attention_kernels_scalar();
  const std::vector<const AttentionKernels*> sets = attention_sets();
  for (int n : {8, 20, 128, 150}) {
    for (int g = 1; g <= 9; ++g) {
      for (int keys : {1, 4, 9}) {
        const int qs = n + 3, ks = 2 * n + 5, os = 11, ws = 10;
        const auto q = random_vec(size_t(g) * qs, 7 + g, 1.0f);
        const auto k = random_vec(size_t(keys) * ks, 8 + g, 1.0f), w = random_vec(size_t(g) * ws, 9 + g, 1.0f);
        std::vector<uint16_t> k16(k.size());
        for (size_t i = 0; i < k.size(); ++i) k16[i] = nn::f32_to_f16(k[i]);
        std::vector<float> d32_ref(size_t(g) * os, -1), d16_ref = d32_ref, o32_ref(size_t(g) * qs, 0.5f), o16_ref = o32_ref;
        ref.dot_f32(q.data(), qs, g, k.data(), ks, keys, n, d32_ref.data(), os);
        ref.dot_f16(q.data(), qs, g, k16.data(), ks, keys, n, d16_ref.data(), os);
        ref.axpy_f32(w.data(), ws, g, k.data(), ks, keys, o32_ref.data(), qs, n);
        ref.axpy_f16(w.data(), ws, g, k16.data(), ks, keys, o16_ref.data(), qs, n);
        for (const AttentionKernels* kern : sets) {
          std::vector<float> d32(size_t(g) * os, -1), d16 = d32, o32(size_t(g) * qs, 0.5f), o16 = o32;
          kern->dot_f32(q.data(), qs, g, k.data(), ks, keys, n, d32.data(), os);
          kern->dot_f16(q.data(), qs, g, k16.data(), ks, keys, n, d16.data(), os);
          kern->axpy_f32(w.data(), ws, g, k.data(), ks, keys, o32.data(), qs, n);
          kern->axpy_f16(w.data(), ws, g, k16.data(), ks, keys, o16.data(), qs, n);
          const std::string where = "n " + std::to_string(n) + " g " + std::to_string(g) + " keys " + std::to_string(keys);
          for (size_t i = 0; i < d32.size(); ++i) {
            ASSERT_NEAR(d32[i], d32_ref[i], 1e-4) << where << " i " << i;  // untouched slots stay -1
            ASSERT_NEAR(d16[i], d16_ref[i], 1e-4) << where << " i " << i;
          }
          for (size_t i = 0; i < o32.size(); ++i) {
            ASSERT_NEAR(o32[i], o32_ref[i], 1e-4) << where << " i " << i;
            ASSERT_NEAR(o16[i], o16_ref[i], 1e-4) << where << " i " << i;
          }
        }
      }
    }
  }
}

// The softmax weights: exp(x - shift) to within 1e-6 relative over the whole range, sum included.
TEST(Attention, ExpShiftMatchesStdExp) {
  std::vector<const AttentionKernels*> sets = attention_sets();
  sets.push_back(&attention_kernels_scalar());
  std::vector<float> x;
  for (float v = -100.0f; v <= 0.0f; v += 0.0137f) x.push_back(v);
  x.push_back(0.0f);
  for (const AttentionKernels* kern : sets) {
    std::vector<float> y = x;
    for (auto& v : y) v += 3.5f;
    const double sum = kern->exp_shift(y.data(), static_cast<int32_t>(y.size()), 3.5f);
    double expect_sum = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const double e = std::exp(double(x[i]));
      expect_sum += e;
      if (x[i] > -87.0f) {
        ASSERT_NEAR(y[i], e, 1e-6 * e + 1e-38) << "x " << x[i];
      }
      ASSERT_LE(y[i], 2e-38 + e * (1 + 1e-6)) << "x " << x[i];
    }
    EXPECT_NEAR(sum, expect_sum, 1e-6 * expect_sum);
  }
}

TEST(Attention, OnlineSoftmaxMatchesDirectF32Cache) { check_attention(KvType::kF32, 2e-5); }
TEST(Attention, OnlineSoftmaxMatchesDirectF16Cache) { check_attention(KvType::kF16, 5e-3); }

TEST(KvCache, RejectsBadAndHugeSizes) {
  EXPECT_EQ(KvCache::create(0, 10, 2, 5, KvType::kF32).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(KvCache::create(1, 10, 0, 5, KvType::kF32).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(KvCache::create(1, 10, 2, -1, KvType::kF16).status().code(), StatusCode::kInvalidArgument);
  auto huge = KvCache::create(1 << 20, 1 << 20, 1 << 10, 1 << 10, KvType::kF16);
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().code(), StatusCode::kResourceLimit);
}

// Each KV head's rows lie one after another (row pos + 1 starts head_dim elements after row pos),
// in both element types, and the stored values are the row's slice for that head.
TEST(KvCache, StoresEachKvHeadsRowsOneAfterAnother) {
  const int n_layer = 2, n_ctx = 5, n_head_kv = 3, head_dim = 4, width = n_head_kv * head_dim;
  for (KvType type : {KvType::kF32, KvType::kF16}) {
    auto cache = KvCache::create(n_layer, n_ctx, n_head_kv, head_dim, type);
    ASSERT_TRUE(cache.ok()) << cache.status().to_string();
    EXPECT_EQ(cache->n_embd_kv(), width);
    auto value = [](int layer, int pos, int i, int which) { return float(1000 * layer + 100 * pos + 10 * which + i); };
    for (int l = 0; l < n_layer; ++l) {
      for (int p = 0; p < n_ctx; ++p) {
        std::vector<float> k(width), v(width);
        for (int i = 0; i < width; ++i) k[i] = value(l, p, i, 0), v[i] = value(l, p, i, 1);
        cache->store(l, p, k.data(), v.data());
      }
    }
    for (int l = 0; l < n_layer; ++l) {
      for (int h = 0; h < n_head_kv; ++h) {
        for (int p = 0; p < n_ctx; ++p) {
          for (int i = 0; i < head_dim; ++i) {
            float k, v;
            if (type == KvType::kF32) {
              EXPECT_EQ(cache->k32(l, h, p), cache->k32(l, h, 0) + p * head_dim);
              k = cache->k32(l, h, p)[i], v = cache->v32(l, h, p)[i];
            } else {
              EXPECT_EQ(cache->k16(l, h, p), cache->k16(l, h, 0) + p * head_dim);
              k = nn::f16_table()[cache->k16(l, h, p)[i]], v = nn::f16_table()[cache->v16(l, h, p)[i]];
            }
            ASSERT_EQ(k, value(l, p, h * head_dim + i, 0)) << "layer " << l << " head " << h << " pos " << p;
            ASSERT_EQ(v, value(l, p, h * head_dim + i, 1)) << "layer " << l << " head " << h << " pos " << p;
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace lantern::engine
