// ThreadPool: persistent workers woken by a generation counter.
//
// The one thing to know: the protocol is (1) the caller publishes fn/ctx, then bumps `generation`;
// (2) each worker that sees a new generation runs its share and increments `done`; (3) the caller
// runs share 0, then waits until done == n_threads - 1. Waiting is a short spin, then a futex wait
// (std::atomic::wait), so idle pools cost no CPU.
#include "lantern/engine/thread_pool.h"

#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LT_CPU_RELAX() _mm_pause()
#else
#define LT_CPU_RELAX() ((void)0)
#endif

namespace lantern::engine {

namespace {
constexpr auto kSpinTime = std::chrono::microseconds(200);

// Spins until pred() holds or kSpinTime passed; returns pred().
template <class Pred>
bool spin_until(Pred pred) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0;; ++i) {
    if (pred()) return true;
    LT_CPU_RELAX();
    if ((i & 63) == 63 && std::chrono::steady_clock::now() - start > kSpinTime) return pred();
  }
}
}  // namespace

struct ThreadPool::Shared {
  std::mutex call_mutex;                   // serializes run_raw callers
  std::atomic<uint32_t> generation{0};     // bumped once per job; workers wait on it
  std::atomic<uint32_t> done{0};           // workers finished with the current job
  std::atomic<bool> stop{false};
  void (*fn)(void*, int, int) = nullptr;   // the current job (published before generation)
  void* ctx = nullptr;
  std::vector<std::thread> workers;
};

int ThreadPool::default_threads() {
  cpu_set_t set;
  CPU_ZERO(&set);
  int n_allowed = 0;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) n_allowed = CPU_COUNT(&set);
  std::set<std::pair<std::string, std::string>> cores;
  bool topology_ok = n_allowed > 0;
  for (int cpu = 0; topology_ok && cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &set)) continue;
    const std::string base = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
    std::ifstream core(base + "core_id"), pkg(base + "physical_package_id");
    std::string core_id, pkg_id;
    if (!(core >> core_id) || !(pkg >> pkg_id)) {
      topology_ok = false;
      break;
    }
    cores.insert({pkg_id, core_id});
  }
  if (topology_ok && !cores.empty()) return static_cast<int>(cores.size());
  if (n_allowed > 0) return n_allowed;
  const unsigned hc = std::thread::hardware_concurrency();
  return hc > 0 ? static_cast<int>(hc) : 1;
}

ThreadPool::ThreadPool(int n_threads)
    : n_threads_(std::min(n_threads > 0 ? n_threads : default_threads(), kMaxThreads)),
      shared_(std::make_unique<Shared>()) {
  Shared* s = shared_.get();
  const int n = n_threads_;
  for (int index = 1; index < n; ++index) {
    s->workers.emplace_back([s, index, n] {
      uint32_t seen = 0;
      for (;;) {
        if (!spin_until([&] { return s->generation.load(std::memory_order_acquire) != seen; })) {
          while (s->generation.load(std::memory_order_acquire) == seen) s->generation.wait(seen);
        }
        seen = s->generation.load(std::memory_order_acquire);
        if (s->stop.load(std::memory_order_acquire)) return;
        s->fn(s->ctx, index, n);
        s->done.fetch_add(1, std::memory_order_acq_rel);
        s->done.notify_one();
      }
    });
  }
}

ThreadPool::~ThreadPool() {
  Shared* s = shared_.get();
  {
    std::lock_guard<std::mutex> lock(s->call_mutex);
    s->stop.store(true, std::memory_order_release);
    s->generation.fetch_add(1, std::memory_order_acq_rel);
    s->generation.notify_all();
  }
  for (auto& t : s->workers) t.join();
}

void ThreadPool::run_raw(void (*fn)(void*, int, int), void* ctx) {
  if (n_threads_ == 1) {
    fn(ctx, 0, 1);
    return;
  }
  Shared* s = shared_.get();
  std::lock_guard<std::mutex> lock(s->call_mutex);
  s->fn = fn;
  s->ctx = ctx;
  s->done.store(0, std::memory_order_relaxed);
  s->generation.fetch_add(1, std::memory_order_acq_rel);
  s->generation.notify_all();
  fn(ctx, 0, n_threads_);
  const uint32_t target = static_cast<uint32_t>(n_threads_ - 1);
  if (!spin_until([&] { return s->done.load(std::memory_order_acquire) == target; })) {
    for (uint32_t d; (d = s->done.load(std::memory_order_acquire)) != target;) s->done.wait(d);
  }
}

}  // namespace lantern::engine
