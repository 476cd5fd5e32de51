// ThreadPool: every index runs once per job, parallel_for covers a range exactly once, many short
// jobs in a row (the decode pattern) neither lose nor duplicate work.
#include "lantern/engine/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace lantern::engine {
namespace {

TEST(ThreadPool, DefaultIsAtLeastOneThread) {
  EXPECT_GE(ThreadPool::default_threads(), 1);
  ThreadPool pool;
  EXPECT_EQ(pool.size(), ThreadPool::default_threads());
}

TEST(ThreadPool, RunCallsEveryIndexOnce) {
  for (int n : {1, 2, 4}) {
    ThreadPool pool(n);
    std::vector<std::atomic<int>> hits(n);
    pool.run([&](int i, int t) {
      EXPECT_EQ(t, n);
      hits[i].fetch_add(1);
    });
    for (int i = 0; i < n; ++i) EXPECT_EQ(hits[i].load(), 1) << "index " << i << " of " << n;
  }
}

TEST(ThreadPool, ParallelForCoversRangeExactlyOnceWithGrain) {
  for (int threads : {2, 3, 5}) {
    ThreadPool pool(threads);
    for (int64_t n : {0, 1, 5, 16, 100, 1001, 100000}) {
      std::vector<std::atomic<int>> hits(n);
      pool.parallel_for(
          n,
          [&](int64_t b, int64_t e) {
            EXPECT_EQ(b % 16, 0);
            for (int64_t i = b; i < e; ++i) hits[i].fetch_add(1);
          },
          16);
      for (int64_t i = 0; i < n; ++i) {
        ASSERT_EQ(hits[i].load(), 1) << "n=" << n << " i=" << i << " threads=" << threads;
      }
    }
  }
}

// Each thread owns a contiguous run of chunks; a thread that is held up has its run finished by
// the others, so the job still covers everything once.
TEST(ThreadPool, ParallelForFinishesTheRunOfAThreadThatIsHeldUp) {
  ThreadPool pool(2);
  std::vector<std::atomic<int>> hits(1600);
  std::atomic<int> calls{0};
  pool.parallel_for(1600, [&](int64_t b, int64_t e) {
    // The first chunk taken sleeps long enough for the other thread to do everything else.
    if (calls.fetch_add(1) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    for (int64_t i = b; i < e; ++i) hits[i].fetch_add(1);
  });
  for (int64_t i = 0; i < 1600; ++i) ASSERT_EQ(hits[i].load(), 1) << i;
}

TEST(ThreadPool, ManyShortJobsBackToBack) {
  ThreadPool pool(2);
  std::atomic<int64_t> total{0};
  for (int job = 0; job < 20000; ++job) {
    pool.run([&](int i, int) { total.fetch_add(i + 1); });
  }
  EXPECT_EQ(total.load(), 20000 * 3);
}

TEST(ThreadPool, CallsFromTwoThreadsAreSerialized) {
  ThreadPool pool(2);
  std::atomic<int64_t> total{0};
  auto work = [&] {
    for (int job = 0; job < 2000; ++job) pool.parallel_for(10, [&](int64_t b, int64_t e) { total += e - b; });
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  EXPECT_EQ(total.load(), 2 * 2000 * 10);
}

TEST(ThreadPool, IdlePoolSleepsAndWakes) {
  ThreadPool pool(2);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // past the spin: workers sleep
  std::atomic<int> hits{0};
  pool.run([&](int, int) { hits++; });
  EXPECT_EQ(hits.load(), 2);
}

}  // namespace
}  // namespace lantern::engine
