// Matrix: shape and type checks, y = x W^T against a float64 reference for every type, thread
// counts and batch sizes, and get_row.
#include "lantern/engine/matrix.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kernels.h"
#include "lantern/engine/quant.h"
#include "test_support.h"

namespace lantern::engine {
namespace {

using lantern::testing::gaussian;

TEST(Matrix, UnsupportedTypeNamesTensorAndType) {
  std::vector<uint8_t> bytes(1024);
  auto m = Matrix::from_tensor(TensorType::kQ8_1, bytes.data(), 32, 4, "blk.0.ffn_up.weight");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(m.status().message().find("blk.0.ffn_up.weight"), std::string::npos) << m.status().message();
  EXPECT_NE(m.status().message().find("Q8_1"), std::string::npos) << m.status().message();
  EXPECT_FALSE(Matrix::from_tensor(TensorType::kI32, bytes.data(), 4, 4, "x").ok());
}

TEST(Matrix, RejectsBadShapes) {
  std::vector<uint8_t> bytes(4096);
  auto m = Matrix::from_tensor(TensorType::kQ4_K, bytes.data(), 100, 2, "w");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("100"), std::string::npos);
  EXPECT_FALSE(Matrix::from_tensor(TensorType::kF32, bytes.data(), 0, 2, "w").ok());
  EXPECT_FALSE(Matrix::from_tensor(TensorType::kF32, bytes.data(), 4, -1, "w").ok());
  EXPECT_FALSE(Matrix::from_tensor(TensorType::kF32, nullptr, 4, 4, "w").ok());
}

struct Case {
  TensorType type;
  double tol;  // allowed |y - ref| relative to the RMS of ref
};
const Case kCases[] = {
    {TensorType::kF32, 1e-5},  {TensorType::kF16, 1e-5},  {TensorType::kBF16, 1e-5},
    {TensorType::kQ8_0, 0.02}, {TensorType::kQ4_0, 0.02}, {TensorType::kQ4_1, 0.02},
    {TensorType::kQ5_0, 0.02}, {TensorType::kQ5_1, 0.02}, {TensorType::kQ2_K, 0.02},
    {TensorType::kQ3_K, 0.02}, {TensorType::kQ4_K, 0.02}, {TensorType::kQ5_K, 0.02},
    {TensorType::kQ6_K, 0.02},
};

TEST(Matrix, MultiplyMatchesReferenceForEveryTypeThreadCountAndBatch) {
  const int64_t n_cols = 512, n_rows = 67;  // odd row count: uneven split across threads
  const auto w = gaussian(n_cols * n_rows, 1);
  ThreadPool pools[] = {ThreadPool(1), ThreadPool(2), ThreadPool(3)};
  for (const auto& c : kCases) {
    auto m = Matrix::from_floats(c.type, w.data(), n_cols, n_rows, "w");
    ASSERT_TRUE(m.ok()) << m.status().to_string();
    EXPECT_EQ(m->rows(), n_rows);
    EXPECT_EQ(m->cols(), n_cols);
    EXPECT_EQ(m->type(), c.type);
    std::vector<float> wd(n_cols * n_rows);
    for (int64_t r = 0; r < n_rows; ++r) m->get_row(r, wd.data() + r * n_cols);
    for (int64_t n_tokens : {1, 3, 17}) {
      const auto x = gaussian(n_tokens * n_cols, 100 + n_tokens, 0.5f);
      std::vector<double> ref(n_tokens * n_rows);
      double ref_ss = 0;
      for (int64_t t = 0; t < n_tokens; ++t) {
        for (int64_t r = 0; r < n_rows; ++r) {
          double s = 0;
          for (int64_t k = 0; k < n_cols; ++k) s += double(wd[r * n_cols + k]) * x[t * n_cols + k];
          ref[t * n_rows + r] = s;
          ref_ss += s * s;
        }
      }
      const double ref_rms = std::sqrt(ref_ss / ref.size());
      for (auto& pool : pools) {
        std::vector<float> y(n_tokens * n_rows, NAN);
        m->multiply(x.data(), n_tokens, y.data(), pool);
        double max_err = 0;
        for (size_t i = 0; i < y.size(); ++i) max_err = std::max(max_err, std::fabs(y[i] - ref[i]));
        EXPECT_LT(max_err, c.tol * ref_rms * 4) << tensor_type_name(c.type) << " tokens=" << n_tokens
                                                << " threads=" << pool.size();
      }
    }
  }
}

// A batch below the kernel table's sgemm threshold runs the single-token dot products, token by
// token: the very same floats as one product per token. At the AVX-512 level Q4_K and Q6_K batches
// never take sgemm (their 8-bit dots are faster at every batch size); plain Q8_0 and float rows
// take it from 16 tokens on.
TEST(Matrix, BatchesTakeTheRoadTheKernelTableSays) {
  const int64_t n_cols = 512, n_rows = 40, n_tokens = 24;
  if (kernels::active_simd_level() == kernels::SimdLevel::kAvx512) {
    EXPECT_EQ(kernels::active_traits(TensorType::kQ4_K)->gemm_min_tokens, kernels::kNeverGemm);
    EXPECT_EQ(kernels::active_traits(TensorType::kQ6_K)->gemm_min_tokens, kernels::kNeverGemm);
    EXPECT_EQ(kernels::active_traits(TensorType::kQ8_0)->gemm_min_tokens, kernels::kGemmMinTokens);
    EXPECT_EQ(kernels::active_traits(TensorType::kQ8_0)->packed_gemm_min_tokens, kernels::kNeverGemm);
  }
  ThreadPool pool(2);
  for (TensorType type : {TensorType::kQ4_K, TensorType::kQ6_K, TensorType::kQ8_0, TensorType::kF16}) {
    SCOPED_TRACE(tensor_type_name(type));
    const auto w = gaussian(n_cols * n_rows, 31);
    auto m = Matrix::from_floats(type, w.data(), n_cols, n_rows, "w");
    ASSERT_TRUE(m.ok());
    const auto x = gaussian(n_tokens * n_cols, 32);
    std::vector<float> batch(n_tokens * n_rows), one(n_rows);
    m->multiply(x.data(), n_tokens, batch.data(), pool);
    const bool dots = n_tokens < kernels::active_traits(type)->gemm_min_tokens;
    int64_t same = 0;
    for (int64_t t = 0; t < n_tokens; ++t) {
      m->multiply(x.data() + t * n_cols, 1, one.data(), pool);
      for (int64_t r = 0; r < n_rows; ++r) same += batch[t * n_rows + r] == one[r];
    }
    if (dots) {
      EXPECT_EQ(same, n_tokens * n_rows);
    } else {
      EXPECT_LT(same, n_tokens * n_rows) << "sgemm rounds differently from the dots somewhere";
    }
  }
}

TEST(Matrix, GetRowDequantizesTheRightRow) {
  const int64_t n_cols = 256, n_rows = 5;
  const auto w = gaussian(n_cols * n_rows, 9);
  auto bytes = quantize_rows(TensorType::kQ4_K, w.data(), n_cols, n_rows);
  ASSERT_TRUE(bytes.ok());
  auto m = Matrix::from_tensor(TensorType::kQ4_K, bytes->data(), n_cols, n_rows, "tok_embd");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->size_bytes(), static_cast<int64_t>(bytes->size()));
  std::vector<float> row(n_cols), expect(n_cols);
  m->get_row(3, row.data());
  ASSERT_TRUE(dequantize_row(TensorType::kQ4_K, bytes->data() + 3 * 144, expect.data(), n_cols).ok());
  EXPECT_EQ(row, expect);
}

