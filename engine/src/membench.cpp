// ReadBuffer: parallel streaming reads (sums of 64-bit words) over a large buffer.
//
// The one thing to know: the read loop lives in membench_avx2.cpp when the CPU has AVX2 (wide loads
// keep the loop far from being the bottleneck); the scalar loop here is the fallback.
#include "lantern/engine/membench.h"

#include <sys/mman.h>
#include <unistd.h>

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
  const uint64_t words = n / 8;
  uint64_t i = 0;
  for (; i + 4 <= words; i += 4) {
    s0 += w[i];
    s1 += w[i + 1];
    s2 += w[i + 2];
    s3 += w[i + 3];
  }
  for (; i < words; ++i) s0 += w[i];
  return s0 + s1 + s2 + s3;
}
bool have_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}
}  // namespace

ReadBuffer::ReadBuffer(uint8_t* data, uint64_t bytes, uint64_t mapped_bytes)
    : data_(data), bytes_(bytes), mapped_bytes_(mapped_bytes) {}

ReadBuffer::~ReadBuffer() { munmap(data_, mapped_bytes_); }

Result<std::unique_ptr<ReadBuffer>> ReadBuffer::create(ThreadPool& pool, uint64_t bytes) {
  bytes = std::max<uint64_t>(bytes / 4096 * 4096, 1 << 20);
  // Every page is touched: a buffer near the size of the memory would push out the model (or get
  // the process killed) instead of failing here.
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  const uint64_t memory = pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
  if (memory > 0 && bytes > memory / 2) {
    return Status::resource_limit("bandwidth test: " + std::to_string(bytes >> 20) +
                                  " MiB is more than half of this machine's " + std::to_string(memory >> 20) +
                                  " MiB of memory");
  }
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    return Status::resource_limit("bandwidth test: cannot allocate " + std::to_string(bytes >> 20) + " MiB");
  }
  uint8_t* buf = static_cast<uint8_t*>(mem);
  // In huge pages, as the model's weights are (WeightArena): the hardware prefetchers stop at
  // page boundaries, and 2 MiB pages read ~6% faster than 4 KiB ones here.
  madvise(mem, bytes, MADV_HUGEPAGE);
  // Touch every page from the thread that will read it (first-touch placement), with non-zero data.
  const int n_threads = pool.size();
  const uint64_t part = bytes / n_threads / 64 * 64;
  pool.run([&](int i, int) { std::memset(buf + part * i, 1 + i, part); });
  return std::unique_ptr<ReadBuffer>(new ReadBuffer(buf, part * static_cast<uint64_t>(n_threads), bytes));
}

double ReadBuffer::read_seconds(ThreadPool& pool, uint64_t bytes) {
  static const bool avx2 = have_avx2();
  bytes = std::min(bytes, bytes_) / 64 * 64;
  if (cursor_ + bytes > bytes_) cursor_ = 0;
  const uint8_t* base = data_ + cursor_;
  cursor_ += bytes;
  std::atomic<uint64_t> sum{0};
  const auto t0 = std::chrono::steady_clock::now();
  // In 64-byte lines, each thread one contiguous run of chunks and then the others' leftovers, as
  // the weight products split their rows: a thread the host preempts delays the read by a chunk
  // only, as it delays a product.
  pool.parallel_for(static_cast<int64_t>(bytes / 64), [&](int64_t begin, int64_t end) {
    const uint64_t b = static_cast<uint64_t>(begin) * 64, e = static_cast<uint64_t>(end) * 64;
    sum += avx2 ? read_sum_avx2(base + b, e - b) : read_sum_scalar(base + b, e - b);
  });
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  last_sum_ = sum.load();
  return s;
}

double ReadBuffer::best_bytes_per_s(ThreadPool& pool, int passes) {
  double best = 0;
  for (int p = 0; p < passes; ++p) best = std::max(best, static_cast<double>(bytes_) / read_seconds(pool, bytes_));
  return best;
}

}  // namespace lantern::engine
