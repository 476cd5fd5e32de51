// WeightArena: see weight_arena.h.
#include "weight_arena.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "packed_rows.h"
#include "system_memory.h"

namespace lantern::engine {
namespace {

constexpr uint64_t kHugePage = 2ull << 20;
constexpr uint64_t kAlign = 64;
// Bytes per segment (see segment_rows): stopping waits for at most one segment's read.
constexpr uint64_t kSegment = 1ull << 20;
// Scheduling priority of the copying thread (nice value; 19 is the lowest).
constexpr int kCopyNice = 10;

// "always [madvise] never" -> whether the bracketed choice allows madvise()d huge pages.
bool transparent_huge_pages_enabled() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  if (!std::getline(f, line)) return false;
  return line.find("[never]") == std::string::npos;
}

// Drops this process's mapping of the pages that hold [p, p + n) of the read-only file mapping,
// rounded out to whole pages: a page shared with a neighbour not copied yet is mapped again from
// the page cache when read (the bytes are the same), so nothing is lost, and no boundary page
// stays resident for good (with 1 MiB segments those were 4-8 MB).
void release_mapped(const uint8_t* p, uint64_t n) {
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t begin = reinterpret_cast<uint64_t>(p) / page * page;
  const uint64_t end = (reinterpret_cast<uint64_t>(p) + n + page - 1) / page * page;
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace

std::string WeightArena::unavailable_reason(uint64_t bytes) {
  const char* env = std::getenv("LANTERN_WEIGHTS");
  if (env != nullptr && std::strcmp(env, "mmap") == 0) return "LANTERN_WEIGHTS=mmap";
  if (!transparent_huge_pages_enabled()) return "transparent huge pages are off";
  // The copy must fit next to everything else with room to spare: a tenth of RAM, at least 512 MiB.
  const SystemMemory mem = read_system_memory();
  const uint64_t margin = std::max<uint64_t>(512ull << 20, mem.ram_total / 10);
  if (mem.ram_total > 0 && mem.available < bytes + margin) {
    return format_bytes(bytes) + " of weights would leave less than " + format_bytes(margin) + " of memory free";
  }
  return "";
}

Result<std::unique_ptr<WeightArena>> WeightArena::create(uint64_t capacity) {
  std::unique_ptr<WeightArena> a(new WeightArena());
  a->capacity_ = (capacity + kHugePage - 1) / kHugePage * kHugePage;
  a->map_len_ = a->capacity_ + kHugePage;  // room to align the start to a huge page
  void* m = mmap(nullptr, a->map_len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) {
    return Status::from_errno("weights: reserving " + format_bytes(a->map_len_) + " of memory", errno);
  }
  a->map_ = m;
  a->base_ = reinterpret_cast<uint8_t*>((reinterpret_cast<uint64_t>(m) + kHugePage - 1) / kHugePage * kHugePage);
  madvise(a->base_, a->capacity_, MADV_HUGEPAGE);  // advice only: without it the copy still works
  return a;
}

WeightArena::~WeightArena() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (map_ != nullptr) munmap(map_, map_len_);
}

int64_t WeightArena::segment_rows(int64_t row_bytes) {
  const int64_t rows = static_cast<int64_t>(kSegment) / std::max<int64_t>(row_bytes, 1) / 16 * 16;
  return std::max<int64_t>(rows, 16);
}

bool WeightArena::packing_allowed() {
  const char* env = std::getenv("LANTERN_WEIGHTS");
  return env == nullptr || std::strcmp(env, "copy") != 0;
}

const std::atomic<const uint8_t*>* WeightArena::add(uint64_t offset, const uint8_t* mapped, int64_t rows,
                                                     int64_t row_bytes, kernels::PackFn pack, int64_t cols,
                                                     kernels::BandShape band) {
  const uint64_t n = static_cast<uint64_t>(rows) * static_cast<uint64_t>(row_bytes);
  const uint64_t at = (used_ + kAlign - 1) / kAlign * kAlign;
  if (rows <= 0 || row_bytes <= 0 || at > capacity_ || n > capacity_ - at) return nullptr;
  used_ = at + n;
  total_ += n;
  packs_ = packs_ || pack != nullptr;
  const int64_t seg = segment_rows(row_bytes);
  const int64_t n_seg = (rows + seg - 1) / seg;
  auto& slots = slots_.emplace_back(new std::atomic<const uint8_t*>[static_cast<size_t>(n_seg)]);
  for (int64_t k = 0; k < n_seg; ++k) {
    slots[k].store(nullptr, std::memory_order_relaxed);
    const uint64_t begin = static_cast<uint64_t>(k * seg) * static_cast<uint64_t>(row_bytes);
    const uint64_t len = static_cast<uint64_t>(std::min(rows, (k + 1) * seg) - k * seg) * static_cast<uint64_t>(row_bytes);
    pending_.push_back(
        {offset + begin, mapped + begin, base_ + at + begin, len, &slots[k], pack, cols, row_bytes, band});
  }
  return slots.get();
}

void WeightArena::start(const GgufFile& file) {
  if (pending_.empty() || thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = false;
  }
  thread_ = std::thread([this, &file] { run(file); });
}

void WeightArena::run(const GgufFile& file) {
  // Below the threads that compute: on a busy machine the copy waits for idle moments (the user
  // typing, the time between turns) instead of slowing the first answer. Best effort.
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kCopyNice);
  Status error;
  std::vector<uint8_t> staging;
  for (const Copy& c : pending_) {
    if (stop_) break;
    error = copy_segment(file, c, staging);
    if (!error.ok()) break;
    c.slot->store(c.dst, std::memory_order_release);  // products from now on read the copy
    release_mapped(c.mapped, c.n);
    copied_.fetch_add(c.n, std::memory_order_relaxed);
  }
  // A product that took a segment's old address just before it moved reads on from the mapping
  // and maps those pages again (a whole 2 MiB one where the page cache holds the file in huge
  // folios): one more pass over everything copied drops what came back (seen: 17-22 MB).
  if (error.ok() && !stop_) {
    for (const Copy& c : pending_) release_mapped(c.mapped, c.n);
  }
  std::lock_guard<std::mutex> lock(mu_);
  error_ = std::move(error);
  done_ = true;
  done_cv_.notify_all();
}

