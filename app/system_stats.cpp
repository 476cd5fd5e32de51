// /proc and NVML sampling; see system_stats.h. NVML is bound by name with dlsym to the few entry
// points used, with their C signatures declared here (the handle types are opaque pointers).
#include "system_stats.h"

#include <dlfcn.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace lantern::app {
namespace {

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// NVML's C API, as documented: nvmlReturn_t is an int, 0 = success.
using NvmlDevice = void*;
struct NvmlUtilization {
  unsigned int gpu, memory;
};
struct NvmlMemory {
  unsigned long long total, free, used;
};
using InitFn = int (*)();
using ShutdownFn = int (*)();
using CountFn = int (*)(unsigned int*);
using HandleFn = int (*)(unsigned int, NvmlDevice*);
using NameFn = int (*)(NvmlDevice, char*, unsigned int);
using UtilFn = int (*)(NvmlDevice, NvmlUtilization*);
using MemFn = int (*)(NvmlDevice, NvmlMemory*);

}  // namespace

struct SystemStats::Nvml {
  void* lib = nullptr;
  ShutdownFn shutdown = nullptr;
  UtilFn util = nullptr;
  MemFn mem = nullptr;
  NvmlDevice device = nullptr;
  std::string name;
};

uint64_t current_rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long long size = 0, resident = 0;
  int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

SystemStats::SystemStats() {
  last_wall_ = wall_seconds();
  // Prime the CPU counters so the first real sample is a delta.
  sample();
  void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) return;
  auto init = reinterpret_cast<InitFn>(dlsym(lib, "nvmlInit_v2"));
  auto count = reinterpret_cast<CountFn>(dlsym(lib, "nvmlDeviceGetCount_v2"));
  auto handle = reinterpret_cast<HandleFn>(dlsym(lib, "nvmlDeviceGetHandleByIndex_v2"));
  auto name = reinterpret_cast<NameFn>(dlsym(lib, "nvmlDeviceGetName"));
  auto util = reinterpret_cast<UtilFn>(dlsym(lib, "nvmlDeviceGetUtilizationRates"));
  auto mem = reinterpret_cast<MemFn>(dlsym(lib, "nvmlDeviceGetMemoryInfo"));
  auto shutdown = reinterpret_cast<ShutdownFn>(dlsym(lib, "nvmlShutdown"));
  unsigned int n = 0;
  NvmlDevice dev = nullptr;
  if (!init || !count || !handle || !name || !util || !mem || !shutdown || init() != 0) {
    dlclose(lib);
    return;
  }
  if (count(&n) != 0 || n == 0 || handle(0, &dev) != 0) {
    shutdown();
    dlclose(lib);
    return;
  }
  nvml_ = new Nvml{lib, shutdown, util, mem, dev, {}};
  char buf[96] = {};
  if (name(dev, buf, sizeof buf) == 0) nvml_->name = buf;
  if (n > 1) nvml_->name += " (+" + std::to_string(n - 1) + " more)";
}

SystemStats::~SystemStats() {
  if (nvml_) {
    nvml_->shutdown();
    dlclose(nvml_->lib);
    delete nvml_;
  }
}

SystemSample SystemStats::sample() {
  SystemSample out;
  // Per-core: "cpuN user nice system idle iowait irq softirq steal ..." in clock ticks.
  std::ifstream stat("/proc/stat");
  std::string line;
  std::vector<CoreTimes> cores;
  while (std::getline(stat, line)) {
    if (line.compare(0, 3, "cpu") != 0) break;
    if (line.size() < 4 || line[3] == ' ') continue;  // the "cpu " total line
    std::istringstream in(line);
    std::string label;
    in >> label;
    uint64_t v[8] = {};
    for (uint64_t& x : v) in >> x;
    CoreTimes t;
    uint64_t idle = v[3] + v[4];
    for (uint64_t x : v) t.total += x;
    t.busy = t.total - idle;
    cores.push_back(t);
  }
  for (size_t i = 0; i < cores.size(); ++i) {
    double pct = 0;
    if (i < last_cores_.size() && cores[i].total > last_cores_[i].total) {
      double dt = static_cast<double>(cores[i].total - last_cores_[i].total);
      double db = cores[i].busy >= last_cores_[i].busy ? static_cast<double>(cores[i].busy - last_cores_[i].busy) : 0;
      pct = 100.0 * db / dt;
    }
    out.cpu_per_core.push_back(pct);
  }
  last_cores_ = std::move(cores);

  // This process: utime + stime (fields 14 and 15 of /proc/self/stat, after the "(comm)").
  std::ifstream self("/proc/self/stat");
  std::string all((std::istreambuf_iterator<char>(self)), std::istreambuf_iterator<char>());
  size_t close = all.rfind(')');
  if (close != std::string::npos) {
    std::istringstream in(all.substr(close + 2));
    std::string field;
    uint64_t utime = 0, stime = 0;
    for (int i = 3; i <= 15 && in >> field; ++i) {
      if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
      if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
    }
    uint64_t ticks = utime + stime;
    double now = wall_seconds();
    double dt = now - last_wall_;
    if (dt > 0 && ticks >= last_proc_ticks_ && last_proc_ticks_ != 0) {
      out.process_cpu = 100.0 * static_cast<double>(ticks - last_proc_ticks_) / static_cast<double>(sysconf(_SC_CLK_TCK)) / dt;
    }
    last_proc_ticks_ = ticks == 0 ? 1 : ticks;
    last_wall_ = now;
  }
  out.rss_bytes = current_rss_bytes();

  if (nvml_) {
    out.gpu_present = true;
    out.gpu_name = nvml_->name;
    NvmlUtilization u{};
    if (nvml_->util(nvml_->device, &u) == 0) out.gpu_util = u.gpu;
    NvmlMemory m{};
    if (nvml_->mem(nvml_->device, &m) == 0) {
      out.gpu_mem_used = m.used;
      out.gpu_mem_total = m.total;
    }
  }
  return out;
}

}  // namespace lantern::app
