// GgufWriter round trips through the project's GGUF reader: every metadata type, arrays, tensors of
// several types at the requested alignment, fill callbacks, written files; and its input checks.
#include "lantern/engine/gguf_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "lantern/engine/gguf.h"
#include "lantern/engine/matrix.h"
#include "lantern/engine/quant.h"
#include "test_support.h"

namespace lantern::engine {
namespace {

std::vector<float> ramp(size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = std::sin(0.37f * i) * 2.0f;
  return v;
}

TEST(GgufWriter, MetadataOfEveryTypeRoundTrips) {
  GgufWriter w;
  w.set_u8("a.u8", 200);
  w.set_i8("a.i8", -100);
  w.set_u16("a.u16", 60000);
  w.set_i16("a.i16", -30000);
  w.set_u32("a.u32", 4000000000u);
  w.set_i32("a.i32", -2000000000);
  w.set_u64("a.u64", 1ull << 40);
  w.set_i64("a.i64", -(1ll << 40));
  w.set_f32("a.f32", 1.5f);
  w.set_f64("a.f64", 2.25);
  w.set_bool("a.bool", true);
  w.set_string("a.str", "héllo");
  w.set_string_array("a.strs", {"<s>", "", "▁the"});
  w.set_f32_array("a.f32s", {0.5f, -1.0f});
  w.set_i32_array("a.i32s", {1, -2, 3});
  w.set_u32_array("a.u32s", {7});
  w.set_i64_array("a.i64s", {-5, 5});
  w.set_string("a.str", "replaced");  // same key again: replaced in place
  auto bytes = w.to_bytes();
  ASSERT_TRUE(bytes.ok());
  auto f = GgufFile::open_memory(*bytes, "w.gguf");
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  const GgufFile& g = **f;
  EXPECT_EQ(g.version(), 3u);
  EXPECT_EQ(g.metadata_keys().size(), 17u);
  EXPECT_EQ(g.metadata_keys()[11], "a.str");
  EXPECT_EQ(*g.value_type("a.u8"), GgufType::kU8);
  EXPECT_EQ(g.find("a.u8")->u, 200u);
  EXPECT_EQ(g.find("a.i8")->i, -100);
  EXPECT_EQ(g.find("a.u16")->u, 60000u);
  EXPECT_EQ(g.find("a.i16")->i, -30000);
  EXPECT_EQ(*g.get_u32("a.u32"), 4000000000u);
  EXPECT_EQ(*g.get_i32("a.i32"), -2000000000);
  EXPECT_EQ(*g.get_u64("a.u64"), 1ull << 40);
  EXPECT_EQ(*g.get_i64("a.i64"), -(1ll << 40));
  EXPECT_EQ(*g.get_f32("a.f32"), 1.5f);
  EXPECT_EQ(*g.get_f64("a.f64"), 2.25);
  EXPECT_EQ(*g.get_bool("a.bool"), true);
  EXPECT_EQ(*g.get_string("a.str"), "replaced");
  auto strs = g.get_string_array("a.strs");
  ASSERT_TRUE(strs.ok());
  ASSERT_EQ(strs->size(), 3u);
  EXPECT_EQ((*strs)[0], "<s>");
  EXPECT_EQ((*strs)[1], "");
  EXPECT_EQ((*strs)[2], "▁the");
  EXPECT_EQ(*g.get_f32_array("a.f32s"), (std::vector<float>{0.5f, -1.0f}));
  EXPECT_EQ(*g.get_i32_array("a.i32s"), (std::vector<int32_t>{1, -2, 3}));
  EXPECT_EQ(*g.get_i64_array("a.u32s"), (std::vector<int64_t>{7}));
  EXPECT_EQ(*g.get_i64_array("a.i64s"), (std::vector<int64_t>{-5, 5}));
}

TEST(GgufWriter, TensorsRoundTripAlignedOnDisk) {
  const uint32_t alignments[] = {32, 64, 4096};
  for (uint32_t align : alignments) {
    GgufWriter w;
    ASSERT_TRUE(w.set_alignment(align).ok());
    w.set_string("general.architecture", "llama");
    const auto values = ramp(512 * 3);
    ASSERT_TRUE(w.add_tensor_from_floats("w.q4k", TensorType::kQ4_K, {512, 3}, values.data()).ok());
    ASSERT_TRUE(w.add_tensor_from_floats("w.f32", TensorType::kF32, {7}, values.data()).ok());
    ASSERT_TRUE(w.add_tensor_from_floats("w.q8", TensorType::kQ8_0, {64, 2, 3}, values.data()).ok());
    int fill_calls = 0;
    ASSERT_TRUE(w.add_tensor("w.filled", TensorType::kF16, {5},
                             [&](uint8_t* dst, uint64_t n) {
                               ++fill_calls;
                               for (uint64_t i = 0; i < n; ++i) dst[i] = static_cast<uint8_t>(i + 1);
                               return ok_status();
                             })
                    .ok());
    EXPECT_EQ(w.tensor_count(), 4u);
    testing::TempDir dir;
    const std::string path = dir.file("m.gguf");
    ASSERT_TRUE(w.write(path).ok());
    EXPECT_EQ(fill_calls, 1);
    auto f = GgufFile::open(path);
    ASSERT_TRUE(f.ok()) << f.status().to_string();
    const GgufFile& g = **f;
    EXPECT_EQ(g.alignment(), align);
    ASSERT_EQ(g.tensors().size(), 4u);
    for (const auto& t : g.tensors()) {
      EXPECT_EQ(t.offset % align, 0u) << t.name << " align " << align;
    }
    const GgufTensor* q = g.find_tensor("w.q4k");
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q->type, TensorType::kQ4_K);
    EXPECT_EQ(q->ne[0], 512);
    EXPECT_EQ(q->ne[1], 3);
    EXPECT_EQ(q->n_bytes, 3u * 288);
    auto expect = quantize_rows(TensorType::kQ4_K, values.data(), 512, 3);
    ASSERT_TRUE(expect.ok());
    EXPECT_EQ(0, std::memcmp(q->data, expect->data(), expect->size()));
    const GgufTensor* f32 = g.find_tensor("w.f32");
    ASSERT_NE(f32, nullptr);
    EXPECT_EQ(0, std::memcmp(f32->data, values.data(), 7 * sizeof(float)));
    const GgufTensor* q8 = g.find_tensor("w.q8");
    ASSERT_NE(q8, nullptr);
    EXPECT_EQ(q8->n_dims, 3u);
    EXPECT_EQ(q8->ne[2], 3);
    const GgufTensor* filled = g.find_tensor("w.filled");
    ASSERT_NE(filled, nullptr);
    EXPECT_EQ(filled->data[9], 10);
    // The tensor data feeds a Matrix directly (no copy).
    auto m = Matrix::from_tensor(q->type, q->data, q->ne[0], q->ne[1], q->name);
    ASSERT_TRUE(m.ok());
    std::vector<float> row(512);
    m->get_row(2, row.data());
    double err = 0, ref = 0;
    for (int i = 0; i < 512; ++i) {
      err += std::pow(row[i] - values[1024 + i], 2);
      ref += std::pow(values[1024 + i], 2);
    }
    EXPECT_LT(std::sqrt(err / ref), 0.12);
  }
}

TEST(GgufWriter, RejectsBadTensors) {
  GgufWriter w;
  std::vector<float> v(1024);
  EXPECT_FALSE(w.add_tensor_from_floats("", TensorType::kF32, {4}, v.data()).ok());
  EXPECT_FALSE(w.add_tensor_from_floats(std::string(64, 'x'), TensorType::kF32, {4}, v.data()).ok());
  EXPECT_TRUE(w.add_tensor_from_floats(std::string(63, 'x'), TensorType::kF32, {4}, v.data()).ok());
  EXPECT_FALSE(w.add_tensor_from_floats(std::string(63, 'x'), TensorType::kF32, {4}, v.data()).ok());  // dup
  EXPECT_FALSE(w.add_tensor_from_floats("a", TensorType::kQ4_K, {100}, v.data()).ok());
  EXPECT_FALSE(w.add_tensor_from_floats("b", TensorType::kF32, {4, 0}, v.data()).ok());
  EXPECT_FALSE(w.add_tensor_from_floats("c", TensorType::kF32, {1, 1, 1, 1, 1}, v.data()).ok());
  auto st = w.add_tensor("d", TensorType::kF16, {8}, std::vector<uint8_t>(15));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("16"), std::string::npos) << st.message();
  EXPECT_FALSE(w.set_alignment(64).ok());  // after tensors
  GgufWriter w2;
  EXPECT_FALSE(w2.set_alignment(48).ok());
}

TEST(GgufWriter, FillErrorAbortsWriteAndLeavesNoFile) {
  GgufWriter w;
  ASSERT_TRUE(w.add_tensor("t", TensorType::kF32, {4},
                           [](uint8_t*, uint64_t) { return Status::internal("generator failed"); })
                  .ok());
  testing::TempDir dir;
  const std::string path = dir.file("bad.gguf");
  Status st = w.write(path);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("generator failed"), std::string::npos);
  EXPECT_NE(st.message().find("'t'"), std::string::npos);
  FILE* f = std::fopen(path.c_str(), "rb");
  EXPECT_EQ(f, nullptr);
  if (f) std::fclose(f);
  f = std::fopen((path + ".tmp").c_str(), "rb");
  EXPECT_EQ(f, nullptr);
  if (f) std::fclose(f);
}

TEST(GgufWriter, WriteToMissingDirectoryFails) {
  GgufWriter w;
  Status st = w.write("/nonexistent-dir-lantern/x.gguf");
  EXPECT_EQ(st.code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace lantern::engine
