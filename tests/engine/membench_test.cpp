// The read-bandwidth test's buffer: sizes, and that each read covers exactly the bytes it names,
// moving on through the buffer, split over any pool.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "lantern/engine/membench.h"
#include "lantern/engine/thread_pool.h"

namespace {

using lantern::engine::ReadBuffer;
using lantern::engine::ThreadPool;

constexpr uint64_t kMiB = uint64_t{1} << 20;
// The sum of the 64-bit words of `bytes` bytes that all hold `value`.
uint64_t word_sum(uint64_t bytes, uint8_t value) { return bytes / 8 * (0x0101010101010101ULL * value); }

TEST(ReadBuffer, SizesAreWholePagesAndAtLeastOneMiB) {
  ThreadPool pool(2);
  auto small = ReadBuffer::create(pool, 100);
  ASSERT_TRUE(small.ok()) << small.status().message();
  EXPECT_EQ((*small)->bytes(), kMiB);
  auto odd = ReadBuffer::create(pool, 3 * kMiB + 4095);
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ((*odd)->bytes(), 3 * kMiB);
}

// A buffer of more than half the memory is refused with a message naming both sizes, before
// anything is allocated (every page of it would be touched).
TEST(ReadBuffer, RefusesMoreThanHalfOfTheMemory) {
  ThreadPool pool(1);
  const uint64_t memory = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  auto r = ReadBuffer::create(pool, memory / 2 + (uint64_t{64} << 20));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), lantern::StatusCode::kResourceLimit);
  EXPECT_NE(r.status().message().find("more than half of this machine's " + std::to_string(memory >> 20) + " MiB"),
            std::string::npos)
      << r.status().message();
}

TEST(ReadBuffer, ReadsMoveOnThroughTheBufferWithAnyPool) {
  ThreadPool two(2), one(1), three(3);
  auto made = ReadBuffer::create(two, 4 * kMiB);  // the first 2 MiB hold 1s, the rest 2s
  ASSERT_TRUE(made.ok());
  ReadBuffer& rb = **made;
  EXPECT_GT(rb.read_seconds(two, 4 * kMiB), 0.0);
  EXPECT_EQ(rb.last_sum(), word_sum(2 * kMiB, 1) + word_sum(2 * kMiB, 2));
  // More than the buffer reads the whole buffer, from its start.
  rb.read_seconds(three, 100 * kMiB);
  EXPECT_EQ(rb.last_sum(), word_sum(2 * kMiB, 1) + word_sum(2 * kMiB, 2));
  // 3 MiB from the start, then 3 MiB again: only 1 MiB is left, so from the start again.
  rb.read_seconds(three, 3 * kMiB);
  EXPECT_EQ(rb.last_sum(), word_sum(2 * kMiB, 1) + word_sum(kMiB, 2));
  rb.read_seconds(one, 3 * kMiB);
  EXPECT_EQ(rb.last_sum(), word_sum(2 * kMiB, 1) + word_sum(kMiB, 2));
  // Then the 1 MiB that is left, all 2s.
  rb.read_seconds(three, kMiB);
  EXPECT_EQ(rb.last_sum(), word_sum(kMiB, 2));
  // A length that is no multiple of 64 (or of the threads) is rounded down to 64 bytes.
  rb.read_seconds(three, 1000);
  EXPECT_EQ(rb.last_sum(), word_sum(960, 1));
}

// The bandwidth figure: whole-buffer passes (the last one read every byte), the best one's speed.
TEST(ReadBuffer, BandwidthIsTheBestWholePass) {
  ThreadPool pool(2);
  auto made = ReadBuffer::create(pool, 8 * kMiB);
  ASSERT_TRUE(made.ok());
  ReadBuffer& rb = **made;
  EXPECT_EQ(rb.bytes(), 8 * kMiB);
  rb.read_seconds(pool, kMiB);  // a partial read first: the passes still start at the buffer's start
  EXPECT_GT(rb.best_bytes_per_s(pool, 3), 0.0);
  EXPECT_EQ(rb.last_sum(), word_sum(4 * kMiB, 1) + word_sum(4 * kMiB, 2));
}

}  // namespace
