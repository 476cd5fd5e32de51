// Sampler and StopMatcher: greedy, penalties, top-k/top-p/min-p cuts, seeded reproducibility,
// the drawn distribution against softmax, and stop strings split across pieces.
#include "lantern/engine/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "lantern/engine/stop_matcher.h"

namespace lantern::engine {
namespace {

SamplerParams greedy() {
  SamplerParams p;
  p.temperature = 0.0f;
  p.repeat_penalty = 1.0f;
  return p;
}

TEST(Sampler, DefaultsAreOllamas) {
  SamplerParams p;
  EXPECT_FLOAT_EQ(p.temperature, 0.8f);
  EXPECT_EQ(p.top_k, 40);
  EXPECT_FLOAT_EQ(p.top_p, 0.9f);
  EXPECT_FLOAT_EQ(p.repeat_penalty, 1.1f);
  EXPECT_EQ(p.repeat_last_n, 64);
  EXPECT_TRUE(validate(p).ok());
}

TEST(Sampler, ValidateNamesTheField) {
  SamplerParams p;
  p.top_p = 1.5f;
  Status s = validate(p);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("top_p"), std::string::npos) << s.message();
  p = {};
  p.repeat_penalty = 0.0f;
  EXPECT_FALSE(validate(p).ok());
}

TEST(Sampler, GreedyPicksArgmaxFirstOnTies) {
  Sampler s(greedy());
  std::vector<float> logits = {0.1f, 3.0f, -2.0f, 3.0f};
  EXPECT_EQ(s.sample(logits, {}), 1);
  EXPECT_EQ(argmax(std::span<const float>()), -1);
}

TEST(Sampler, RepeatPenaltyDividesPositiveAndMultipliesNegative) {
  SamplerParams p;
  p.repeat_penalty = 2.0f;
  p.repeat_last_n = 2;
  std::vector<float> logits = {4.0f, -1.0f, 3.0f, 1.0f};
  std::vector<int32_t> history = {2, 0, 1};  // window of 2: tokens 0 and 1 only
  apply_penalties(p, logits, history);
  EXPECT_FLOAT_EQ(logits[0], 2.0f);
  EXPECT_FLOAT_EQ(logits[1], -2.0f);
  EXPECT_FLOAT_EQ(logits[2], 3.0f);  // outside the window
  EXPECT_FLOAT_EQ(logits[3], 1.0f);
}

TEST(Sampler, FrequencyAndPresencePenalties) {
  SamplerParams p;
  p.repeat_penalty = 1.0f;
  p.frequency_penalty = 0.5f;
  p.presence_penalty = 0.25f;
  p.repeat_last_n = -1;
  std::vector<float> logits = {1.0f, 1.0f, 1.0f};
  std::vector<int32_t> history = {0, 0, 0, 1, 99};  // 99 is out of vocabulary: ignored
  apply_penalties(p, logits, history);
  EXPECT_FLOAT_EQ(logits[0], 1.0f - 1.5f - 0.25f);
  EXPECT_FLOAT_EQ(logits[1], 1.0f - 0.5f - 0.25f);
  EXPECT_FLOAT_EQ(logits[2], 1.0f);
}

TEST(Sampler, PenaltyChangesTheGreedyChoice) {
  SamplerParams p = greedy();
  p.repeat_penalty = 2.0f;
  Sampler s(p);
  std::vector<float> logits = {2.0f, 1.5f};
  std::vector<int32_t> history = {0};
  EXPECT_EQ(s.sample(logits, history), 1);
}

std::vector<float> ramp(int n) {
  std::vector<float> v(n);
  for (int i = 0; i < n; ++i) v[i] = std::sin(i * 1.7f) * 3.0f;
  return v;
}

TEST(Sampler, SameSeedSameTokensDifferentSeedDiffers) {
  SamplerParams p;
  p.temperature = 1.5f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.seed = 1234;
  auto logits = ramp(100);
  Sampler a(p), b(p);
  p.seed = 99;
  Sampler c(p);
  std::vector<int32_t> ta, tb, tc;
  for (int i = 0; i < 50; ++i) {
    ta.push_back(a.sample(logits, {}));
    tb.push_back(b.sample(logits, {}));
    tc.push_back(c.sample(logits, {}));
  }
  EXPECT_EQ(ta, tb);
  EXPECT_NE(ta, tc);
  EXPECT_EQ(a.seed(), 1234u);
}

TEST(Sampler, TopKOneIsGreedy) {
  SamplerParams p;
  p.temperature = 5.0f;
  p.top_k = 1;
  p.seed = 7;
  Sampler s(p);
  auto logits = ramp(64);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(s.sample(logits, {}), argmax(logits));
}

TEST(Sampler, TopKKeepsOnlyTheKBest) {
  SamplerParams p;
  p.temperature = 100.0f;  // nearly uniform over what is left
  p.top_k = 3;
  p.top_p = 1.0f;
  p.repeat_penalty = 1.0f;
  p.seed = 3;
  Sampler s(p);
  std::vector<float> logits = {0.0f, 5.0f, 1.0f, 4.0f, 3.0f, 2.0f};
  std::map<int32_t, int> seen;
  for (int i = 0; i < 300; ++i) ++seen[s.sample(logits, {})];
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_GT(seen[1], 0);
  EXPECT_GT(seen[3], 0);
  EXPECT_GT(seen[4], 0);
}

TEST(Sampler, TopPAndMinPCutTheTail) {
  // softmax of {2, 1, 0, -1} at T=1: 0.644, 0.237, 0.087, 0.032.
  std::vector<float> logits = {2.0f, 1.0f, 0.0f, -1.0f};
  SamplerParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.repeat_penalty = 1.0f;
  p.seed = 5;
  p.top_p = 0.85f;  // needs the first two (0.881)
  {
    Sampler s(p);
    std::map<int32_t, int> seen;
    for (int i = 0; i < 500; ++i) ++seen[s.sample(logits, {})];
    EXPECT_EQ(seen.size(), 2u);
  }
  p.top_p = 1.0f;
  p.min_p = 0.2f;  // keeps p >= 0.129: tokens 0 and 1
  {
    Sampler s(p);
    std::map<int32_t, int> seen;
    for (int i = 0; i < 500; ++i) ++seen[s.sample(logits, {})];
    EXPECT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen.count(2), 0u);
  }
}

