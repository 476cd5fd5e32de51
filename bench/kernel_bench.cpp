// kernel_bench: the compute speed of one weight type's dot-product kernels at every SIMD level,
// with the weights in L2 (no memory traffic), single-threaded. Decode can only run at the bus's
// speed if each core's kernel is clearly faster than its share of the bus, so this is the number
// to compare with the per-thread read bandwidth that matvec_bench and `lantern bench` report.
//
// Usage: kernel_bench [--type Q4_K] [--cols 1536] [--rows 64] [--seconds 1]
// Prints GB of weights per second of the dot product (vec_dot) at each level the CPU runs, and of
// the dot over packed rows (vec_dot_packed) where the level has one.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "kernels.h"
#include "lantern/engine/quant.h"
#include "tensor_type_arg.h"

using namespace lantern::engine;

namespace {

// Runs `pass` (one pass over all rows) repeatedly for about `seconds`, in five rounds; returns
// the best round's passes per second (a shared VM's cores slow down from moment to moment).
template <typename Pass>
double passes_per_second(double seconds, Pass pass) {
  using clock = std::chrono::steady_clock;
  pass();  // warm-up
  double best = 0;
  for (int round = 0; round < 5; ++round) {
    int64_t n = 0;
    const auto t0 = clock::now();
    double elapsed = 0;
    while (elapsed < seconds / 5) {
      for (int k = 0; k < 16; ++k) pass();
      n += 16;
      elapsed = std::chrono::duration<double>(clock::now() - t0).count();
    }
    best = std::max(best, static_cast<double>(n) / elapsed);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::string type_name = "Q4_K";
  int64_t cols = 1536, rows = 64;
  double seconds = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--type") type_name = v;
    else if (k == "--cols") cols = std::atoll(v.c_str());
    else if (k == "--rows") rows = std::atoll(v.c_str());
    else if (k == "--seconds") seconds = std::atof(v.c_str());
    else {
      std::fprintf(stderr, "kernel_bench: unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (rows < 1 || cols <= 0) {
    std::fprintf(stderr, "kernel_bench: need --rows >= 1 and --cols > 0\n");
    return 2;
  }
  const TensorType type = parse_tensor_type("kernel_bench", type_name);
  std::mt19937 rng(1);
  std::normal_distribution<float> dist(0, 0.02f);
  std::vector<float> w(rows * cols), x(cols);
  for (auto& v : w) v = dist(rng);
  for (auto& v : x) v = dist(rng) * 50;
  auto q = quantize_rows(type, w.data(), cols, rows);
  if (!q.ok()) {
    std::fprintf(stderr, "kernel_bench: %s\n", q.status().to_string().c_str());
    return 1;
  }
  const int64_t row_bytes = static_cast<int64_t>(q->size()) / rows;
  std::printf("%s %lldx%lld (%.0f KB of weights), 1 thread\n", type_name.c_str(), static_cast<long long>(rows),
              static_cast<long long>(cols), q->size() / 1024.0);
  for (auto level : {kernels::SimdLevel::kScalar, kernels::SimdLevel::kAvx2, kernels::SimdLevel::kAvx512}) {
    const kernels::TypeTraits* t = kernels::traits_at(level, type);
    if (t == nullptr || t->vec_dot == nullptr) continue;
    std::vector<uint8_t> xq(static_cast<size_t>(cols) * 4 + 1024);
    const void* xp = x.data();
    if (t->vec_dot_type != TensorType::kF32) {
      const kernels::TypeTraits* xt = kernels::traits_at(level, t->vec_dot_type);
      xt->from_float(x.data(), xq.data(), cols);
      if (t->x_permute != nullptr) t->x_permute(xq.data(), cols);
      xp = xq.data();
    }
    std::vector<float> y(rows);
    const double bytes = static_cast<double>(q->size());
    const double one = passes_per_second(seconds, [&] {
      for (int64_t r = 0; r < rows; ++r) y[r] = t->vec_dot(cols, q->data() + r * row_bytes, xp);
    });
    std::printf("  %-7s vec_dot   %6.2f GB/s\n", kernels::simd_level_name(level), one * bytes / 1e9);
    if (t->vec_dot_packed == nullptr || rows % kernels::kPackRows != 0) continue;
    // The same rows packed four at a time (as the weight copy holds them), with the activations
    // in the packed dot's order.
    std::vector<uint8_t> groups(q->size());
    for (int64_t g = 0; g < rows; g += kernels::kPackRows) {
      t->pack(q->data() + g * row_bytes, groups.data() + g * row_bytes, cols);
    }
    const kernels::TypeTraits* xt = kernels::traits_at(level, t->vec_dot_type);
    xt->from_float(x.data(), xq.data(), cols);
    t->x_permute_packed(xq.data(), cols);
    const double packed = passes_per_second(seconds, [&] {
      for (int64_t g = 0; g < rows; g += kernels::kPackRows) {
        t->vec_dot_packed(cols, groups.data() + g * row_bytes, xq.data(), y.data() + g);
      }
    });
    std::printf("  %-7s packed    %6.2f GB/s\n", kernels::simd_level_name(level), packed * bytes / 1e9);
    // The layout conversions: pack runs on every weight once per load (in the background copy),
    // unpack_row where one packed row is dequantized alone (get_row, a group cut by a tile edge).
    std::vector<uint8_t> back(q->size());
    const double pack = passes_per_second(seconds, [&] {
      for (int64_t g = 0; g < rows; g += kernels::kPackRows) {
        t->pack(q->data() + g * row_bytes, groups.data() + g * row_bytes, cols);
      }
    });
    const double unpack = passes_per_second(seconds, [&] {
      for (int64_t r = 0; r < rows; ++r) {
        t->unpack_row(groups.data() + r / kernels::kPackRows * kernels::kPackRows * row_bytes,
                      r % kernels::kPackRows, back.data() + r * row_bytes, cols);
      }
    });
    std::printf("  layout  pack      %6.2f GB/s, unpack_row %6.2f GB/s\n", pack * bytes / 1e9, unpack * bytes / 1e9);
  }
  return 0;
}