// A group (q/k/v, gate/up) is one parallel job over all rows, with one activation quantization per
// layout; every output must equal that matrix's own multiply, bit for bit, whatever the mix of
// types (Q4_K's kernel may want its activations permuted, Q6_K's not), thread count and batch.
TEST(Matrix, GroupMultiplyEqualsSeparateProducts) {
  const int64_t n_cols = 512;
  const struct {
    TensorType type;
    int64_t rows;
  } members[] = {{TensorType::kQ4_K, 67}, {TensorType::kQ6_K, 32}, {TensorType::kQ8_0, 16}, {TensorType::kF16, 5},
                 {TensorType::kQ4_K, 48}};
  std::vector<Matrix> mats;
  for (size_t i = 0; i < std::size(members); ++i) {
    const auto w = gaussian(n_cols * members[i].rows, 40 + i);
    auto m = Matrix::from_floats(members[i].type, w.data(), n_cols, members[i].rows, "w" + std::to_string(i));
    ASSERT_TRUE(m.ok()) << m.status().to_string();
    mats.push_back(std::move(m).value());
  }
  std::vector<const Matrix*> group;
  for (const auto& m : mats) group.push_back(&m);
  ThreadPool pools[] = {ThreadPool(1), ThreadPool(2), ThreadPool(3)};
  for (int64_t n_tokens : {1, 3, 17}) {
    const auto x = gaussian(n_tokens * n_cols, 7 + n_tokens);
    for (auto& pool : pools) {
      std::vector<std::vector<float>> together(mats.size()), alone(mats.size());
      std::vector<float*> outs;
      for (size_t i = 0; i < mats.size(); ++i) {
        together[i].assign(n_tokens * mats[i].rows(), NAN);
        alone[i].assign(n_tokens * mats[i].rows(), NAN);
        outs.push_back(together[i].data());
        mats[i].multiply(x.data(), n_tokens, alone[i].data(), pool);
      }
      Matrix::multiply_group(group, outs, x.data(), n_tokens, pool);
      for (size_t i = 0; i < mats.size(); ++i) {
        EXPECT_EQ(together[i], alone[i]) << "member " << i << " (" << tensor_type_name(members[i].type)
                                         << ") tokens=" << n_tokens << " threads=" << pool.size();
      }
    }
  }
}

