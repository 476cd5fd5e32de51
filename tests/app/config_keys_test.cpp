// Unknown configuration keys: listed by Config::unknown_keys() against the one list of known keys,
// and warned about once per key by the real binary (silenced by -q), while the command still runs.
#include <gtest/gtest.h>

#include <algorithm>

#include "config.h"
#include "test_support.h"

namespace {

using lantern::app::Config;
using lantern::app::known_config_keys;
using lantern::testing::run_lantern;
using lantern::testing::TempDir;

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

TEST(ConfigKeys, UnknownKeysInFileOrderWithLines) {
  auto cfg = Config::parse("model = \"m.gguf\"\ntemprature = 3\n[kb]\nchunk_size = 300\nchunk_sise = 2\n", "c.toml");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  auto unknown = cfg->unknown_keys();
  ASSERT_EQ(unknown.size(), 2u);
  EXPECT_EQ(unknown[0].first, "temprature");
  EXPECT_EQ(unknown[0].second, 2);
  EXPECT_EQ(unknown[1].first, "kb.chunk_sise");
  EXPECT_EQ(unknown[1].second, 5);
  // Every known key is accepted.
  std::string all;
  for (const auto& k : known_config_keys()) all += "\"" + k + "\" = 1\n";
  auto known = Config::parse(all, "k.toml");
  ASSERT_TRUE(known.ok()) << known.status().message();
  EXPECT_TRUE(known->unknown_keys().empty());
}

TEST(ConfigKeys, BinaryWarnsOncePerUnknownKeyUnlessQuiet) {
  TempDir tmp;
  std::string cfg = tmp.write("config.toml", "temprature = 3\n[kb]\nchunk_size = 300\nchunk_sise = 4\n");
  auto r = run_lantern({"--config", cfg, "--home", tmp.file("home"), "kb", "list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("lantern: warning: " + cfg + ":1: unknown config key 'temprature' (ignored)\n"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(cfg + ":4: unknown config key 'kb.chunk_sise' (ignored)"), std::string::npos) << r.err;
  EXPECT_EQ(count(r.err, "unknown config key"), 2u) << r.err;
  EXPECT_EQ(r.err.find("chunk_size'"), std::string::npos) << r.err;
  auto quiet = run_lantern({"-q", "--config", cfg, "--home", tmp.file("home"), "kb", "list"});
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err.find("unknown config key"), std::string::npos) << quiet.err;
  std::string good = tmp.write("good.toml", "model = \"x.gguf\"\n[kb]\ndefault = \"default\"\n");
  auto clean = run_lantern({"--config", good, "--home", tmp.file("home"), "kb", "list"});
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_TRUE(clean.err.empty()) << clean.err;
}

}  // namespace
