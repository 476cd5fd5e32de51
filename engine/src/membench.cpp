// measure_read_bandwidth: a parallel streaming read (sum of 64-bit words) over a large buffer.
//
// The one thing to know: the read loop lives in membench_avx2.cpp when the CPU has AVX2 (wide loads
// keep the loop far from being the bottleneck); the scalar loop here is the fallback.
#include "lantern/engine/membench.h"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <vector>

namespace lantern::engine {

uint64_t read_sum_avx2(const uint8_t* p, uint64_t n);  // membench_avx2.cpp

namespace {
uint64_t read_sum_scalar(const uint8_t* p, uint64_t n) {
  const uint64_t* w = reinterpret_cast<const uint64_t*>(p);
  uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (uint64_t i = 0; i + 4 <= n / 8; i += 4) {
    s0 += w[i];
    s1 += w[i + 1];
    s2 += w[i + 2];
    s3 += w[i + 3];
  }
  return s0 + s1 + s2 + s3;
}
bool have_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}
}  // namespace

Result<BandwidthResult> measure_read_bandwidth(ThreadPool& pool, uint64_t bytes, int passes) {
  bytes = std::max<uint64_t>(bytes / 4096 * 4096, 1 << 20);
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    return Status::resource_limit("bandwidth test: cannot allocate " + std::to_string(bytes >> 20) + " MiB");
  }
  uint8_t* buf = static_cast<uint8_t*>(mem);
  // In huge pages, as the model's weights are (WeightArena): the hardware prefetchers stop at
  // page boundaries, and 2 MiB pages read ~6% faster than 4 KiB ones here.
  madvise(mem, bytes, MADV_HUGEPAGE);
  const bool avx2 = have_avx2();
  // Touch every page from the thread that will read it (first-touch placement), with non-zero data.
  const int n_threads = pool.size();
  const uint64_t chunk = bytes / n_threads / 64 * 64;
  pool.run([&](int i, int) { std::memset(buf + chunk * i, 1 + i, chunk); });
  BandwidthResult result;
  result.buffer_bytes = chunk * n_threads;
  result.threads = n_threads;
  std::atomic<uint64_t> sink{0};
  for (int p = 0; p < passes; ++p) {
    const auto t0 = std::chrono::steady_clock::now();
    pool.run([&](int i, int) {
      const uint8_t* part = buf + chunk * i;
      sink += avx2 ? read_sum_avx2(part, chunk) : read_sum_scalar(part, chunk);
    });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result.bytes_per_s = std::max(result.bytes_per_s, static_cast<double>(result.buffer_bytes) / s);
    ++result.passes;
  }
  munmap(mem, bytes);
  if (sink.load() == 42) result.passes += 0;  // keeps the sums alive
  return result;
}

}  // namespace lantern::engine
