// /proc/meminfo and CPU-count reading for the up-front resource checks; see system_memory.h.
#include "system_memory.h"

#include <sched.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <thread>

namespace lantern::engine {

SystemMemory read_system_memory() {
  SystemMemory m;
  FILE* f = std::fopen("/proc/meminfo", "r");
  if (!f) return m;
  uint64_t avail = 0, swap_free = 0;
  char line[256];
  while (std::fgets(line, sizeof line, f)) {
    char key[64];
    unsigned long long kb = 0;
    if (std::sscanf(line, "%63[^:]: %llu", key, &kb) != 2) continue;
    const uint64_t bytes = static_cast<uint64_t>(kb) * 1024;
    if (std::strcmp(key, "MemTotal") == 0) m.ram_total = bytes;
    else if (std::strcmp(key, "SwapTotal") == 0) m.swap_total = bytes;
    else if (std::strcmp(key, "MemAvailable") == 0) avail = bytes;
    else if (std::strcmp(key, "SwapFree") == 0) swap_free = bytes;
  }
  std::fclose(f);
  m.available = avail + swap_free;
  return m;
}

std::string format_bytes(uint64_t bytes) {
  char buf[32];
  if (bytes >= (1ull << 30)) std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / (1ull << 30));
  else std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1ull << 20));
  return buf;
}

int max_useful_threads() {
  int cores = 0;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) cores = CPU_COUNT(&set);
  if (cores <= 0) cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::max(8, 4 * std::max(cores, 1));
}

}  // namespace lantern::engine
