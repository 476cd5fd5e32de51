// Session::generate on a tiny model the test writes: greedy equals a manual argmax loop, seeded
// sampling is reproducible, stop strings cut the text, cancel takes effect within one token, and
// a request that cannot fit the context is refused up front.
#include <gtest/gtest.h>

#include <thread>

#include "lantern/engine/model.h"
#include "lantern/engine/tokenizer.h"
#include "lantern/engine/session.h"
#include "test_support.h"
#include "tiny_model.h"

namespace lantern::engine {
namespace {

using lantern::engine::testing::TinySpec;

class Generate : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::write_tiny_model(dir_.file("m.gguf"), TinySpec{}).ok());
    auto m = Model::load(dir_.file("m.gguf"));
    ASSERT_TRUE(m.ok()) << m.status().to_string();
    model_ = *m;
  }
  std::unique_ptr<Session> session(int n_ctx = 64) {
    SessionOptions so;
    so.n_ctx = n_ctx;
    so.kv_type = KvType::kF32;
    auto s = Session::create(model_, so);
    EXPECT_TRUE(s.ok());
    return std::move(s).value();
  }
  static SamplerParams greedy() {
    SamplerParams p;
    p.temperature = 0;
    p.repeat_penalty = 1;
    return p;
  }
  lantern::testing::TempDir dir_;
  std::shared_ptr<const Model> model_;
  const std::vector<int32_t> prompt_ = {1, 259, 260, 261, 262};
};

TEST_F(Generate, GreedyEqualsManualArgmaxLoop) {
  auto s = session();
  ASSERT_TRUE(s->eval(prompt_).ok());
  std::string streamed;
  auto gen = s->generate(greedy(), 12, [&](std::string_view p) { streamed += p; });
  ASSERT_TRUE(gen.ok()) << gen.status().to_string();
  EXPECT_EQ(gen->stop, StopReason::kMaxTokens);
  EXPECT_EQ(streamed, gen->text);
  EXPECT_EQ(s->timings().generated_tokens, static_cast<int64_t>(gen->tokens.size()));

  auto manual = session();
  ASSERT_TRUE(manual->eval(prompt_).ok());
  std::vector<int32_t> expected;
  for (size_t i = 0; i < gen->tokens.size(); ++i) {
    const int32_t id = argmax(manual->logits());
    expected.push_back(id);
    const int32_t one[1] = {id};
    ASSERT_TRUE(manual->eval(one).ok());
  }
  EXPECT_EQ(gen->tokens, expected);
  ASSERT_EQ(gen->tokens.size(), 12u);
  EXPECT_EQ(model_->tokenizer().decode(gen->tokens), gen->text);
  // Every token but the last was evaluated: the cache holds prompt + 11.
  EXPECT_EQ(s->tokens().size(), prompt_.size() + 11);
}

TEST_F(Generate, SameSeedSameTextDifferentSeedDifferentText) {
  SamplerParams p;
  p.temperature = 1.5f;
  p.top_k = 0;
  p.top_p = 1.0f;
  std::vector<std::vector<int32_t>> runs;
  for (uint64_t seed : {42u, 42u, 43u}) {
    p.seed = seed;
    auto s = session();
    ASSERT_TRUE(s->eval(prompt_).ok());
    auto gen = s->generate(p, 20, nullptr);
    ASSERT_TRUE(gen.ok());
    runs.push_back(gen->tokens);
  }
  EXPECT_EQ(runs[0], runs[1]);
  EXPECT_NE(runs[0], runs[2]);
}

TEST_F(Generate, StopStringEndsTheTextBeforeIt) {
  auto s = session();
  ASSERT_TRUE(s->eval(prompt_).ok());
  auto full = s->generate(greedy(), 16, nullptr);
  ASSERT_TRUE(full.ok());
  ASSERT_GE(full->text.size(), 6u);
  const std::string stop = full->text.substr(full->text.size() / 2, 2);
  ASSERT_TRUE(s->sync(prompt_).ok());
  SamplerParams p = greedy();
  p.stop = {stop};
  std::string streamed;
  auto cut = s->generate(p, 16, [&](std::string_view piece) { streamed += piece; });
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->stop, StopReason::kStopString);
  EXPECT_EQ(cut->text, full->text.substr(0, full->text.find(stop)));
  EXPECT_EQ(streamed, cut->text);
}

TEST_F(Generate, CancelFromTheCallbackStopsWithinOneToken) {
  auto s = session();
  ASSERT_TRUE(s->eval(prompt_).ok());
  std::atomic<bool> cancel{false};
  int pieces = 0;
  auto gen = s->generate(greedy(), 30, [&](std::string_view) {
    ++pieces;
    cancel = true;
  }, &cancel);
  ASSERT_TRUE(gen.ok());
  EXPECT_EQ(gen->stop, StopReason::kCancelled);
  EXPECT_LE(gen->tokens.size(), 2u);
  // The session stays usable.
  ASSERT_TRUE(s->sync(prompt_).ok());
  EXPECT_TRUE(s->generate(greedy(), 2, nullptr).ok());
}

TEST_F(Generate, CancelFromAnotherThread) {
  auto s = session(128);
  ASSERT_TRUE(s->eval(prompt_).ok());
  std::atomic<bool> cancel{false};
  std::atomic<int> seen{0};
  int64_t tokens_at_cancel = -1;
  std::thread canceller([&] {
    while (seen.load() < 3) std::this_thread::yield();
    cancel = true;
  });
  // The third piece waits until the other thread has set the flag, so the test does not depend
  // on how the two threads are scheduled; what it checks is how soon generation notices.
  auto gen = s->generate(greedy(), -1, [&](std::string_view) {
    if (++seen == 3) {
      while (!cancel.load()) std::this_thread::yield();
      tokens_at_cancel = s->timings().generated_tokens;  // same thread as generate()
    }
  }, &cancel);
  canceller.join();
  ASSERT_TRUE(gen.ok());
  EXPECT_EQ(gen->stop, StopReason::kCancelled);
  EXPECT_EQ(static_cast<int64_t>(gen->tokens.size()), tokens_at_cancel);
}

TEST_F(Generate, RequestBeyondTheContextIsRefusedUpFront) {
  auto s = session(16);
  ASSERT_TRUE(s->eval(prompt_).ok());
  auto gen = s->generate(greedy(), 12, nullptr);
  ASSERT_FALSE(gen.ok());
  EXPECT_EQ(gen.status().code(), StatusCode::kResourceLimit);
  EXPECT_NE(gen.status().message().find("context size of 16"), std::string::npos) << gen.status().message();
  // Unbounded generation stops when the context is full.
  auto all = s->generate(greedy(), -1, nullptr);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->stop, StopReason::kContextFull);
  EXPECT_EQ(s->tokens().size(), 16u);
  // Nothing evaluated: an error, not a crash.
  auto empty = session();
  EXPECT_EQ(empty->generate(greedy(), 4, nullptr).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lantern::engine
