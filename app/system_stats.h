// Machine figures for the stats pane: CPU use per core and of this process (from /proc, as deltas
// between two calls), resident memory, and the first NVIDIA GPU through NVML, loaded with dlopen
// at run time (libnvidia-ml.so.1) so lantern needs no NVIDIA package to build or run.
//
// The one thing to know: CPU figures are rates, so the first sample() after construction reports
// zeros; call it about once a second. Not thread-safe: one sampler per caller.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lantern::app {

struct SystemSample {
  std::vector<double> cpu_per_core;  // percent busy per core since the last sample
  double process_cpu = 0;            // this process, percent of one core (can exceed 100)
  uint64_t rss_bytes = 0;
  bool gpu_present = false;
  std::string gpu_name;
  double gpu_util = 0;               // percent
  uint64_t gpu_mem_used = 0;
  uint64_t gpu_mem_total = 0;
};

class SystemStats {
 public:
  SystemStats();
  ~SystemStats();
  SystemStats(const SystemStats&) = delete;
  SystemStats& operator=(const SystemStats&) = delete;

  SystemSample sample();

 private:
  struct CoreTimes {
    uint64_t busy = 0, total = 0;
  };
  std::vector<CoreTimes> last_cores_;
  uint64_t last_proc_ticks_ = 0;
  double last_wall_ = 0;

  struct Nvml;
  Nvml* nvml_ = nullptr;  // null when no driver
};

// Resident set size of this process from /proc/self/statm (0 when unavailable).
uint64_t current_rss_bytes();

}  // namespace lantern::app
