// The forward pass and Session on small models the test writes itself (tiny_model.h): batched vs
// one-token evaluation, prefix reuse, embeddings, cancel, and bad inputs, each a one-line error.
#include "lantern/engine/session.h"

#include <gtest/gtest.h>

#include <cmath>

#include "kernels.h"
#include "lantern/engine/model.h"
#include "lantern/engine/model_params.h"
#include "test_support.h"
#include "tiny_model.h"

namespace lantern::engine {
namespace {

using lantern::engine::testing::TinySpec;
using lantern::engine::testing::write_tiny_model;

std::shared_ptr<const Model> load_tiny(const lantern::testing::TempDir& dir, const TinySpec& spec,
                                       const std::string& name = "m.gguf", int32_t n_threads = 0) {
  const std::string path = dir.file(name);
  Status st = write_tiny_model(path, spec);
  EXPECT_TRUE(st.ok()) << st.to_string();
  LoadOptions lo;
  lo.n_threads = n_threads;
  auto m = Model::load(path, lo);
  EXPECT_TRUE(m.ok()) << m.status().to_string();
  return m.ok() ? *m : nullptr;
}

std::unique_ptr<Session> new_session(std::shared_ptr<const Model> m, KvType kv = KvType::kF32, int n_batch = 256,
                                     int n_ctx = 0) {
  SessionOptions so;
  so.kv_type = kv;
  so.n_batch = n_batch;
  so.n_ctx = n_ctx;
  auto s = Session::create(std::move(m), so);
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return std::move(s).value();
}

const std::vector<int32_t> kPrompt = {1, 259, 260, 261, 262, 263, 264, 40, 41, 42, 265, 266, 100, 101, 7, 267};

double max_abs_diff(std::span<const float> a, std::span<const float> b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) m = std::max(m, double(std::fabs(a[i] - b[i])));
  return m;
}

struct ArchCase {
  const char* arch;
  TensorType type;
};

class BothArchs : public ::testing::TestWithParam<ArchCase> {};

TEST_P(BothArchs, BatchedEqualsOneTokenAtATime) {
  lantern::testing::TempDir dir;
  TinySpec spec;
  spec.arch = GetParam().arch;
  spec.type = GetParam().type;
  spec.tied = spec.arch == std::string("qwen2");
  auto model = load_tiny(dir, spec, "m.gguf", /*n_threads=*/2);  // the threaded paths too
  ASSERT_TRUE(model);
  const size_t n_vocab = model->info().n_vocab;
  auto batched = new_session(model, KvType::kF32, 5);  // 16 tokens in batches of 5
  auto all = batched->logits_all(kPrompt);
  ASSERT_TRUE(all.ok()) << all.status().to_string();
  auto single = new_session(model);
  for (size_t t = 0; t < kPrompt.size(); ++t) {
    const int32_t one[1] = {kPrompt[t]};
    ASSERT_TRUE(single->eval(one).ok());
    std::span<const float> row(all->data() + t * n_vocab, n_vocab);
    EXPECT_LT(max_abs_diff(single->logits(), row), 1e-4) << "position " << t;
  }
  // The logits are not degenerate: they vary between positions.
  std::span<const float> first(all->data(), n_vocab), last(all->data() + (kPrompt.size() - 1) * n_vocab, n_vocab);
  EXPECT_GT(max_abs_diff(first, last), 0.1);
}

// Decoding one token after a long context splits the keys across threads and merges the parts
// (forward.cpp, from 256 visible positions on); the result must match the batched path, which
// gives every thread whole heads instead.
TEST_P(BothArchs, LongContextDecodeMatchesBatched) {
  lantern::testing::TempDir dir;
  TinySpec spec;
  spec.arch = GetParam().arch;
  spec.type = GetParam().type;
  spec.n_ctx = 1024;
  spec.n_head_kv = 1;  // one KV head: decode splits the keys in 4 with 2 threads
  auto model = load_tiny(dir, spec, "m.gguf", /*n_threads=*/2);
  ASSERT_TRUE(model);
  const size_t n_vocab = model->info().n_vocab;
  std::vector<int32_t> prompt;
  for (int i = 0; i < 700; ++i) prompt.push_back(3 + (i * 37) % (testing::kTinyVocab - 3));
  // Batches of 8 (under the sgemm threshold) so both sessions quantize activations alike and
  // only the attention differs.
  auto batched = new_session(model, KvType::kF16, 8, 1024);
  auto all = batched->logits_all(prompt);
  ASSERT_TRUE(all.ok()) << all.status().to_string();
  auto decoding = new_session(model, KvType::kF16, 8, 1024);
  const std::span<const int32_t> head(prompt.data(), 600);
  ASSERT_TRUE(decoding->eval(head).ok());
  // Weights that take 8-bit activations: the two attentions differ by float rounding (1e-6), which
  // the quantized activations absorb (the logits come out the same) unless it moves one of them
  // across a rounding boundary, which moves the logits by a step (seen once, with the scalar
  // kernels: 0.077 against logits up to 6). A wrong key split or merge moves them by their size.
  const bool quantized = lantern::engine::kernels::active_traits(spec.type)->vec_dot_type != TensorType::kF32;
  for (size_t t = 600; t < prompt.size(); t += 33) {
    for (size_t u = decoding->tokens().size(); u <= t; ++u) {
      ASSERT_TRUE(decoding->eval(std::span<const int32_t>(&prompt[u], 1)).ok());
    }
    std::span<const float> row(all->data() + t * n_vocab, n_vocab);
    double scale = 0;
    for (float v : row) scale = std::max(scale, static_cast<double>(std::fabs(v)));
    EXPECT_LT(max_abs_diff(decoding->logits(), row), quantized ? 0.05 * scale : 1e-3) << "position " << t;
  }
}

TEST_P(BothArchs, PrefixReuseGivesFreshSessionLogits) {
  lantern::testing::TempDir dir;
  TinySpec spec;
  spec.arch = GetParam().arch;
  spec.type = GetParam().type;
  auto model = load_tiny(dir, spec);
  ASSERT_TRUE(model);
  std::vector<int32_t> a(kPrompt.begin(), kPrompt.begin() + 10);
  std::vector<int32_t> b = a, c = a;
  b.insert(b.end(), {300 - 30, 50, 60});
  c.insert(c.end(), {70, 80});
  auto s = new_session(model, KvType::kF16);
  ASSERT_TRUE(s->sync(b).ok());
  s->reset_timings();
  ASSERT_TRUE(s->sync(c).ok());
  EXPECT_EQ(s->timings().prompt_tokens, 2);  // only what follows the common prefix
  EXPECT_EQ(s->tokens(), c);
  auto fresh = new_session(model, KvType::kF16);
  ASSERT_TRUE(fresh->sync(c).ok());
  EXPECT_LT(max_abs_diff(s->logits(), fresh->logits()), 1e-5);
  // A prefix of what is cached: only the last token is evaluated again.
  s->reset_timings();
  ASSERT_TRUE(s->sync(a).ok());
  EXPECT_EQ(s->timings().prompt_tokens, 1);
  ASSERT_TRUE(fresh->sync(a).ok());
  EXPECT_LT(max_abs_diff(s->logits(), fresh->logits()), 1e-5);
  // The same tokens again: nothing to do.
  s->reset_timings();
  ASSERT_TRUE(s->sync(a).ok());
  EXPECT_EQ(s->timings().prompt_tokens, 0);
}

INSTANTIATE_TEST_SUITE_P(Tiny, BothArchs,
                         ::testing::Values(ArchCase{"llama", TensorType::kF32}, ArchCase{"qwen2", TensorType::kF32},
                                           ArchCase{"llama", TensorType::kQ8_0}, ArchCase{"qwen2", TensorType::kQ4_0},
                                           ArchCase{"qwen3", TensorType::kF32}),
                         [](const auto& info) {
                           return std::string(info.param.arch) + "_" +
                                  std::string(tensor_type_name(info.param.type));
                         });

TEST(Session, RopeFreqsOfOneChangeNothingAndDivisorsDo) {
  lantern::testing::TempDir dir;
  TinySpec spec;
  auto plain = load_tiny(dir, spec, "plain.gguf");
  spec.rope_freqs = true;
  auto ones = load_tiny(dir, spec, "ones.gguf");
  spec.rope_freq_divisor = 8.0f;
  auto eights = load_tiny(dir, spec, "eights.gguf");
  ASSERT_TRUE(plain && ones && eights);
  auto lp = new_session(plain)->logits_all(kPrompt);
  auto lo = new_session(ones)->logits_all(kPrompt);
  auto le = new_session(eights)->logits_all(kPrompt);
  ASSERT_TRUE(lp.ok() && lo.ok() && le.ok());
  EXPECT_LT(max_abs_diff(*lp, *lo), 1e-6);
  EXPECT_GT(max_abs_diff(*lp, *le), 1e-3);
}

TEST(Session, EmbeddingsAreNormalizedAndPoolingMatters) {
  lantern::testing::TempDir dir;
  auto model = load_tiny(dir, TinySpec{});
  ASSERT_TRUE(model);
  auto s = new_session(model);
  auto mean = s->embed(kPrompt, Pooling::kMean);
  auto last = s->embed(kPrompt, Pooling::kLast);
  auto again = s->embed(kPrompt, Pooling::kModel);  // the file says nothing: mean
  ASSERT_TRUE(mean.ok() && last.ok() && again.ok());
  ASSERT_EQ(mean->size(), 64u);
  double norm = 0;
  for (float v : *mean) norm += double(v) * v;
  EXPECT_NEAR(norm, 1.0, 1e-5);
  EXPECT_GT(max_abs_diff(*mean, *last), 1e-3);
  EXPECT_LT(max_abs_diff(*mean, *again), 1e-6);
  EXPECT_FALSE(s->embed({}, Pooling::kMean).ok());
}

TEST(Session, PromptLongerThanContextIsAClearError) {
  lantern::testing::TempDir dir;
  auto model = load_tiny(dir, TinySpec{});
  ASSERT_TRUE(model);
  auto s = new_session(model, KvType::kF16, 256, 8);
  EXPECT_EQ(s->n_ctx(), 8);
  Status st = s->eval(kPrompt);
  ASSERT_EQ(st.code(), StatusCode::kResourceLimit) << st.to_string();
  EXPECT_NE(st.message().find("exceed the context size of 8"), std::string::npos) << st.message();
  EXPECT_TRUE(s->tokens().empty());
  // The session is still usable.
  std::vector<int32_t> few(kPrompt.begin(), kPrompt.begin() + 8);
  EXPECT_TRUE(s->eval(few).ok());
  const int32_t one[1] = {5};
  EXPECT_EQ(s->eval(one).code(), StatusCode::kResourceLimit);
  EXPECT_EQ(s->tokens().size(), 8u);
}

TEST(Session, TokenOutsideVocabularyIsRejected) {
  lantern::testing::TempDir dir;
  auto model = load_tiny(dir, TinySpec{});
  ASSERT_TRUE(model);
  auto s = new_session(model);
  std::vector<int32_t> bad = {1, 5, 100000};
  Status st = s->eval(bad);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("100000"), std::string::npos) << st.message();
  EXPECT_TRUE(s->tokens().empty());
}

