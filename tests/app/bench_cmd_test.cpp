// `lantern bench` on a tiny synthetic model: the JSON object carries every documented key with
// plausible values, the text form prints, and bad input is a usage or runtime error.
#include <gtest/gtest.h>

#include <algorithm>

#include "lantern/engine/synthetic_model.h"
#include "lantern/json.h"
#include "test_support.h"

namespace {

using lantern::testing::run_lantern;
using lantern::testing::TempDir;

std::string tiny_model(const TempDir& dir, const char* quant) {
  auto spec = lantern::engine::synthetic_spec("qwen2-tiny");
  EXPECT_TRUE(spec.ok());
  const std::string path = dir.file(std::string("tiny-") + quant + ".gguf");
  EXPECT_TRUE(lantern::engine::write_synthetic_model(*spec, quant, path).ok());
  return path;
}

// `lantern bench MODEL_ARGS... --json`, parsed; an empty object (and a test failure) when it
// fails or prints no JSON.
lantern::json::Value bench_json(std::vector<std::string> args) {
  args.insert(args.begin(), "bench");
  args.push_back("--json");
  auto r = run_lantern(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto v = lantern::json::parse(r.out);
  EXPECT_TRUE(v.ok()) << r.out;
  return v.ok() ? std::move(*v) : lantern::json::Value::object();
}

TEST(BenchCommand, JsonHasEveryKey) {
  TempDir dir;
  const std::string model = tiny_model(dir, "Q4_K_M");
  const auto v = bench_json({"-m", model, "-p", "20", "-n", "4", "-t", "2", "--bandwidth-mb", "32"});
  for (const char* key : {"load_ms", "first_token_ms", "prompt_tokens_per_s", "decode_tokens_per_s", "peak_rss_mb",
                          "bandwidth_fraction", "bandwidth_gb_per_s", "bytes_per_token", "kv_cache_mb"}) {
    const auto* f = v.find(key);
    ASSERT_NE(f, nullptr) << key << " missing in " << v.dump();
    EXPECT_GT(f->as_number(), 0.0) << key;
  }
  EXPECT_EQ(v.find("threads")->as_number(), 2.0);
  EXPECT_EQ(v.get_string("arch"), "qwen2");
  EXPECT_FALSE(v.get_string("weight_memory").empty());
  ASSERT_NE(v.find("resident_ms"), nullptr);
  EXPECT_GE(v.find("resident_ms")->as_number(), v.find("load_ms")->as_number());
  // The peak is the higher of the measurements before and after the decode test; the fraction
  // is over the bus measured between the decoded tokens, and the peak's fraction is beside it.
  const double before = v.find("bandwidth_before_gb_per_s")->as_number();
  const double after = v.find("bandwidth_after_gb_per_s")->as_number();
  EXPECT_GT(before, 0.0);
  EXPECT_GT(after, 0.0);
  const double peak = v.find("bandwidth_peak_gb_per_s")->as_number();
  EXPECT_EQ(peak, std::max(before, after));
  const double tps = v.find("decode_tokens_per_s")->as_number();
  const double bpt = v.find("bytes_per_token")->as_number();
  const double bus = v.find("bandwidth_gb_per_s")->as_number();
  EXPECT_NE(bus, peak);  // a different measurement (equal only by a one-in-2^52 chance)
  EXPECT_NEAR(v.find("bandwidth_fraction")->as_number(), tps * bpt / (bus * 1e9), 1e-12);
  EXPECT_NEAR(v.find("bandwidth_fraction_of_peak")->as_number(), tps * bpt / (peak * 1e9), 1e-12);
  // Decoding reads every weight once: the tied embedding counts, and nothing else is missing.
  EXPECT_GT(v.find("bytes_per_token")->as_number(), 0.9 * v.find("file_mb")->as_number() * 1024 * 1024 * 0.5);
  // ... plus the KV cache of the positions before each decoded token: on average 20 + 2.5 here,
  // 40 + 2.5 with a 40-token prompt; the weights' share stays the same.
  const auto v2 = bench_json({"-m", model, "-p", "40", "-n", "4", "-t", "2", "--bandwidth-mb", "32"});
  const double kv1 = v.find("kv_bytes_per_token")->as_number(), kv2 = v2.find("kv_bytes_per_token")->as_number();
  EXPECT_GT(kv1, 0.0);
  EXPECT_NEAR(kv2 / kv1, 42.5 / 22.5, 1e-9);
  EXPECT_NEAR(v.find("bytes_per_token")->as_number() - kv1, v2.find("bytes_per_token")->as_number() - kv2, 1.0);
}

// The bandwidth test's buffer (256 MiB here) is not counted as the model's peak memory.
TEST(BenchCommand, BandwidthBufferIsNotInThePeakRss) {
  TempDir dir;
  const std::string model = tiny_model(dir, "Q4_K_M");
  const auto v = bench_json({"-m", model, "-p", "8", "-n", "2", "--bandwidth-mb", "256"});
  ASSERT_NE(v.find("peak_rss_mb"), nullptr);
  EXPECT_LT(v.find("peak_rss_mb")->as_number(), 200.0) << v.dump();
}

// Without a decode test there is no bus between tokens: the fraction is 0 and the bus the peak.
TEST(BenchCommand, WithoutDecodeTheBusIsThePeak) {
  TempDir dir;
  const std::string model = tiny_model(dir, "Q8_0");
  const auto v = bench_json({"-m", model, "-p", "8", "-n", "0", "--bandwidth-mb", "32"});
  for (const char* key :
       {"bandwidth_peak_gb_per_s", "bandwidth_gb_per_s", "bandwidth_fraction", "decode_tokens_per_s"}) {
    ASSERT_NE(v.find(key), nullptr) << key;
  }
  EXPECT_GT(v.find("bandwidth_peak_gb_per_s")->as_number(), 0.0);
  EXPECT_EQ(v.find("bandwidth_gb_per_s")->as_number(), v.find("bandwidth_peak_gb_per_s")->as_number());
  EXPECT_EQ(v.find("bandwidth_fraction")->as_number(), 0.0);
  EXPECT_EQ(v.find("decode_tokens_per_s")->as_number(), 0.0);
}

TEST(BenchCommand, TextFormAndErrors) {
  TempDir dir;
  const std::string model = tiny_model(dir, "Q8_0");
  auto r = run_lantern({"bench", "-m", model, "-p", "0", "-n", "2", "--bandwidth-mb", "16"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("decode"), std::string::npos);
  EXPECT_NE(r.out.find("bandwidth fraction"), std::string::npos);
  EXPECT_EQ(run_lantern({"bench"}).exit_code, 2);
  EXPECT_EQ(run_lantern({"bench", "-m", model, "-p", "abc"}).exit_code, 2);
  auto missing = run_lantern({"bench", "-m", dir.file("nope.gguf")});
  EXPECT_EQ(missing.exit_code, 1);
}

}  // namespace
