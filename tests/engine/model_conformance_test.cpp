// Conformance against reference data nobody here wrote (../shared/models): logits of every
// fixture (random-weight llama / llama3 / qwen2 models in each weight type) against the exact
// float64 answer and against llama.cpp, and the greedy continuation llama.cpp picks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lantern/engine/model.h"
#include "lantern/engine/sampler.h"
#include "lantern/engine/session.h"
#include "test_support.h"

namespace lantern::engine {
namespace {

namespace fs = std::filesystem;

std::vector<int32_t> read_ids(const std::string& path) {
  std::string text = lantern::testing::read_file(path);
  for (char& c : text) {
    if (c == ',') c = ' ';
  }
  std::istringstream in(text);
  std::vector<int32_t> ids;
  for (int32_t v; in >> v;) ids.push_back(v);
  return ids;
}

std::vector<float> read_f32(const std::string& path) {
  std::string bytes = lantern::testing::read_file(path);
  std::vector<float> v(bytes.size() / 4);
  std::memcpy(v.data(), bytes.data(), v.size() * 4);
  return v;
}

struct Compare {
  double rel_rms = 0;
  double top1 = 0;  // fraction of positions with the same argmax
};

Compare compare(const std::vector<float>& got, const std::vector<float>& ref, size_t n_vocab) {
  double d2 = 0, r2 = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    const double d = double(got[i]) - ref[i];
    d2 += d * d;
    r2 += double(ref[i]) * ref[i];
  }
  size_t same = 0, rows = ref.size() / n_vocab;
  for (size_t r = 0; r < rows; ++r) {
    std::span<const float> g(got.data() + r * n_vocab, n_vocab), f(ref.data() + r * n_vocab, n_vocab);
    same += argmax(g) == argmax(f);
  }
  return {std::sqrt(d2 / ref.size()) / std::sqrt(r2 / ref.size()), double(same) / rows};
}

bool is_float_type(const std::string& name) {
  return name.ends_with("-f32") || name.ends_with("-f16") || name.ends_with("-bf16");
}

TEST(Conformance, FixtureLogitsMatchExactAndLlamaCpp) {
  LT_REQUIRE_SHARED(shared);
  const std::string fixtures = shared + "/models/fixtures", golden = shared + "/models/golden";
  const auto tokens = read_ids(golden + "/tokens.txt");
  ASSERT_EQ(tokens.size(), 40u);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(fixtures)) {
    if (e.path().extension() == ".gguf") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  ASSERT_GE(names.size(), 10u);
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    auto model = Model::load(fixtures + "/" + name + ".gguf");
    ASSERT_TRUE(model.ok()) << model.status().to_string();
    const size_t n_vocab = (*model)->info().n_vocab;
    const double bound = is_float_type(name) ? 0.005 : 0.03;
    for (KvType kv : {KvType::kF32, KvType::kF16}) {
      SessionOptions so;
      so.n_ctx = 64;
      so.kv_type = kv;
      so.n_batch = kv == KvType::kF32 ? 64 : 7;  // also exercises several batches
      auto session = Session::create(*model, so);
      ASSERT_TRUE(session.ok()) << session.status().to_string();
      auto logits = (*session)->logits_all(tokens);
      ASSERT_TRUE(logits.ok()) << logits.status().to_string();
      ASSERT_EQ(logits->size(), tokens.size() * n_vocab);
      const auto exact = read_f32(golden + "/" + name + ".exact.f32");
      const auto llamacpp = read_f32(golden + "/" + name + ".llamacpp.f32");
      ASSERT_EQ(exact.size(), logits->size());
      Compare e = compare(*logits, exact, n_vocab), l = compare(*logits, llamacpp, n_vocab);
      std::printf("%-22s kv %s  exact: rel rms %.5f%% top1 %.0f%%   llama.cpp: rel rms %.5f%% top1 %.0f%%\n",
                  name.c_str(), kv == KvType::kF32 ? "f32" : "f16", e.rel_rms * 100, e.top1 * 100,
                  l.rel_rms * 100, l.top1 * 100);
      EXPECT_LT(e.rel_rms, bound);
      EXPECT_GE(e.top1, 0.9);
      if (kv == KvType::kF32) {
        // Float weights with a float32 cache differ from the exact answer by rounding alone.
        if (is_float_type(name)) {
          EXPECT_LT(e.rel_rms, 1e-5);
        }
      } else {
        // llama.cpp keeps an F16 cache too: compare like with like.
        EXPECT_LT(l.rel_rms, bound);
        EXPECT_GE(l.top1, 0.9);
      }
    }
  }
}

TEST(Conformance, GreedyContinuationMatchesLlamaCpp) {
  LT_REQUIRE_SHARED(shared);
  const std::string fixtures = shared + "/models/fixtures", golden = shared + "/models/golden";
  const auto tokens = read_ids(golden + "/tokens.txt");
  int total = 0, matched = 0;
  for (const auto& e : fs::directory_iterator(fixtures)) {
    if (e.path().extension() != ".gguf") continue;
    const std::string name = e.path().stem().string();
    SCOPED_TRACE(name);
    const auto expected = read_ids(golden + "/" + name + ".llamacpp.greedy");
    ASSERT_EQ(expected.size(), 24u);
    LoadOptions lo;
    lo.n_threads = 1;  // one-token steps on a tiny model: threads would only add hand-offs
    auto model = Model::load(e.path().string(), lo);
    ASSERT_TRUE(model.ok()) << model.status().to_string();
    SessionOptions so;
    so.n_ctx = 64;
    auto session = Session::create(*model, so);
    ASSERT_TRUE(session.ok());
    Session& s = **session;
    ASSERT_TRUE(s.eval(tokens).ok());
    // Follow llama.cpp's tokens (teacher forcing) so one near-tie does not derail the rest.
    int same = 0;
    for (int32_t want : expected) {
      same += argmax(s.logits()) == want;
      const int32_t next[1] = {want};
      ASSERT_TRUE(s.eval(next).ok());
    }
    std::printf("%-22s greedy agreement with llama.cpp: %d/24\n", name.c_str(), same);
    EXPECT_GE(same, 18);
    total += 24;
    matched += same;
  }
  EXPECT_GE(matched, total * 9 / 10);
}

}  // namespace
}  // namespace lantern::engine
