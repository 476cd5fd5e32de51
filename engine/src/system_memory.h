// What the machine can hold, from /proc/meminfo, for refusing up front what cannot fit (a model
// file larger than RAM + swap, a KV cache larger than the memory available) instead of thrashing or
// being killed by the OOM killer halfway through.
//
// The one thing to know: on a system without /proc/meminfo every field is 0 and the checks using it
// let everything through (they are a courtesy, not a security boundary).
#pragma once

#include <cstdint>
#include <string>

namespace lantern::engine {

struct SystemMemory {
  uint64_t ram_total = 0;   // bytes (MemTotal)
  uint64_t swap_total = 0;  // bytes (SwapTotal)
  uint64_t available = 0;   // bytes that can be allocated now: MemAvailable + SwapFree
};

SystemMemory read_system_memory();

// "12.3 GiB" / "512.0 MiB" for messages.
std::string format_bytes(uint64_t bytes);

// Threads beyond this are refused: max(8, 4 x the CPU cores the process may run on).
int max_useful_threads();

}  // namespace lantern::engine
