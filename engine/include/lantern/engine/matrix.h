// Matrix: a weight matrix W [n_rows][n_cols] in any supported GGUF type, and the one operation the
// forward pass needs from it: y = x * W^T for a batch of activation rows.
//
// The one thing to know: a Matrix built by from_tensor() does not own its data (it points into the
// memory-mapped file, which must outlive it); from_floats() builds one that owns its bytes. It is
// immutable after construction (a relocatable() one changes only which of two identical copies
// it reads), so one Matrix may be shared freely; multiply() takes the pool it
// runs on, and a pool runs one job at a time. GGUF order: ne[0] = n_cols (contiguous), ne[1] = n_rows.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "lantern/engine/tensor_type.h"
#include "lantern/engine/thread_pool.h"
#include "lantern/status.h"

namespace lantern::engine {

class Matrix {
 public:
  Matrix() = default;

  // Wraps `data` (row-major, n_rows rows of n_cols elements in `type`'s block layout). Errors:
  // unsupported type (the message names the tensor and the type), n_cols not a multiple of the
  // type's block size, non-positive sizes, null data.
  static Result<Matrix> from_tensor(TensorType type, const void* data, int64_t n_cols, int64_t n_rows,
                                    std::string name);
  // Quantizes `values` [n_rows][n_cols] to `type` and owns the result (tests, small tensors).
  static Result<Matrix> from_floats(TensorType type, const float* values, int64_t n_cols, int64_t n_rows,
                                    std::string name);

  int64_t rows() const { return n_rows_; }
  int64_t cols() const { return n_cols_; }
  TensorType type() const { return type_; }
  const std::string& name() const { return name_; }
  // Bytes of the weights (what one matvec reads).
  int64_t size_bytes() const { return row_bytes_ * n_rows_; }

  // y [n_tokens][rows()] = x [n_tokens][cols()] * W^T. x and y are float32, row-major, and must not
  // overlap. Quantized weights take activations quantized to 8 bits (as llama.cpp does) and float
  // weights take them as float; batches from the kernel table's threshold on (16 tokens, or never
  // where the 8-bit dots are the faster road: AVX-512 Q4_K, Q6_K, packed Q8_0) dequantize weight
  // tiles and use float sgemm instead. Runs on every thread of `pool`.
  void multiply(const float* x, int64_t n_tokens, float* y, ThreadPool& pool) const;
  // The sgemm road of multiply() for any batch, whatever the threshold (tests compare the roads).
  void multiply_gemm(const float* x, int64_t n_tokens, float* y, ThreadPool& pool) const;

  // ys[m] = x * ms[m]^T for every matrix of the group (all with the same cols()): the products of
  // one input (q/k/v, gate/up) as one parallel job, so decode pays one thread hand-off per group
  // instead of one per matrix. ys.size() == ms.size(); outputs must not overlap x or each other.
  static void multiply_group(std::span<const Matrix* const> ms, std::span<float* const> ys, const float* x,
                             int64_t n_tokens, ThreadPool& pool);

  // Dequantizes row r (0 <= r < rows()) into out[cols()] (embedding lookup).
  void get_row(int64_t r, float* out) const;

  // The same matrix, moving in segments of `segment_rows` rows: segment k's rows are read from
  // the address slots[k] holds once it is non-null (a copy of the same bytes made by another
  // thread, which stores the address with release order when that segment's copy is complete),
  // and from the original bytes until then. The original bytes must stay valid for the matrix's
  // lifetime: a product that read an old address finishes on it. segment_rows is a multiple of
  // 16; slots has ceil(rows() / segment_rows) entries and outlives the matrix. With `packed`, the
  // copies hold every whole group of 4 rows in the packed layout of the type's kernels
  // (packed_rows.h; the type must have one at the active SIMD level), in bands where the type's
  // kernels store rows of cols() columns so (kernels::band_shape) unless `bands` is false (for
  // benchmarks that compare the two), and the last rows() % 4 rows plain.
  Matrix relocatable(const std::atomic<const uint8_t*>* slots, int64_t segment_rows, bool packed = false,
                     bool bands = true) const;

 private:
  // Address of row r, and how many rows from r on are contiguous there (to the end of r's
  // segment). *packed (when asked) tells whether r lies in a packed group of the copy: then the
  // address is where row r would start, and its group starts (r % 4) rows before it.
  const uint8_t* row_address(int64_t r, bool* packed = nullptr) const {
    if (packed != nullptr) *packed = false;
    if (owned_) return owned_->data() + r * row_bytes_;
    if (moved_ != nullptr) {
      const int64_t k = r / segment_rows_;
      if (const uint8_t* p = moved_[k].load(std::memory_order_acquire)) {
        if (packed != nullptr) *packed = r < packed_rows_;
        return p + (r - k * segment_rows_) * row_bytes_;
      }
    }
    return data_ + r * row_bytes_;
  }
  // Whether a product may still read rows in the plain layout: false once every row lies in a
  // packed group of a finished copy (copies are never undone, so the answer stays false).
  bool reads_plain_rows() const {
    if (moved_ == nullptr || packed_rows_ < n_rows_) return true;
    for (int64_t k = 0; k * segment_rows_ < n_rows_; ++k) {
      if (moved_[k].load(std::memory_order_acquire) == nullptr) return true;
    }
    return false;
  }
  int64_t contiguous_rows(int64_t r) const {
    return moved_ == nullptr ? n_rows_ - r : std::min(n_rows_, (r / segment_rows_ + 1) * segment_rows_) - r;
  }
  // Dequantizes row r into out[cols()], from whichever copy and layout holds it; rows_to_float
  // rows r0 .. r0 + n - 1 into out[n][cols()] (whole packed groups at once).
  void row_to_float(int64_t r, float* out) const;
  void rows_to_float(int64_t r0, int64_t n, float* out) const;
  // The packed group of rows g .. g + 3 (g % 4 == 0, g < packed_rows_) at w (row_address(g)),
  // gathered into `scratch` when it lies in a band.
  const uint8_t* packed_group(int64_t g, const uint8_t* w, std::vector<uint8_t>& scratch) const;

  TensorType type_ = TensorType::kF32;
  int64_t n_rows_ = 0;
  int64_t n_cols_ = 0;
  int64_t row_bytes_ = 0;
  const uint8_t* data_ = nullptr;                       // not owned (mmap) unless owned_ is set
  const std::atomic<const uint8_t*>* moved_ = nullptr;  // [segments] copies' addresses once made (WeightArena)
  int64_t segment_rows_ = 0;
  int64_t packed_rows_ = 0;  // rows [0, packed_rows_) are in packed groups once copied (relocatable)
  // With packed rows in bands (kernels::BandShape): block columns per row (0: not in bands) and per
  // segment.
  int64_t band_blocks_ = 0;
  int64_t band_segment_ = 0;
  std::shared_ptr<const std::vector<uint8_t>> owned_;   // [n_rows][row_bytes_] when owned
  std::string name_;
};

}  // namespace lantern::engine
