// `lantern logits` through the real binary: the fixture logits match the exact reference file,
// and bad arguments are usage errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "test_support.h"

namespace {

using lantern::testing::read_file;
using lantern::testing::run_lantern;
using lantern::testing::TempDir;

std::vector<float> floats(const std::string& bytes) {
  std::vector<float> v(bytes.size() / 4);
  std::memcpy(v.data(), bytes.data(), v.size() * 4);
  return v;
}

TEST(LogitsCommand, WritesFixtureLogitsMatchingTheExactReference) {
  LT_REQUIRE_SHARED(shared);
  TempDir dir;
  std::string tokens = read_file(shared + "/models/golden/tokens.txt");
  while (!tokens.empty() && (tokens.back() == '\n' || tokens.back() == ' ')) tokens.pop_back();
  for (const std::string name : {"tiny-qwen2-f16", "tiny-llama3-f32"}) {
    SCOPED_TRACE(name);
    const std::string out = dir.file(name + ".f32");
    auto r = run_lantern({"logits", "-m", shared + "/models/fixtures/" + name + ".gguf", "--tokens", tokens, "--out", out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto got = floats(read_file(out));
    auto ref = floats(read_file(shared + "/models/golden/" + name + ".exact.f32"));
    ASSERT_EQ(got.size(), ref.size());
    ASSERT_EQ(got.size(), 40u * 512u);
    double d2 = 0, r2 = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
      d2 += (got[i] - ref[i]) * double(got[i] - ref[i]);
      r2 += ref[i] * double(ref[i]);
    }
    EXPECT_LT(std::sqrt(d2 / r2), 1e-5);
  }
}

TEST(LogitsCommand, BadArgumentsAreUsageErrors) {
  TempDir dir;
  auto r = run_lantern({"logits", "--tokens", "1,2", "--out", dir.file("x")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = run_lantern({"logits", "-m", "x.gguf", "--tokens", "1,zz", "--out", dir.file("x")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("zz"), std::string::npos) << r.err;
  r = run_lantern({"logits", "-m", dir.file("missing.gguf"), "--tokens", "1,2", "--out", dir.file("x")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
}

}  // namespace
