// matvec_bench: speed of Matrix::multiply for one weight type and shape, against the machine's
// measured read bandwidth. Decode is a chain of matvecs over weights that do not fit in cache, so
// the working set here is many copies of the matrix (default 1 GiB) visited in turn.
//
// Usage: matvec_bench [--type Q4_K] [--rows 8960] [--cols 1536] [--threads T] [--tokens N]
//                     [--mb 1024] [--seconds 3]
// --tokens N > 1 measures the batched (prompt) path and reports GFLOP/s instead.
// --packed 1 reads the rows packed four at a time (packed_rows.h) as the weight copy holds them,
// where the CPU level has a kernel for them. --compare-bands 1 (with --packed 1, rows long
// enough for bands) stores every other copy in whole groups instead, calls the copies in a random
// order and prints both speeds: the two layouts compared over the same minutes of a noisy bus.
// --compare-read 1 follows every product with a plain read of as many bytes (ReadBuffer, split
// over the threads as the product is) and prints the product's speed over the read's: the cost
// of the product's work over its bytes alone, call for call.
#include <sys/mman.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <atomic>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "kernels.h"
#include "packed_rows.h"
#include "lantern/engine/matrix.h"
#include "lantern/engine/membench.h"
#include "lantern/engine/quant.h"
#include "tensor_type_arg.h"
#include "lantern/engine/thread_pool.h"

using namespace lantern::engine;

