// /proc sampling for the stats pane.
#include "system_stats.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <thread>

namespace lantern::app {
namespace {

TEST(SystemStats, CoresProcessCpuAndRss) {
  auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
  };
  SystemStats stats;
  // Burn CPU on this thread for a while so the process figure has something to show; on a busy
  // machine the thread gets less than a core, so compare with the process's own CPU clock.
  double cpu0 = cpu_now();
  auto t0 = std::chrono::steady_clock::now();
  volatile uint64_t x = 0;
  while (std::chrono::steady_clock::now() < t0 + std::chrono::milliseconds(600)) x = x + 1;
  double expected = 100.0 * (cpu_now() - cpu0) /
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  SystemSample s = stats.sample();
  EXPECT_EQ(static_cast<long>(s.cpu_per_core.size()), sysconf(_SC_NPROCESSORS_ONLN));
  for (double c : s.cpu_per_core) {
    EXPECT_GE(c, 0.0);
    EXPECT_LE(c, 100.0);
  }
  EXPECT_GT(s.process_cpu, 0.0);
  EXPECT_NEAR(s.process_cpu, expected, 15.0);
  EXPECT_GT(s.rss_bytes, 1u << 20);
  EXPECT_EQ(s.rss_bytes > 0, current_rss_bytes() > 0);
  if (!s.gpu_present) EXPECT_TRUE(s.gpu_name.empty());  // drawn as "GPU: none"
}

}  // namespace
}  // namespace lantern::app