Status WeightArena::copy_segment(const GgufFile& file, const Copy& c, std::vector<uint8_t>& staging) {
  if (c.pack == nullptr) return file.read_at(c.offset, c.dst, c.n);
  // Segments start at a multiple of 16 rows, so neither groups nor bands straddle two.
  const uint64_t rows = c.n / static_cast<uint64_t>(c.row_bytes);
  const uint64_t group_bytes = kernels::kPackRows * static_cast<uint64_t>(c.row_bytes);
  const uint64_t packed = rows / kernels::kPackRows * group_bytes;
  // Bands: each band's groups are packed after the segment's bytes in `staging`, then reordered.
  const uint64_t band_bytes = kernels::kBandGroups * group_bytes;
  const uint64_t need = c.n + (c.band.nb > 0 ? band_bytes : 0);
  if (staging.size() < need) staging.resize(need);
  LT_RETURN_IF_ERROR(file.read_at(c.offset, staging.data(), c.n));
  if (c.band.nb == 0) {
    for (uint64_t at = 0; at < packed; at += group_bytes) c.pack(staging.data() + at, c.dst + at, c.cols);
  } else {
    uint8_t* groups = staging.data() + c.n;
    const int64_t packed_rows = static_cast<int64_t>(rows / kernels::kPackRows * kernels::kPackRows);
    for (uint64_t at = 0; at < packed; at += band_bytes) {
      const int64_t n_groups = kernels::band_groups(packed_rows, static_cast<int64_t>(at / c.row_bytes));
      for (int64_t g = 0; g < n_groups; ++g) c.pack(staging.data() + at + g * group_bytes, groups + g * group_bytes, c.cols);
      kernels::to_band(groups, c.dst + at, n_groups, c.band);
    }
  }
  std::memcpy(c.dst + packed, staging.data() + packed, c.n - packed);
  return ok_status();
}

Status WeightArena::wait() const {
  std::unique_lock<std::mutex> lock(mu_);
  done_cv_.wait(lock, [this] { return done_; });
  return error_;
}

}  // namespace lantern::engine
