#include "lantern/engine/tensor_type.h"

#include <gtest/gtest.h>

namespace lantern::engine {
namespace {

TEST(TensorType, BlockLayouts) {
  struct Case { uint32_t id; const char* name; uint32_t block, bytes; };
  const Case cases[] = {
      {0, "F32", 1, 4}, {1, "F16", 1, 2}, {30, "BF16", 1, 2}, {2, "Q4_0", 32, 18}, {3, "Q4_1", 32, 20},
      {6, "Q5_0", 32, 22}, {7, "Q5_1", 32, 24}, {8, "Q8_0", 32, 34}, {10, "Q2_K", 256, 84},
      {11, "Q3_K", 256, 110}, {12, "Q4_K", 256, 144}, {13, "Q5_K", 256, 176}, {14, "Q6_K", 256, 210},
      {15, "Q8_K", 256, 292},
  };
  for (const auto& c : cases) {
    auto info = tensor_type_info(c.id);
    ASSERT_TRUE(info) << c.name;
    EXPECT_EQ(info->name, c.name);
    EXPECT_EQ(info->block_size, c.block) << c.name;
    EXPECT_EQ(info->type_size, c.bytes) << c.name;
  }
  EXPECT_FALSE(tensor_type_info(4));   // removed Q4_2
  EXPECT_FALSE(tensor_type_info(999));
}

TEST(TensorType, RowBytes) {
  EXPECT_EQ(tensor_row_bytes(TensorType::kQ4_K, 512), 288u);
  EXPECT_FALSE(tensor_row_bytes(TensorType::kQ4_K, 100));
  EXPECT_EQ(tensor_row_bytes(TensorType::kF16, 3), 6u);
}

}  // namespace
}  // namespace lantern::engine