// A relocatable matrix reads each segment from the address its slot holds once set, and from the
// original bytes before: with segment 1 pointed at another matrix's rows, those rows (and only
// those) give the other matrix's products, on the matvec, the grouped and the sgemm paths.
TEST(Matrix, RelocatableReadsEachSegmentFromItsSlot) {
  const int64_t n_cols = 256, n_rows = 40, seg = 16;  // segments: rows 0-15, 16-31, 32-39
  for (TensorType type : {TensorType::kF32, TensorType::kQ8_0, TensorType::kQ4_K}) {
    SCOPED_TRACE(tensor_type_name(type));
    const auto wa = gaussian(n_cols * n_rows, 1), wb = gaussian(n_cols * n_rows, 2);
    auto a_bytes = quantize_rows(type, wa.data(), n_cols, n_rows);
    auto b_bytes = quantize_rows(type, wb.data(), n_cols, n_rows);
    ASSERT_TRUE(a_bytes.ok() && b_bytes.ok());
    auto a = Matrix::from_tensor(type, a_bytes->data(), n_cols, n_rows, "a");
    auto b = Matrix::from_tensor(type, b_bytes->data(), n_cols, n_rows, "b");
    ASSERT_TRUE(a.ok() && b.ok());
    const int64_t row_bytes = a->size_bytes() / n_rows;
    std::atomic<const uint8_t*> slots[3];
    for (auto& s : slots) s.store(nullptr);
    const Matrix moving = a->relocatable(slots, seg);
    ThreadPool pool(2);
    for (int64_t n_tokens : {1, 3, 17}) {
      SCOPED_TRACE("tokens=" + std::to_string(n_tokens));
      const auto x = gaussian(n_tokens * n_cols, 3);
      std::vector<float> ya(n_tokens * n_rows), yb(n_tokens * n_rows), y(n_tokens * n_rows), yg(n_tokens * n_rows);
      a->multiply(x.data(), n_tokens, ya.data(), pool);
      b->multiply(x.data(), n_tokens, yb.data(), pool);
      slots[1].store(nullptr);
      moving.multiply(x.data(), n_tokens, y.data(), pool);
      EXPECT_EQ(y, ya) << "no slot set: the original bytes";
      slots[1].store(b_bytes->data() + seg * row_bytes);
      moving.multiply(x.data(), n_tokens, y.data(), pool);
      const Matrix* group[] = {&moving};
      float* outs[] = {yg.data()};
      Matrix::multiply_group(group, outs, x.data(), n_tokens, pool);
      for (int64_t t = 0; t < n_tokens; ++t) {
        for (int64_t r = 0; r < n_rows; ++r) {
          const bool moved = r >= seg && r < 2 * seg;
          const float want = (moved ? yb : ya)[t * n_rows + r];
          ASSERT_EQ(y[t * n_rows + r], want) << "row " << r << " token " << t;
          ASSERT_EQ(yg[t * n_rows + r], want) << "grouped: row " << r << " token " << t;
        }
      }
    }
    std::vector<float> row(n_cols), want(n_cols);
    moving.get_row(20, row.data());
    b->get_row(20, want.data());
    EXPECT_EQ(row, want);
    moving.get_row(33, row.data());
    a->get_row(33, want.data());
    EXPECT_EQ(row, want);
  }
}

}  // namespace
}  // namespace lantern::engine
