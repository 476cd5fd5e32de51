// Helpers shared by every test suite: reference data, temp dirs, running the real binary.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lantern::testing {

// Path of ../shared (or $LANTERN_SHARED), or nullopt when absent. Use LT_REQUIRE_SHARED in tests.
std::optional<std::string> shared_dir();
// True when running in CI ($CI=true): there, missing reference data is a failure, not a skip.
bool in_ci();

// A fresh directory under $TMPDIR, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` to path()/name (creating parent dirs); returns the full path.
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

std::string read_file(const std::string& path);

// n samples of a normal distribution (mean 0, standard deviation `scale`), the same for a seed.
std::vector<float> gaussian(size_t n, uint32_t seed, float scale = 1.0f);

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal (see signal)
  int signal = 0;
  std::string out;
  std::string err;
};

// Runs build/lantern with `args` (argv[0] excluded), stdin from `input`, extra environment
// variables set (others inherited). Kills it after `timeout_s` seconds.
RunResult run_lantern(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                      const std::string& input = "", int timeout_s = 120);
// Same for any program.
RunResult run_program(const std::string& program, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env = {}, const std::string& input = "",
                      int timeout_s = 120);

std::string lantern_binary();
std::string source_dir();

}  // namespace lantern::testing

// Declares `const std::string shared = ...` or skips (fails in CI) with a clear message.
#define LT_REQUIRE_SHARED(var)                                                                     \
  auto var##_opt_ = ::lantern::testing::shared_dir();                                              \
  if (!var##_opt_) {                                                                               \
    if (::lantern::testing::in_ci()) FAIL() << "../shared is missing; CI must run reference tests"; \
    GTEST_SKIP() << "../shared not found (set LANTERN_SHARED): skipping reference-data test";      \
  }                                                                                                \
  const std::string var = *var##_opt_