int main(int argc, char** argv) {
  std::string type_name = "Q4_K";
  int64_t rows = 8960, cols = 1536, tokens = 1, mb = 1024;
  int threads = 0;
  bool packed = false, compare_bands = false, compare_read = false;
  double seconds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--type") type_name = v;
    else if (k == "--rows") rows = std::atoll(v.c_str());
    else if (k == "--cols") cols = std::atoll(v.c_str());
    else if (k == "--threads") threads = std::atoi(v.c_str());
    else if (k == "--tokens") tokens = std::atoll(v.c_str());
    else if (k == "--mb") mb = std::atoll(v.c_str());
    else if (k == "--seconds") seconds = std::atof(v.c_str());
    else if (k == "--packed") packed = std::atoi(v.c_str()) != 0;
    else if (k == "--compare-bands") compare_bands = std::atoi(v.c_str()) != 0;
    else if (k == "--compare-read") compare_read = std::atoi(v.c_str()) != 0;
    else {
      std::fprintf(stderr, "matvec_bench: unknown option %s\n", k.c_str());
      return 2;
    }
  }
  const TensorType type = parse_tensor_type("matvec_bench", type_name);
  ThreadPool pool(threads);

  // A block of 64 quantized random rows, replicated to fill the working set.
  const int64_t seed_rows = 64;
  std::mt19937 rng(1);
  std::normal_distribution<float> dist(0, 0.02f);
  std::vector<float> w(seed_rows * cols);
  for (auto& v : w) v = dist(rng);
  auto q = quantize_rows(type, w.data(), cols, seed_rows);
  if (!q.ok()) {
    std::fprintf(stderr, "matvec_bench: %s\n", q.status().to_string().c_str());
    return 1;
  }
  const int64_t row_bytes = static_cast<int64_t>(q->size()) / seed_rows;
  const int64_t matrix_bytes = row_bytes * rows;
  const int64_t copies = std::max<int64_t>(1, (mb << 20) / matrix_bytes);
  const size_t big_bytes = static_cast<size_t>(matrix_bytes * copies);
  void* big_mem = mmap(nullptr, big_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (big_mem == MAP_FAILED) {
    std::fprintf(stderr, "matvec_bench: cannot allocate %zu bytes\n", big_bytes);
    return 1;
  }
  madvise(big_mem, big_bytes, MADV_HUGEPAGE);  // as the model's weights are (WeightArena)
  std::span<uint8_t> big(static_cast<uint8_t*>(big_mem), big_bytes);
  for (int64_t r = 0; r < rows * copies; ++r) {
    std::memcpy(big.data() + r * row_bytes, q->data() + (r % seed_rows) * row_bytes, row_bytes);
  }
  std::vector<Matrix> mats;
  for (int64_t c = 0; c < copies; ++c) {
    mats.push_back(Matrix::from_tensor(type, big.data() + c * matrix_bytes, cols, rows, "w").value());
  }
  // Packed: every matrix's rows regrouped in place, read through one moved segment.
  const kernels::TypeTraits* traits = kernels::active_traits(type);
  const int64_t seg_rows = (rows + 15) / 16 * 16;
  std::vector<std::unique_ptr<std::atomic<const uint8_t*>>> slots;
  if (packed && traits->pack == nullptr) {
    std::fprintf(stderr, "matvec_bench: no packed kernel for %s at this SIMD level\n", type_name.c_str());
    return 1;
  }
  if (packed) {
    std::vector<uint8_t> plain(kernels::kPackRows * row_bytes);
    for (int64_t c = 0; c < copies; ++c) {
      uint8_t* m = big.data() + c * matrix_bytes;
      for (int64_t g = 0; g + kernels::kPackRows <= rows; g += kernels::kPackRows) {
        std::memcpy(plain.data(), m + g * row_bytes, plain.size());
        traits->pack(plain.data(), m + g * row_bytes, cols);
      }
      // Long rows in bands, as WeightArena stores them (packed_rows.h); with --compare-bands, the
      // odd copies in whole groups.
      const bool bands = !(compare_bands && c % 2 == 1);
      const kernels::BandShape band = bands ? kernels::band_shape(*traits, cols, row_bytes) : kernels::BandShape{};
      if (band.nb > 0) kernels::to_bands(m, rows / kernels::kPackRows * kernels::kPackRows, row_bytes, band);
      slots.push_back(std::make_unique<std::atomic<const uint8_t*>>(m));
      mats[c] = mats[c].relocatable(slots.back().get(), seg_rows, true, bands);
    }
  }
  std::vector<float> x(tokens * cols), y(tokens * rows);
  for (auto& v : x) v = dist(rng) * 50;

  // One 1 GiB buffer for the bandwidth figure and, with --compare-read, the reads between products.
  auto buffer = ReadBuffer::create(pool, uint64_t{1} << 30);
  const double bw_gbs = buffer.ok() ? (*buffer)->best_bytes_per_s(pool, 4) / 1e9 : 0;
  std::unique_ptr<ReadBuffer> reads;
  if (compare_read) {
    if (!buffer.ok()) {
      std::fprintf(stderr, "matvec_bench: %s\n", buffer.status().to_string().c_str());
      return 1;
    }
    reads = std::move(*buffer);
  }
  double read_time = 0;

  mats[0].multiply(x.data(), tokens, y.data(), pool);  // warm-up
  auto cpu_now = [] {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
  };
  const double cpu0 = cpu_now();
  int64_t calls = 0;
  const auto t0 = std::chrono::steady_clock::now();
  double elapsed = 0;
  double kind_time[2] = {0, 0};  // --compare-bands: even (bands) and odd (whole groups) copies
  int64_t kind_calls[2] = {0, 0};
  std::minstd_rand pick(7);
  while (elapsed < seconds) {
    // In a random order with --compare-bands, so that both kinds see the same minutes of a noisy bus.
    const int64_t c = compare_bands ? static_cast<int64_t>(pick() % copies) : calls % copies;
    const auto c0 = std::chrono::steady_clock::now();
    mats[c].multiply(x.data(), tokens, y.data(), pool);
    const auto c1 = std::chrono::steady_clock::now();
    kind_time[c % 2] += std::chrono::duration<double>(c1 - c0).count();
    ++kind_calls[c % 2];
    ++calls;
    if (reads) read_time += reads->read_seconds(pool, static_cast<uint64_t>(matrix_bytes));
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() - read_time;
  }
  if (compare_bands && tokens == 1 && kind_calls[0] > 0 && kind_calls[1] > 0) {
    const double b = matrix_bytes * kind_calls[0] / kind_time[0] / 1e9, g = matrix_bytes * kind_calls[1] / kind_time[1] / 1e9;
    std::printf("bands %.2f GB/s, whole groups %.2f GB/s (ratio %.3f; %lld and %lld calls, interleaved)\n", b, g, b / g,
                static_cast<long long>(kind_calls[0]), static_cast<long long>(kind_calls[1]));
  }
  if (reads) {
    const double product_s = kind_time[0] + kind_time[1];
    std::printf("product %.2f GB/s, plain read of as many bytes %.2f GB/s: ratio %.3f (%lld calls each, alternating)\n",
                matrix_bytes * calls / product_s / 1e9, matrix_bytes * calls / read_time / 1e9, read_time / product_s,
                static_cast<long long>(calls));
  }
  const double per_call = elapsed / calls;
  const double cpu_per_call = (cpu_now() - cpu0) / calls;
  std::printf("%s%s %lldx%lld threads=%d simd=%s tokens=%lld: %.3f ms per call", type_name.c_str(), packed ? " packed" : "",
              static_cast<long long>(rows), static_cast<long long>(cols), pool.size(),
              kernels::simd_level_name(kernels::active_simd_level()), static_cast<long long>(tokens), per_call * 1e3);
  if (tokens == 1) {
    const double gbs = matrix_bytes / per_call / 1e9;
    std::printf(", %.2f GB/s = %.0f%% of measured read bandwidth %.2f GB/s; %.2f GB per CPU-second\n", gbs,
                100 * gbs / bw_gbs, bw_gbs, matrix_bytes / cpu_per_call / 1e9);
  } else {
    const double gflops = 2.0 * rows * cols * tokens / per_call / 1e9;
    std::printf(", %.1f GFLOP/s (read bandwidth %.2f GB/s); %.1f GFLOP per CPU-second\n", gflops, bw_gbs,
                2.0 * rows * cols * tokens / cpu_per_call / 1e9);
  }
  return 0;
}
