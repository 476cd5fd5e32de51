// Packed rows (packed_rows.h): the layouts round-trip exactly, the packed dot products agree with
// the plain ones, and a Matrix whose copied segments are packed gives the plain matrix's products
// on every path (matvec, grouped, sgemm, get_row), including rows outside whole groups.
#include "packed_rows.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <random>
#include <set>
#include <vector>

#include "kernels.h"
#include "lantern/engine/matrix.h"
#include "lantern/engine/quant.h"
#include "test_support.h"

namespace lantern::engine {
namespace {

using lantern::testing::gaussian;

// The types with a packed layout at the active SIMD level (none on CPUs without AVX-512).
std::vector<TensorType> packed_types() {
  std::vector<TensorType> out;
  for (TensorType t : {TensorType::kQ4_K, TensorType::kQ8_0}) {
    if (kernels::active_traits(t)->vec_dot_packed != nullptr) out.push_back(t);
  }
  return out;
}

TEST(PackedRows, Q4KElementOrderIsAPermutation) {
  std::set<int> seen;
  for (int h = 0; h < 4; ++h) {
    for (int b = 0; b < 64; ++b) {
      const int e = kernels::q4_k_packed_element(h, b);
      ASSERT_GE(e, 0);
      ASSERT_LT(e, 256);
      // A 16-bit word holds one sub-block only.
      EXPECT_EQ(e / 32, kernels::q4_k_packed_element(h, b ^ 1) / 32) << "h=" << h << " b=" << b;
      seen.insert(e);
    }
  }
  EXPECT_EQ(seen.size(), 256u);
}

TEST(PackedRows, Q4KLanesOrderIsAPermutationWithOneSubBlockPerWord) {
  std::set<int> seen;
  for (int k = 0; k < 8; ++k) {
    for (int h = 0; h < 2; ++h) {
      for (int b = 0; b < 16; ++b) {
        const int e = kernels::q4_k_lanes_element(k, h, b);
        ASSERT_GE(e, 0);
        ASSERT_LT(e, 256);
        // Word b / 2 of every lane of every load is sub-block b / 2: the scales stay in place.
        EXPECT_EQ(e / 32, b / 2) << "k=" << k << " h=" << h << " b=" << b;
        // The activations' order (q4_k_packed_element) gives each nibble its partner.
        const int i = 32 * k + 16 * h + b;
        EXPECT_EQ(e, kernels::q4_k_packed_element(i / 64, i % 64)) << "k=" << k << " h=" << h << " b=" << b;
        seen.insert(e);
      }
    }
  }
  EXPECT_EQ(seen.size(), 256u);
}

// The layouts (plain C++, on every CPU): pack then unpack_row gives back every row byte for byte,
// so the packed layout loses nothing.
TEST(PackedRows, PackThenUnpackGivesTheRowsBack) {
  struct Layout {
    TensorType type;
    kernels::PackFn pack;
    kernels::UnpackRowFn unpack_row;
  };
  const Layout layouts[] = {{TensorType::kQ4_K, kernels::pack_q4_k, kernels::unpack_q4_k_row},
                            {TensorType::kQ8_0, kernels::pack_q8_0, kernels::unpack_q8_0_row}};
  const int64_t n_cols = 8960;  // for Q8_0: 17 spans of 16 block columns and 8 more
  for (const Layout& l : layouts) {
    SCOPED_TRACE(tensor_type_name(l.type));
    const auto w = gaussian(n_cols * kernels::kPackRows, 7);
    auto rows = quantize_rows(l.type, w.data(), n_cols, kernels::kPackRows);
    ASSERT_TRUE(rows.ok());
    const int64_t row_bytes = static_cast<int64_t>(rows->size()) / kernels::kPackRows;
    std::vector<uint8_t> group(rows->size()), back(row_bytes);
    l.pack(rows->data(), group.data(), n_cols);
    EXPECT_NE(std::memcmp(group.data(), rows->data(), group.size()), 0) << "packing changed nothing";
    for (int64_t r = 0; r < kernels::kPackRows; ++r) {
      l.unpack_row(group.data(), r, back.data(), n_cols);
      EXPECT_EQ(std::memcmp(back.data(), rows->data() + r * row_bytes, row_bytes), 0) << "row " << r;
    }
  }
}

// The kernel table's pack (a SIMD version where there is one) writes exactly the layout that the
// plain C++ definition writes.
TEST(PackedRows, TablePackMatchesTheLayoutDefinition) {
  const auto types = packed_types();
  if (types.empty()) GTEST_SKIP() << "this CPU's SIMD level has no packed kernels";
  const int64_t n_cols = 1536;
  for (TensorType type : types) {
    SCOPED_TRACE(tensor_type_name(type));
    const kernels::PackFn definition =
        type == TensorType::kQ4_K ? kernels::pack_q4_k : kernels::pack_q8_0;
    const auto w = gaussian(n_cols * kernels::kPackRows, 9);
    auto rows = quantize_rows(type, w.data(), n_cols, kernels::kPackRows);
    ASSERT_TRUE(rows.ok());
    std::vector<uint8_t> want(rows->size()), got(rows->size());
    definition(rows->data(), want.data(), n_cols);
    kernels::active_traits(type)->pack(rows->data(), got.data(), n_cols);
    EXPECT_EQ(got, want);
  }
}

// The active level's Q4_K activation reordering (a word shuffle at the AVX-512 level) gives what
// the layout's definition gives, quants and sub-block sums, from a quantizer's Q8_K row.
TEST(PackedRows, Q4KActivationPermuteMatchesTheDefinition) {
  const kernels::TypeTraits& t = *kernels::active_traits(TensorType::kQ4_K);
  if (t.x_permute_packed == nullptr) GTEST_SKIP() << "this CPU's SIMD level has no packed Q4_K kernel";
  const kernels::TypeTraits& xt = *kernels::active_traits(t.vec_dot_type);
  for (int64_t n_cols : {int64_t{256}, int64_t{8960}}) {
    const auto x = gaussian(n_cols, 21 + static_cast<uint32_t>(n_cols), 2.0f);
    std::vector<uint8_t> want(kernels::row_size(xt, n_cols));
    xt.from_float(x.data(), want.data(), n_cols);
    std::vector<uint8_t> got = want;
    kernels::q4_k_x_permute_packed(want.data(), n_cols);
    t.x_permute_packed(got.data(), n_cols);
    EXPECT_EQ(got, want) << n_cols << " columns";
  }
}

// A group dequantized at once (sgemm tiles) gives each row's floats exactly as the plain row's
// to_float does.
TEST(PackedRows, GroupDequantizesToThePlainRowsFloats) {
  const auto types = packed_types();
  if (types.empty()) GTEST_SKIP() << "this CPU's SIMD level has no packed kernels";
  const int64_t n_cols = 1536;
  for (TensorType type : types) {
    SCOPED_TRACE(tensor_type_name(type));
    const kernels::TypeTraits& t = *kernels::active_traits(type);
    const auto w = gaussian(n_cols * kernels::kPackRows, 8);
    auto rows = quantize_rows(type, w.data(), n_cols, kernels::kPackRows);
    ASSERT_TRUE(rows.ok());
    const int64_t row_bytes = kernels::row_size(t, n_cols);
    std::vector<uint8_t> group(rows->size());
    t.pack(rows->data(), group.data(), n_cols);
    std::vector<float> floats(kernels::kPackRows * n_cols), want(n_cols);
    t.to_float_packed(group.data(), floats.data(), n_cols);
    for (int64_t r = 0; r < kernels::kPackRows; ++r) {
      t.to_float(rows->data() + r * row_bytes, want.data(), n_cols);
      EXPECT_EQ(std::vector<float>(floats.begin() + r * n_cols, floats.begin() + (r + 1) * n_cols), want) << "row " << r;
    }
  }
}

// The packed dot of each row of a group equals the reference (scalar) dot of the plain row with
// the plain activations, up to float rounding.
TEST(PackedRows, PackedDotMatchesTheScalarDot) {
  const auto types = packed_types();
  if (types.empty()) GTEST_SKIP() << "this CPU's SIMD level has no packed kernels";
  for (TensorType type : types) {
    for (int64_t n_cols : {256, 1536, 8960}) {
      if (n_cols % kernels::active_traits(type)->block_size != 0) continue;
      SCOPED_TRACE(std::string(tensor_type_name(type)) + " n=" + std::to_string(n_cols));
      const kernels::TypeTraits& t = *kernels::active_traits(type);
      const kernels::TypeTraits& ref = *kernels::scalar_traits(type);
      const kernels::TypeTraits& xt = *kernels::scalar_traits(t.vec_dot_type);
      const auto w = gaussian(n_cols * kernels::kPackRows, 11, 0.05f);
      const auto x = gaussian(n_cols, 12);
      auto rows = quantize_rows(type, w.data(), n_cols, kernels::kPackRows);
      ASSERT_TRUE(rows.ok());
      const int64_t row_bytes = kernels::row_size(t, n_cols), x_bytes = kernels::row_size(xt, n_cols);
      std::vector<uint8_t> group(rows->size()), xq(x_bytes), xp(x_bytes);
      t.pack(rows->data(), group.data(), n_cols);
      xt.from_float(x.data(), xq.data(), n_cols);
      std::memcpy(xp.data(), xq.data(), x_bytes);
      t.x_permute_packed(xp.data(), n_cols);
      float out[kernels::kPackRows];
      t.vec_dot_packed(n_cols, group.data(), xp.data(), out);
      std::vector<float> wf(n_cols);
      for (int64_t r = 0; r < kernels::kPackRows; ++r) {
        const float want = ref.vec_dot(n_cols, rows->data() + r * row_bytes, xq.data());
        ref.to_float(rows->data() + r * row_bytes, wf.data(), n_cols);
        double magnitude = 0;
        for (int64_t i = 0; i < n_cols; ++i) magnitude += std::fabs(wf[i] * x[i]);
        EXPECT_NEAR(out[r], want, 1e-5 * magnitude + 1e-6) << "row " << r;
      }
    }
  }
}

// Every SIMD level this CPU runs that has a packed Q4_K kernel (AVX2 and AVX-512), whether or not
// it is the active one: its unpack_row gives back the rows that the layout's definition
// (pack_q4_k) packed, its group dequantization the plain rows' floats exactly, and its packed dot
// the scalar dot.
TEST(PackedRows, EveryLevelsQ4KKernelsMatchTheDefinition) {
  int levels = 0;
  for (auto level : {kernels::SimdLevel::kAvx2, kernels::SimdLevel::kAvx512}) {
    const kernels::TypeTraits* t = kernels::traits_at(level, TensorType::kQ4_K);
    if (t == nullptr || t->vec_dot_packed == nullptr) continue;
    ++levels;
    for (int64_t n_cols : {256, 1536, 8960}) {
      SCOPED_TRACE(std::string(kernels::simd_level_name(level)) + " n=" + std::to_string(n_cols));
      const auto w = gaussian(n_cols * kernels::kPackRows, 31, 0.05f);
      auto rows = quantize_rows(TensorType::kQ4_K, w.data(), n_cols, kernels::kPackRows);
      ASSERT_TRUE(rows.ok());
      const int64_t row_bytes = kernels::row_size(*t, n_cols);
      std::vector<uint8_t> group(rows->size()), back(row_bytes);
      kernels::pack_q4_k(rows->data(), group.data(), n_cols);
      std::vector<float> floats(kernels::kPackRows * n_cols), want(n_cols);
      t->to_float_packed(group.data(), floats.data(), n_cols);
      const kernels::TypeTraits& ref = *kernels::scalar_traits(TensorType::kQ4_K);
      const kernels::TypeTraits& xt = *kernels::scalar_traits(TensorType::kQ8_K);
      const auto x = gaussian(n_cols, 32);
      std::vector<uint8_t> xq(kernels::row_size(xt, n_cols));
      xt.from_float(x.data(), xq.data(), n_cols);
      std::vector<uint8_t> xp = xq;
      t->x_permute_packed(xp.data(), n_cols);
      float out[kernels::kPackRows];
      t->vec_dot_packed(n_cols, group.data(), xp.data(), out);
      for (int64_t r = 0; r < kernels::kPackRows; ++r) {
        t->unpack_row(group.data(), r, back.data(), n_cols);
        EXPECT_EQ(std::memcmp(back.data(), rows->data() + r * row_bytes, row_bytes), 0) << "unpack_row " << r;
        t->to_float(rows->data() + r * row_bytes, want.data(), n_cols);
        EXPECT_EQ(std::vector<float>(floats.begin() + r * n_cols, floats.begin() + (r + 1) * n_cols), want) << "row " << r;
        std::vector<float> wf(n_cols);
        ref.to_float(rows->data() + r * row_bytes, wf.data(), n_cols);
        double magnitude = 0;
        for (int64_t i = 0; i < n_cols; ++i) magnitude += std::fabs(wf[i] * x[i]);
        EXPECT_NEAR(out[r], ref.vec_dot(n_cols, rows->data() + r * row_bytes, xq.data()), 1e-5 * magnitude + 1e-6)
            << "dot row " << r;
      }
    }
  }
  if (levels == 0) GTEST_SKIP() << "this CPU has no SIMD level with a packed Q4_K kernel";
}

// The packed dot over several tokens (vec_dot_packed_tokens, where a level has one) against the
// one-token packed dot, for every count of tokens up to past two whole steps of four, activation
// rows apart by a stride larger than a row, and outputs apart by a stride larger than a group.
TEST(PackedRows, EveryLevelsDotOverSeveralTokensMatchesTheOneTokenDot) {
  int levels = 0;
  for (auto level : {kernels::SimdLevel::kAvx2, kernels::SimdLevel::kAvx512}) {
    for (TensorType type : {TensorType::kQ4_K, TensorType::kQ8_0}) {
      const kernels::TypeTraits* t = kernels::traits_at(level, type);
      if (t == nullptr || t->vec_dot_packed_tokens == nullptr) continue;
      ++levels;
      const kernels::TypeTraits& xt = *kernels::traits_at(level, t->vec_dot_type);
      for (int64_t n_cols : {256, 1536, 8960}) {
        SCOPED_TRACE(std::string(kernels::simd_level_name(level)) + " " + std::string(tensor_type_name(type)) +
                     " n=" + std::to_string(n_cols));
        const auto w = gaussian(n_cols * kernels::kPackRows, 41, 0.05f);
        auto rows = quantize_rows(type, w.data(), n_cols, kernels::kPackRows);
        ASSERT_TRUE(rows.ok());
        std::vector<uint8_t> group(rows->size());
        t->pack(rows->data(), group.data(), n_cols);
        constexpr int64_t kMaxTokens = 11, kOutStride = 7;
        const int64_t x_stride = kernels::row_size(xt, n_cols) + 64;
        std::vector<uint8_t> xs(kMaxTokens * x_stride, 0xCD);
        const auto x = gaussian(kMaxTokens * n_cols, 42);
        for (int64_t k = 0; k < kMaxTokens; ++k) {
          xt.from_float(x.data() + k * n_cols, xs.data() + k * x_stride, n_cols);
          t->x_permute_packed(xs.data() + k * x_stride, n_cols);
        }
        std::vector<float> want(kMaxTokens * kernels::kPackRows);
        double magnitude = 0;
        for (int64_t k = 0; k < kMaxTokens; ++k) {
          t->vec_dot_packed(n_cols, group.data(), xs.data() + k * x_stride, want.data() + k * kernels::kPackRows);
          for (int64_t r = 0; r < kernels::kPackRows; ++r) magnitude = std::max(magnitude, double(std::fabs(want[k * kernels::kPackRows + r])));
        }
        for (int64_t n_tokens = 1; n_tokens <= kMaxTokens; ++n_tokens) {
          std::vector<float> out(kMaxTokens * kOutStride, NAN);
          t->vec_dot_packed_tokens(n_cols, group.data(), xs.data(), x_stride, n_tokens, out.data(), kOutStride);
          for (int64_t k = 0; k < kMaxTokens; ++k) {
            for (int64_t r = 0; r < kOutStride; ++r) {
              const float got = out[k * kOutStride + r];
              if (k < n_tokens && r < kernels::kPackRows) {
                EXPECT_NEAR(got, want[k * kernels::kPackRows + r], 1e-5 * magnitude + 1e-6)
                    << "tokens=" << n_tokens << " token " << k << " row " << r;
              } else {
                EXPECT_TRUE(std::isnan(got)) << "tokens=" << n_tokens << " wrote out[" << k << "][" << r << "]";
              }
            }
          }
        }
      }
    }
  }
  if (levels == 0) GTEST_SKIP() << "this CPU has no SIMD level with a packed dot over several tokens";
}

// Bands (packed_rows.h), by their definition: segment s of group g lies at band_offset(g, s), the
// segments of a band follow each other without gaps or overlaps, and group_from_band gives every
// group back byte for byte. Short last segments and bands of fewer than kBandGroups groups too.
TEST(PackedRows, BandsHoldEverySegmentOfEveryGroupWhereTheDefinitionSays) {
  const int64_t col_bytes = 5;  // any slice size: the band layout only moves whole block columns
  for (int64_t seg : {8, 32}) {
  for (int64_t nb : {1, 8, 9, 17, 35, 136}) {
    for (int64_t n_groups = 1; n_groups <= kernels::kBandGroups; ++n_groups) {
      SCOPED_TRACE("segment=" + std::to_string(seg) + " nb=" + std::to_string(nb) + " groups=" + std::to_string(n_groups));
      const kernels::BandShape shape{nb, seg, col_bytes};
      const int64_t group_bytes = nb * col_bytes;
      std::vector<uint8_t> groups(n_groups * group_bytes), band(groups.size(), 0xEE), back(group_bytes);
      for (size_t i = 0; i < groups.size(); ++i) groups[i] = static_cast<uint8_t>(i * 7 + i / 251);
      kernels::to_band(groups.data(), band.data(), n_groups, shape);
      int64_t expected_offset = 0;  // segments in order: s, then g
      for (int64_t s = 0; s * seg < nb; ++s) {
        const int64_t c0 = s * seg, len = std::min(seg, nb - c0);
        for (int64_t g = 0; g < n_groups; ++g) {
          const int64_t at = kernels::band_offset(shape, n_groups, g, s);
          ASSERT_EQ(at, expected_offset) << "s=" << s << " g=" << g;
          ASSERT_EQ(std::memcmp(band.data() + at, groups.data() + g * group_bytes + c0 * col_bytes, len * col_bytes), 0)
              << "s=" << s << " g=" << g;
          expected_offset += len * col_bytes;
        }
      }
      EXPECT_EQ(expected_offset, static_cast<int64_t>(band.size()));
      for (int64_t g = 0; g < n_groups; ++g) {
        kernels::group_from_band(band.data(), n_groups, g, back.data(), shape);
        EXPECT_EQ(std::memcmp(back.data(), groups.data() + g * group_bytes, group_bytes), 0) << "group " << g;
      }
    }
  }
  }
}

// Copies a's bytes the way WeightArena does with packing: per segment, whole groups packed (in
// bands where the type's kernels keep rows of n_cols so), the last rows % 4 plain.
std::vector<uint8_t> packed_copy(const kernels::TypeTraits& t, const uint8_t* rows, int64_t n_rows, int64_t n_cols,
                                 int64_t seg) {
  const int64_t row_bytes = kernels::row_size(t, n_cols);
  std::vector<uint8_t> out(rows, rows + n_rows * row_bytes);
  for (int64_t g = 0; g + kernels::kPackRows <= n_rows; g += kernels::kPackRows) {
    EXPECT_EQ(g / seg, (g + kernels::kPackRows - 1) / seg) << "a group straddles two segments";
    t.pack(rows + g * row_bytes, out.data() + g * row_bytes, n_cols);
  }
  const kernels::BandShape band = kernels::band_shape(t, n_cols, row_bytes);
  if (band.nb > 0) kernels::to_bands(out.data(), n_rows / kernels::kPackRows * kernels::kPackRows, row_bytes, band);
  return out;
}

TEST(PackedRows, MatrixWithPackedSegmentsGivesThePlainProducts) {
  const auto types = packed_types();
  if (types.empty()) GTEST_SKIP() << "this CPU's SIMD level has no packed kernels";
  // 42 rows: segments 0-15, 16-31, 32-41; rows 40 and 41 lie outside whole groups. 4352 columns
  // put Q4_K rows in bands: a full band at rows 0-15, one of two groups at 32-39, segments of 8, 8
  // and 1 blocks of 256.
  const int64_t n_rows = 42, seg = 16;
  for (int64_t n_cols : {512, 4352}) {
  for (TensorType type : types) {
    SCOPED_TRACE(std::string(tensor_type_name(type)) + " cols=" + std::to_string(n_cols) +
                 (kernels::band_shape(*kernels::active_traits(type), n_cols, 1).nb > 0 ? " (bands)" : ""));
    const kernels::TypeTraits& t = *kernels::active_traits(type);
    const auto w = gaussian(n_cols * n_rows, 21, 0.05f);
    auto bytes = quantize_rows(type, w.data(), n_cols, n_rows);
    ASSERT_TRUE(bytes.ok());
    auto plain = Matrix::from_tensor(type, bytes->data(), n_cols, n_rows, "plain");
    ASSERT_TRUE(plain.ok());
    const int64_t row_bytes = plain->size_bytes() / n_rows;
    const std::vector<uint8_t> copy = packed_copy(t, bytes->data(), n_rows, n_cols, seg);
    // Segments 0 and 2 moved (packed), segment 1 still read from the original bytes.
    std::atomic<const uint8_t*> slots[3];
    slots[0].store(copy.data());
    slots[1].store(nullptr);
    slots[2].store(copy.data() + 2 * seg * row_bytes);
    const Matrix moving = plain->relocatable(slots, seg, /*packed=*/true);
    // A 6-row matrix ahead of it in a group puts its rows at offset 6: groups cut by the split.
    const auto w6 = gaussian(n_cols * 6, 22, 0.05f);
    auto small = Matrix::from_floats(type, w6.data(), n_cols, 6, "small");
    ASSERT_TRUE(small.ok());
    for (int threads : {1, 2, 3}) {
      ThreadPool pool(threads);
      for (int64_t n_tokens : {1, 3, 17}) {
        SCOPED_TRACE("threads=" + std::to_string(threads) + " tokens=" + std::to_string(n_tokens));
        const auto x = gaussian(n_tokens * n_cols, 23);
        std::vector<float> want(n_tokens * n_rows), got(n_tokens * n_rows), grouped(n_tokens * n_rows),
            small_y(n_tokens * 6);
        plain->multiply(x.data(), n_tokens, want.data(), pool);
        moving.multiply(x.data(), n_tokens, got.data(), pool);
        const Matrix* group[] = {&*small, &moving};
        float* outs[] = {small_y.data(), grouped.data()};
        Matrix::multiply_group(group, outs, x.data(), n_tokens, pool);
        // Both matrices read plain rows (segment 1 of the moving one), so both take the plain
        // rows' road: sgemm from gemm_min_tokens on, the dots below it.
        const bool gemm = n_tokens > 1 && n_tokens >= t.gemm_min_tokens;
        double scale = 0;
        for (float v : want) scale = std::max(scale, static_cast<double>(std::fabs(v)));
        for (int64_t i = 0; i < n_tokens * n_rows; ++i) {
          const int64_t r = i % n_rows;
          const bool packed_row = r < 16 || (r >= 32 && r < 40);
          if (gemm || !packed_row) {
            // sgemm on unpacked rows, or the same plain dot: the very same floats.
            ASSERT_EQ(got[i], want[i]) << "row " << r;
            ASSERT_EQ(grouped[i], want[i]) << "grouped row " << r;
          } else {
            ASSERT_NEAR(got[i], want[i], 1e-5 * scale) << "row " << r;
            ASSERT_NEAR(grouped[i], want[i], 1e-5 * scale) << "grouped row " << r;
          }
        }
        // The sgemm road whatever the threshold: packed tiles dequantize to the very same floats.
        if (n_tokens > 1) {
          plain->multiply_gemm(x.data(), n_tokens, want.data(), pool);
          moving.multiply_gemm(x.data(), n_tokens, got.data(), pool);
          for (int64_t i = 0; i < n_tokens * n_rows; ++i) ASSERT_EQ(got[i], want[i]) << "sgemm row " << i % n_rows;
        }
      }
    }
    // Every segment moved: batches take the packed rows' road (the dot over several tokens where
    // the level has one), over more tokens than one chunk of a pass and a step of four leave
    // whole, and give each token's one-token products.
    // (40 rows: all in whole groups, or the two rows left over would be read plain and batches of
    // 16 tokens on would take sgemm.)
    const int64_t whole = n_rows / kernels::kPackRows * kernels::kPackRows;
    auto plain40 = Matrix::from_tensor(type, bytes->data(), n_cols, whole, "plain40");
    ASSERT_TRUE(plain40.ok());
    const std::vector<uint8_t> copy40 = packed_copy(t, bytes->data(), whole, n_cols, seg);
    std::atomic<const uint8_t*> all_slots[3];
    for (int k = 0; k < 3; ++k) all_slots[k].store(copy40.data() + k * seg * row_bytes);
    const Matrix moved = plain40->relocatable(all_slots, seg, /*packed=*/true);
    for (int threads : {1, 2}) {
      ThreadPool pool(threads);
      for (int64_t n_tokens : {5, 37}) {
        SCOPED_TRACE("all moved, threads=" + std::to_string(threads) + " tokens=" + std::to_string(n_tokens));
        if (n_tokens >= t.packed_gemm_min_tokens) continue;  // sgemm: covered above
        const auto x = gaussian(n_tokens * n_cols, 24);
        std::vector<float> want(n_tokens * whole), got(n_tokens * whole);
        for (int64_t k = 0; k < n_tokens; ++k) moved.multiply(x.data() + k * n_cols, 1, want.data() + k * whole, pool);
        moved.multiply(x.data(), n_tokens, got.data(), pool);
        double scale = 0;
        for (float v : want) scale = std::max(scale, static_cast<double>(std::fabs(v)));
        for (int64_t i = 0; i < n_tokens * whole; ++i) {
          ASSERT_NEAR(got[i], want[i], 1e-5 * scale) << "token " << i / whole << " row " << i % whole;
        }
      }
    }
    std::vector<float> row(n_cols), expect(n_cols);
    for (int64_t r : {0, 5, 15, 20, 35, 38, 41}) {
      moving.get_row(r, row.data());
      plain->get_row(r, expect.data());
      EXPECT_EQ(row, expect) << "get_row " << r;
    }
  }
  }
}

}  // namespace
}  // namespace lantern::engine