TEST(Session, CancelStopsEvaluationAndKeepsStateConsistent) {
  lantern::testing::TempDir dir;
  auto model = load_tiny(dir, TinySpec{});
  ASSERT_TRUE(model);
  auto s = new_session(model);
  std::atomic<bool> cancel{true};
  Status st = s->eval(kPrompt, &cancel);
  EXPECT_EQ(st.code(), StatusCode::kCancelled);
  EXPECT_TRUE(s->tokens().empty());
  EXPECT_TRUE(s->logits().empty());
  cancel = false;
  EXPECT_TRUE(s->eval(kPrompt, &cancel).ok());
  EXPECT_EQ(s->tokens().size(), kPrompt.size());
}

// Malformed models: each a one-line error naming the problem.
struct BadModelCase {
  const char* label;
  TinySpec spec;
  StatusCode code;
  const char* needle;
};

TEST(ModelLoad, BadModelsFailWithOneLineErrors) {
  TinySpec missing;
  missing.omit_tensor = "blk.1.ffn_up.weight";
  TinySpec misshaped;
  misshaped.misshape_tensor = "blk.0.attn_k.weight";
  TinySpec bad_type;
  bad_type.bad_type_tensor = "blk.0.attn_v.weight";
  TinySpec no_bias;
  no_bias.arch = "qwen2";
  no_bias.omit_tensor = "blk.0.attn_q.bias";
  TinySpec no_qk_norm;
  no_qk_norm.arch = "qwen3";
  no_qk_norm.omit_tensor = "blk.1.attn_k_norm.weight";
  TinySpec unknown_arch;
  unknown_arch.arch = "gpt9";
  const BadModelCase cases[] = {
      {"missing tensor", missing, StatusCode::kNotFound, "blk.1.ffn_up.weight"},
      {"wrong shape", misshaped, StatusCode::kCorruption, "blk.0.attn_k.weight"},
      {"unsupported type", bad_type, StatusCode::kUnsupported, "blk.0.attn_v.weight"},
      {"qwen2 without bias", no_bias, StatusCode::kNotFound, "blk.0.attn_q.bias"},
      {"qwen3 without k norm", no_qk_norm, StatusCode::kNotFound, "blk.1.attn_k_norm.weight"},
      {"unknown architecture", unknown_arch, StatusCode::kUnsupported, "gpt9"},
  };
  lantern::testing::TempDir dir;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    const std::string path = dir.file(std::string(c.label) + ".gguf");
    ASSERT_TRUE(write_tiny_model(path, c.spec).ok());
    auto m = Model::load(path);
    ASSERT_FALSE(m.ok());
    const std::string msg = m.status().message();
    EXPECT_EQ(m.status().code(), c.code) << m.status().to_string();
    EXPECT_NE(msg.find(c.needle), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    std::printf("%-22s %s\n", c.label, m.status().to_string().c_str());
  }
  auto none = Model::load(dir.file("does-not-exist.gguf"));
  EXPECT_FALSE(none.ok());
}

TEST(ModelLoad, InfoDescribesTheModel) {
  lantern::testing::TempDir dir;
  TinySpec spec;
  spec.type = TensorType::kQ8_0;
  auto model = load_tiny(dir, spec);
  ASSERT_TRUE(model);
  const ModelInfo& info = model->info();
  EXPECT_EQ(info.arch, "llama");
  EXPECT_EQ(info.name, "tiny-llama");
  EXPECT_EQ(info.n_layer, 2);
  EXPECT_EQ(info.n_head_kv, 2);
  EXPECT_EQ(info.n_vocab, testing::kTinyVocab);
  EXPECT_NE(info.quant.find("Q8_0"), std::string::npos) << info.quant;
  EXPECT_GT(info.n_params, 50000u);
  EXPECT_EQ(model->params().bos_id, testing::kTinyBos);
  EXPECT_EQ(model->params().n_layer, 2u);
}

}  // namespace
}  // namespace lantern::engine