TEST(Sampler, DrawFollowsSoftmaxAtTemperature) {
  std::vector<float> logits = {1.0f, 0.0f, 2.0f};
  SamplerParams p;
  p.temperature = 2.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.repeat_penalty = 1.0f;
  p.seed = 11;
  Sampler s(p);
  const int n = 20000;
  std::vector<int> counts(3);
  for (int i = 0; i < n; ++i) ++counts[s.sample(logits, {})];
  double z = std::exp(0.5) + 1.0 + std::exp(1.0);
  EXPECT_NEAR(counts[0] / double(n), std::exp(0.5) / z, 0.015);
  EXPECT_NEAR(counts[1] / double(n), 1.0 / z, 0.015);
  EXPECT_NEAR(counts[2] / double(n), std::exp(1.0) / z, 0.015);
}

TEST(StopMatcher, HoldsBackPrefixesAndStopsAcrossPieces) {
  StopMatcher m({"</s>", "User:"});
  std::string out;
  out += m.feed("Hello <");
  EXPECT_EQ(out, "Hello ");  // "<" could start "</s>"
  out += m.feed("b> Us");
  EXPECT_EQ(out, "Hello <b> ");
  out += m.feed("er: more");
  EXPECT_TRUE(m.stopped());
  EXPECT_EQ(out, "Hello <b> ");
  EXPECT_EQ(m.feed("x"), "");
}

TEST(StopMatcher, FinishReturnsHeldText) {
  StopMatcher m({"###"});
  EXPECT_EQ(m.feed("a#"), "a");
  EXPECT_EQ(m.feed("#"), "");
  EXPECT_FALSE(m.stopped());
  EXPECT_EQ(m.finish(), "##");
  StopMatcher none({});
  EXPECT_EQ(none.feed("abc"), "abc");
}

}  // namespace
}  // namespace lantern::engine
