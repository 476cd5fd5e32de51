// Memory read bandwidth of this machine, as the roofline for decode speed (each generated token
// reads every weight once). Used by `lantern bench` and bench/ tools.
//
// The one thing to know: the buffer must be much larger than the last-level cache (this machine
// kind reports a very large L3), so its users take 1 GiB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "lantern/engine/thread_pool.h"
#include "lantern/status.h"

namespace lantern::engine {

// A buffer that is read in single timed passes, for measuring the bus in the same minutes as other
// work (the read bandwidth of a shared VM moves from minute to minute). Owns its memory (mmap,
// in huge pages where the kernel grants them, every page touched). Not thread-safe.
class ReadBuffer {
 public:
  // kResourceLimit if the buffer cannot be allocated or would take more than half of the
  // machine's memory. `bytes` is rounded down to whole pages and to 64 bytes per thread of `pool`,
  // and is at least 1 MiB.
  static Result<std::unique_ptr<ReadBuffer>> create(ThreadPool& pool, uint64_t bytes);
  ~ReadBuffer();
  ReadBuffer(const ReadBuffer&) = delete;
  ReadBuffer& operator=(const ReadBuffer&) = delete;

  uint64_t bytes() const { return bytes_; }
  // Reads `bytes` (at most bytes(), rounded down to 64) once on the threads of `pool`, split as
  // ThreadPool::parallel_for splits work, and returns the seconds taken. Successive calls move on
  // through the buffer (back to its start when the rest is too short), so a small read does not
  // find its bytes in a cache from the previous one.
  double read_seconds(ThreadPool& pool, uint64_t bytes);
  // The sum of the 64-bit words the last read_seconds() read (wrapping), which also keeps the
  // reads from being optimized away. Thread t of the pool that made the buffer filled its part of
  // it with the byte value t + 1.
  uint64_t last_sum() const { return last_sum_; }
  // Reads the whole buffer `passes` times; the best pass's speed in bytes per second.
  double best_bytes_per_s(ThreadPool& pool, int passes);

 private:
  ReadBuffer(uint8_t* data, uint64_t bytes, uint64_t mapped_bytes);
  uint8_t* data_;
  uint64_t bytes_;         // what the reads cover: whole 64-byte parts, one per thread that filled it
  uint64_t mapped_bytes_;
  uint64_t cursor_ = 0;  // where the next read starts
  uint64_t last_sum_ = 0;
};

}  // namespace lantern::engine
