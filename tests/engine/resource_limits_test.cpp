// Resource limits refused up front with the numbers in the message: a model file larger than RAM +
// swap (a sparse multi-TiB copy of a tiny synthetic model), a context whose KV cache cannot be
// allocated, and more threads than make sense for the CPU.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "lantern/engine/model.h"
#include "lantern/engine/session.h"
#include "lantern/engine/synthetic_model.h"
#include "system_memory.h"
#include "test_support.h"

namespace lantern::engine {
namespace {

std::string tiny_model(const lantern::testing::TempDir& dir) {
  auto spec = synthetic_spec("llama-tiny");
  EXPECT_TRUE(spec.ok());
  std::string path = dir.file("tiny.gguf");
  EXPECT_TRUE(write_synthetic_model(*spec, "Q8_0", path).ok());
  return path;
}

TEST(ResourceLimits, SystemMemoryIsRead) {
  SystemMemory m = read_system_memory();
  EXPECT_GT(m.ram_total, 16ull << 20);
  EXPECT_GT(m.available, 0u);
  EXPECT_LE(m.available, m.ram_total + m.swap_total);
  EXPECT_EQ(format_bytes(3ull << 30), "3.0 GiB");
  EXPECT_EQ(format_bytes(512ull << 20), "512.0 MiB");
}

TEST(ResourceLimits, ModelLargerThanRamAndSwapIsRefusedBeforeLoading) {
  lantern::testing::TempDir dir;
  std::string path = tiny_model(dir);
  ASSERT_TRUE(Model::load(path).ok());
  SystemMemory m = read_system_memory();
  // Extend the file past RAM + swap with a sparse hole (tensor data stays where it was).
  const uint64_t big = m.ram_total + m.swap_total + (1ull << 30);
  int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  if (::ftruncate(fd, static_cast<off_t>(big)) != 0) {
    ::close(fd);
    GTEST_SKIP() << "the file system cannot hold a sparse file of " << format_bytes(big);
  }
  ::close(fd);
  auto r = Model::load(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceLimit);
  const std::string msg = r.status().message();
  EXPECT_NE(msg.find("larger than this machine's"), std::string::npos) << msg;
  EXPECT_NE(msg.find(format_bytes(big)), std::string::npos) << msg;
  EXPECT_NE(msg.find(format_bytes(m.ram_total) + " of RAM"), std::string::npos) << msg;
}

TEST(ResourceLimits, ContextThatDoesNotFitIsRefusedAtSessionCreation) {
  lantern::testing::TempDir dir;
  auto model = Model::load(tiny_model(dir));
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  SessionOptions o;
  o.n_ctx = 2000000000;  // ~2e9 positions: terabytes of KV cache for any model
  auto s = Session::create(*model, o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kResourceLimit);
  const std::string msg = s.status().message();
  EXPECT_NE(msg.find("2000000000 positions"), std::string::npos) << msg;
  EXPECT_NE(msg.find("of memory available"), std::string::npos) << msg;
  o.n_ctx = 256;
  EXPECT_TRUE(Session::create(*model, o).ok());
}

TEST(ResourceLimits, TooManyThreadsAreRefused) {
  lantern::testing::TempDir dir;
  std::string path = tiny_model(dir);
  const int max = max_useful_threads();
  EXPECT_GE(max, 8);
  LoadOptions o;
  o.n_threads = max + 1;
  auto r = Model::load(path, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceLimit);
  EXPECT_NE(r.status().message().find(std::to_string(max + 1) + " threads requested, more than " + std::to_string(max)),
            std::string::npos)
      << r.status().message();
  o.n_threads = 2;
  EXPECT_TRUE(Model::load(path, o).ok());
}

}  // namespace
}  // namespace lantern::engine
