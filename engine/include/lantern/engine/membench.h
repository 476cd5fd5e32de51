// Memory read bandwidth of this machine, as the roofline for decode speed (each generated token
// reads every weight once). Used by `lantern bench` and bench/ tools.
//
// The one thing to know: the buffer must be much larger than the last-level cache (this machine
// kind reports a very large L3), so the default is 1 GiB, allocated, touched and freed per call.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lantern/engine/thread_pool.h"
#include "lantern/status.h"

namespace lantern::engine {

struct BandwidthResult {
  double bytes_per_s = 0;  // best pass
  uint64_t buffer_bytes = 0;
  int passes = 0;
  int threads = 0;
};

// Streams a buffer of `bytes` with every thread of `pool` reading its own contiguous part
// (`passes` times); reports the best pass. kResourceLimit if the buffer cannot be allocated.
Result<BandwidthResult> measure_read_bandwidth(ThreadPool& pool, uint64_t bytes = uint64_t{1} << 30, int passes = 4);

}  // namespace lantern::engine
