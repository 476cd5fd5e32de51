// A fixed set of worker threads that run one parallel job at a time (matrix multiplies, attention
// heads). Threads are created once in the constructor; a job costs two atomic handshakes, no
// thread creation and, while jobs arrive back to back, no system call.
//
// The one thing to know: run() / parallel_for() must not be called from inside a job of the same
// pool (the nested call would wait for itself). Calls from several threads are serialized.
// Idle workers spin for a short while (~0.2 ms) before sleeping on a futex, so that the next
// matrix of a decode step starts without a wake-up delay.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

namespace lantern::engine {

class ThreadPool {
 public:
  // n_threads <= 0: default_threads(). The calling thread counts as one of them.
  explicit ThreadPool(int n_threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }

  // Physical cores available to this process (hyperthread siblings counted once), at least 1.
  static int default_threads();

  // Calls fn(thread_index, n_threads) once on each of size() threads, the caller being thread 0,
  // and returns when all calls have returned. fn must not throw.
  template <class F>
  void run(F&& fn) {
    using Fn = std::remove_reference_t<F>;
    run_raw([](void* ctx, int i, int n) { (*static_cast<Fn*>(ctx))(i, n); },
            const_cast<void*>(static_cast<const void*>(&fn)));
  }

  // Calls fn(begin, end) over chunks that cover [0, n) exactly once, in parallel. Chunk
  // boundaries are multiples of `grain`. Each thread owns a contiguous run of about
  // kChunksPerThread chunks and takes them in order (one unbroken stream through memory, which
  // the hardware prefetchers follow); a thread that finishes its run takes the remaining chunks of
  // the others, so a thread the OS preempts (this machine is shared) delays the job by one chunk,
  // not by its whole share.
  template <class F>
  void parallel_for(int64_t n, F&& fn, int64_t grain = 1) {
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    const int64_t n_grains = (n + grain - 1) / grain;
    if (n_threads_ == 1 || n_grains == 1) {
      fn(int64_t{0}, n);
      return;
    }
    const int64_t chunk_grains = std::max<int64_t>(1, n_grains / (int64_t{n_threads_} * kChunksPerThread));
    const int64_t n_chunks = (n_grains + chunk_grains - 1) / chunk_grains;
    // Thread t's run is chunks [first(t), first(t + 1)); next[t] is the next one not yet taken.
    // One cache line per counter: each thread takes its own chunks without pulling the line of
    // the others' counters away from them.
    auto first = [&](int t) { return n_chunks * t / n_threads_; };
    // Plain int64_t used through atomic_ref: an array of std::atomic would be zeroed on every call.
    struct alignas(64) Counter {
      int64_t v;
    };
    Counter next[kMaxThreads];
    for (int t = 0; t < n_threads_; ++t) next[t].v = first(t);
    run([&](int self, int n_threads) {
      for (int k = 0; k < n_threads; ++k) {
        const int t = (self + k) % n_threads;
        const int64_t end = first(t + 1);
        for (int64_t c; (c = std::atomic_ref<int64_t>(next[t].v).fetch_add(1, std::memory_order_relaxed)) < end;) {
          fn(c * chunk_grains * grain, std::min(n, (c + 1) * chunk_grains * grain));
        }
      }
    });
  }

  // 32 rather than 8: the last chunk a thread takes is what the other waits for. Decode of a 1.5B
  // Q4_K_M model on 2 threads (Zen 5 VM): the caller's wait fell from 4.2-5.2% to 2.3-3.7% of the
  // time inside parallel jobs.
  static constexpr int kChunksPerThread = 32;
  // Threads a pool has at most (more are clamped; Model::load refuses more than 4 per core).
  static constexpr int kMaxThreads = 256;

 private:
  void run_raw(void (*fn)(void*, int, int), void* ctx);

  struct Shared;
  int n_threads_;
  std::unique_ptr<Shared> shared_;
};

}  // namespace lantern::engine
