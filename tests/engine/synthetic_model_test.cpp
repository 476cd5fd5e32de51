// Synthetic benchmark models: the tiny shapes are written and read back through the GGUF reader
// with the right tensors, shapes, weight-type mix, sizes and tokenizer metadata.
#include "lantern/engine/synthetic_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "lantern/engine/gguf.h"
#include "lantern/engine/matrix.h"
#include "test_support.h"

namespace lantern::engine {
namespace {

TEST(SyntheticModel, Qwen2TinyQ4KMHasTheLlamaCppMix) {
  auto spec = synthetic_spec("qwen2-tiny");
  ASSERT_TRUE(spec.ok());
  testing::TempDir dir;
  const std::string path = dir.file("q.gguf");
  ASSERT_TRUE(write_synthetic_model(*spec, "Q4_K_M", path).ok());
  auto f = GgufFile::open(path);
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  const GgufFile& g = **f;
  EXPECT_EQ(*g.get_string("general.architecture"), "qwen2");
  EXPECT_EQ(*g.get_u32("qwen2.embedding_length"), 256u);
  EXPECT_EQ(*g.get_u32("qwen2.block_count"), 2u);
  EXPECT_EQ(*g.get_u32("general.file_type"), 15u);
  // Tied embeddings: no output.weight, token_embd in Q6_K; Q/K/V biases present.
  EXPECT_EQ(g.find_tensor("output.weight"), nullptr);
  ASSERT_NE(g.find_tensor("token_embd.weight"), nullptr);
  EXPECT_EQ(g.find_tensor("token_embd.weight")->type, TensorType::kQ6_K);
  EXPECT_EQ(g.find_tensor("token_embd.weight")->ne[1], 1000);
  ASSERT_NE(g.find_tensor("blk.1.attn_k.bias"), nullptr);
  EXPECT_EQ(g.find_tensor("blk.1.attn_k.bias")->ne[0], 128);  // 2 KV heads of 64
  EXPECT_EQ(g.find_tensor("blk.0.attn_q.weight")->type, TensorType::kQ4_K);
  EXPECT_EQ(g.find_tensor("blk.0.ffn_down.weight")->type, TensorType::kQ4_K);
  EXPECT_EQ(g.find_tensor("blk.1.ffn_down.weight")->type, TensorType::kQ6_K);  // last eighth
  EXPECT_EQ(g.find_tensor("blk.0.ffn_down.weight")->ne[0], 512);
  EXPECT_EQ(g.find_tensor("blk.0.attn_norm.weight")->type, TensorType::kF32);
  uint64_t weight_bytes = 0;
  for (const auto& t : g.tensors()) weight_bytes += t.n_bytes;
  EXPECT_EQ(weight_bytes, *synthetic_model_bytes(*spec, "Q4_K_M"));
  // Tokenizer: real-size vocabulary with the specials at the end, merges of existing tokens.
  auto tokens = g.get_string_array("tokenizer.ggml.tokens");
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->size(), 1000u);
  std::set<std::string_view> unique(tokens->begin(), tokens->end());
  EXPECT_EQ(unique.size(), 1000u);
  EXPECT_EQ((*tokens)[999], "<|im_end|>");
  EXPECT_EQ(*g.get_u32("tokenizer.ggml.eos_token_id"), 999u);
  auto merges = g.get_string_array("tokenizer.ggml.merges");
  ASSERT_TRUE(merges.ok());
  EXPECT_EQ(merges->size(), 1000u - 256 - 3);
  for (std::string_view m : *merges) {
    const size_t sp = m.find(' ', 1);
    ASSERT_NE(sp, std::string_view::npos);
    std::string joined = std::string(m.substr(0, sp)) + std::string(m.substr(sp + 1));
    EXPECT_TRUE(unique.count(joined)) << m;
  }
  // The weights are usable: a row of the embedding dequantizes to small finite values.
  const GgufTensor* e = g.find_tensor("token_embd.weight");
  auto m = Matrix::from_tensor(e->type, e->data, e->ne[0], e->ne[1], e->name);
  ASSERT_TRUE(m.ok());
  std::vector<float> row(256);
  m->get_row(500, row.data());
  for (float v : row) ASSERT_TRUE(std::isfinite(v) && std::fabs(v) < 1.0f);
}

TEST(SyntheticModel, LlamaTinyInEveryMix) {
  auto spec = synthetic_spec("llama-tiny");
  ASSERT_TRUE(spec.ok());
  testing::TempDir dir;
  const std::pair<const char*, TensorType> mixes[] = {
      {"Q4_K_M", TensorType::kQ4_K}, {"Q8_0", TensorType::kQ8_0}, {"F16", TensorType::kF16}};
  for (const auto& [quant, main_type] : mixes) {
    const std::string path = dir.file(std::string(quant) + ".gguf");
    ASSERT_TRUE(write_synthetic_model(*spec, quant, path).ok()) << quant;
    auto f = GgufFile::open(path);
    ASSERT_TRUE(f.ok()) << f.status().to_string();
    EXPECT_EQ((*f)->find_tensor("blk.1.ffn_up.weight")->type, main_type) << quant;
    ASSERT_NE((*f)->find_tensor("output.weight"), nullptr);
    EXPECT_EQ((*f)->find_tensor("blk.0.attn_q.bias"), nullptr);
    EXPECT_EQ(*(*f)->get_u32("tokenizer.ggml.bos_token_id"), 990u);
  }
}

TEST(SyntheticModel, UnknownShapeAndMixAreErrors) {
  EXPECT_EQ(synthetic_spec("gpt-5").status().code(), StatusCode::kInvalidArgument);
  auto spec = synthetic_spec("qwen2-1.5b");
  ASSERT_TRUE(spec.ok());
  EXPECT_FALSE(synthetic_model_bytes(*spec, "Q3_K_S").ok());
  // The real shape's Q4_K_M size is what llama.cpp files of that model weigh (about 1.1 GB).
  const double gb = *synthetic_model_bytes(*spec, "Q4_K_M") / 1e9;
  EXPECT_GT(gb, 0.9);
  EXPECT_LT(gb, 1.3);
}

}  // namespace
}  // namespace lantern::engine
