// WeightArena: a private copy of the weight matrices in anonymous memory backed by transparent
// huge pages, made in the background after load, for decode speed.
//
// The one thing to know: decode streams every weight from DRAM once per token, and with 4 KiB
// pages the hardware prefetchers stop at every page boundary and each page costs a TLB walk; in
// 2 MiB pages the same kernels read 20-45% faster (bench/RESULTS.md). A page-cache mapping of the
// file cannot be asked for huge pages reliably, so the weights are copied. Copying at load would
// delay the first token (the kernel zeroes every huge page first), so a background thread copies
// one segment of a matrix (about 1 MiB of rows) at a time and publishes its new address in the
// segment's slot; until then those rows are read from the file mapping, which stays valid for the
// model's lifetime, so a product that started on the old address finishes correctly. Each copied
// range is read with read(2) and its mapped file pages are dropped from the process, so the
// resident size stays about the file size. Matrices added with a PackFn are regrouped on the way
// (packed_rows.h): a segment is published only once it is completely in the packed layout.
// Threading: add() and start() on the loading thread; the slots, wait() and copied() from any
// thread.
// The destructor stops and joins the copying thread; the owner (ModelWeights) destroys the arena
// before the GgufFile it reads from.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kernels.h"
#include "lantern/engine/gguf.h"
#include "lantern/status.h"

namespace lantern::engine {

class WeightArena {
 public:
  // Why the weights are not copied on this system ("" when they may be): transparent huge pages
  // switched off, LANTERN_WEIGHTS=mmap, or less memory available than `bytes` plus a margin.
  static std::string unavailable_reason(uint64_t bytes);
  // Reserves `capacity` bytes of address space (nothing is resident until copied).
  static Result<std::unique_ptr<WeightArena>> create(uint64_t capacity);
  ~WeightArena();
  WeightArena(const WeightArena&) = delete;
  WeightArena& operator=(const WeightArena&) = delete;

  // Schedules the copy of a matrix of `rows` rows of `row_bytes` at `offset` in the file (mapped
  // at `mapped`), in segments of segment_rows(row_bytes) rows; returns the segments' slots (each
  // null until its copy is complete), or nullptr when the arena is full. With `pack` (the
  // matrix type's kernels::PackFn, rows of `cols` elements), every whole group of
  // kernels::kPackRows rows is stored packed and the last rows % kPackRows rows plain; with a
  // `band` shape (kernels::band_shape), the groups are stored in bands (packed_rows.h).
  const std::atomic<const uint8_t*>* add(uint64_t offset, const uint8_t* mapped, int64_t rows, int64_t row_bytes,
                                         kernels::PackFn pack = nullptr, int64_t cols = 0,
                                         kernels::BandShape band = {});
  // Whether matrices may be stored packed: not when LANTERN_WEIGHTS=copy (a plain copy, for
  // comparing the two).
  static bool packing_allowed();
  // Rows per segment for rows of `row_bytes`: about 1 MiB, a multiple of 16 rows. A segment is
  // copied, published and released from the mapping as one unit, so a reader touches at most one
  // segment in both places: the resident size never grows by more than a segment.
  static int64_t segment_rows(int64_t row_bytes);
  // Starts copying everything added, in order, on one background thread.
  void start(const GgufFile& file);
  // Blocks until every copy is done (or failed). Returns the first read error, if any (the
  // matrices of a failed copy keep reading the file mapping).
  Status wait() const;
  // Bytes copied so far and bytes in all.
  uint64_t copied() const { return copied_.load(std::memory_order_relaxed); }
  uint64_t total() const { return total_; }
  // Whether any matrix added is stored packed.
  bool packs() const { return packs_; }

 private:
  WeightArena() = default;
  void run(const GgufFile& file);
  struct Copy {  // one segment
    uint64_t offset;           // in the file
    const uint8_t* mapped;     // the same bytes in the file mapping
    uint8_t* dst;
    uint64_t n;
    std::atomic<const uint8_t*>* slot;
    kernels::PackFn pack;      // nullptr: a plain copy
    int64_t cols, row_bytes;   // with pack
    kernels::BandShape band;   // with pack: the bands' shape (nb == 0: none)
  };
  // Reads one segment into c.dst, packed when c.pack is set (through `staging`).
  static Status copy_segment(const GgufFile& file, const Copy& c, std::vector<uint8_t>& staging);
  uint8_t* base_ = nullptr;  // 2 MiB aligned
  void* map_ = nullptr;
  uint64_t map_len_ = 0;
  uint64_t capacity_ = 0;
  uint64_t used_ = 0;
  uint64_t total_ = 0;
  bool packs_ = false;
  std::vector<Copy> pending_;
  std::deque<std::unique_ptr<std::atomic<const uint8_t*>[]>> slots_;  // per matrix: [segments]
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> copied_{0};
  mutable std::mutex mu_;
  mutable std::condition_variable done_cv_;
  bool done_ = true;
  Status error_;
};

}  // namespace lantern::engine
