// Matrix multiply dispatch: quantize the activations once, then split the weight rows across the
// pool so every thread streams its own contiguous slice of the weights.
//
// The one thing to know: decode (n_tokens == 1) is memory bound, so the only thing that matters is
// that each weight byte is read once and both cores read at full speed. Batches (prompt
// processing) are compute bound. They run the same dot products over tiles of rows kept hot while
// every token passes, where the kernel table says those are the faster road (the AVX-512 8-bit
// dots, and the AVX2 packed Q4_K dot over several tokens, which unpacks each weight block once per
// four tokens and takes the tokens in chunks whose activations stay in L2); otherwise, from
// TypeTraits::gemm_min_tokens tokens on, each thread dequantizes a tile of weight rows to float
// and hands it to OpenBLAS sgemm (single-threaded inside our pool), so the dequantization is paid
// once per tile, not once per token.
#include "lantern/engine/matrix.h"

#include <cblas.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "kernels.h"
#include "packed_rows.h"
#include "lantern/engine/quant.h"

namespace lantern::engine {

namespace {
// Rows per work item: chunks are a multiple of this so the row split does not cut cache lines in
// the output more than necessary.
constexpr int64_t kRowGrain = 16;
// Rows kept hot while all tokens of a batch pass over them.
constexpr int64_t kRowTile = 16;
// Tokens per pass of a batch over a tile of packed rows: 32 tokens' activations (56 KB of Q8_K
// at 1536 columns) stay in L2 while they pass.
constexpr int64_t kTokenChunk = 32;
// Bytes of float weights per sgemm tile (per thread; see multiply_gemm).
constexpr int64_t kTileBytes = 4 << 20;

// LANTERN_GEMM_MIN_TOKENS=N (0: never) in place of the kernel table's thresholds, for every type;
// 0 when unset.
int64_t gemm_min_tokens_override() {
  static const int64_t v = [] {
    const char* e = std::getenv("LANTERN_GEMM_MIN_TOKENS");
    if (e == nullptr || *e == '\0') return int64_t{0};
    const long long n = std::atoll(e);
    return n <= 0 ? kernels::kNeverGemm : static_cast<int64_t>(n);
  }();
  return v;
}

// Our pool provides the parallelism; OpenBLAS threads on top would oversubscribe the cores.
void openblas_single_threaded() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}
}  // namespace

Result<Matrix> Matrix::from_tensor(TensorType type, const void* data, int64_t n_cols, int64_t n_rows,
                                   std::string name) {
  const kernels::TypeTraits* t = kernels::active_traits(type);
  if (t == nullptr || t->vec_dot == nullptr) {
    return Status::unsupported("tensor '" + name + "': weight type " + std::string(tensor_type_name(type)) +
                               " is not supported");
  }
  if (n_cols <= 0 || n_rows <= 0) {
    return Status::invalid_argument("tensor '" + name + "': bad matrix shape " + std::to_string(n_cols) + " x " +
                                    std::to_string(n_rows));
  }
  if (n_cols % t->block_size != 0) {
    return Status::corruption("tensor '" + name + "': row length " + std::to_string(n_cols) +
                              " is not a multiple of the " + std::string(tensor_type_name(type)) +
                              " block size " + std::to_string(t->block_size));
  }
  if (data == nullptr) return Status::invalid_argument("tensor '" + name + "': no data");
  Matrix m;
  m.type_ = type;
  m.n_cols_ = n_cols;
  m.n_rows_ = n_rows;
  m.row_bytes_ = kernels::row_size(*t, n_cols);
  m.data_ = static_cast<const uint8_t*>(data);
  m.name_ = std::move(name);
  return m;
}

Result<Matrix> Matrix::from_floats(TensorType type, const float* values, int64_t n_cols, int64_t n_rows,
                                   std::string name) {
  auto bytes = quantize_rows(type, values, n_cols, n_rows);
  if (!bytes.ok()) return bytes.status().with_context("tensor '" + name + "'");
  auto owned = std::make_shared<const std::vector<uint8_t>>(std::move(bytes).value());
  LT_ASSIGN_OR_RETURN(Matrix m, from_tensor(type, owned->data(), n_cols, n_rows, std::move(name)));
  m.owned_ = std::move(owned);
  m.data_ = nullptr;
  return m;
}

Matrix Matrix::relocatable(const std::atomic<const uint8_t*>* slots, int64_t segment_rows, bool packed,
                           bool bands) const {
  Matrix m = *this;
  if (owned_ || slots == nullptr || segment_rows <= 0 || segment_rows % kRowTile != 0) return m;
  m.moved_ = slots;
  m.segment_rows_ = segment_rows;
  if (packed && kernels::active_traits(type_)->vec_dot_packed != nullptr) {
    m.packed_rows_ = n_rows_ / kernels::kPackRows * kernels::kPackRows;
    const kernels::BandShape band =
        bands ? kernels::band_shape(*kernels::active_traits(type_), n_cols_, row_bytes_) : kernels::BandShape{};
    m.band_blocks_ = band.nb;
    m.band_segment_ = band.segment;
  }
  return m;
}

const uint8_t* Matrix::packed_group(int64_t g, const uint8_t* w, std::vector<uint8_t>& scratch) const {
  if (band_blocks_ == 0) return w;
  const int64_t b0 = g - g % kernels::kBandRows;  // the band's first row
  const int64_t n_groups = kernels::band_groups(packed_rows_, b0);
  const int64_t group_bytes = kernels::kPackRows * row_bytes_;
  if (scratch.size() < static_cast<size_t>(group_bytes)) scratch.resize(static_cast<size_t>(group_bytes));
  kernels::group_from_band(w - (g - b0) * row_bytes_, n_groups, (g - b0) / kernels::kPackRows, scratch.data(),
                           {band_blocks_, band_segment_, group_bytes / band_blocks_});
  return scratch.data();
}

void Matrix::row_to_float(int64_t r, float* out) const {
  const kernels::TypeTraits* t = kernels::active_traits(type_);
  bool packed = false;
  const uint8_t* w = row_address(r, &packed);
  if (packed) {
    thread_local std::vector<uint8_t> row, group;
    if (row.size() < static_cast<size_t>(row_bytes_)) row.resize(row_bytes_);
    const int64_t k = r % kernels::kPackRows;
    t->unpack_row(packed_group(r - k, w - k * row_bytes_, group), k, row.data(), n_cols_);
    w = row.data();
  }
  t->to_float(w, out, n_cols_);
}

void Matrix::rows_to_float(int64_t r0, int64_t n, float* out) const {
  const kernels::TypeTraits* t = kernels::active_traits(type_);
  for (int64_t r = r0; r < r0 + n;) {
    bool packed = false;
    const uint8_t* w = row_address(r, &packed);
    if (packed && t->to_float_packed != nullptr && r % kernels::kPackRows == 0 && r + kernels::kPackRows <= r0 + n) {
      thread_local std::vector<uint8_t> group;
      t->to_float_packed(packed_group(r, w, group), out + (r - r0) * n_cols_, n_cols_);
      r += kernels::kPackRows;
    } else {
      row_to_float(r, out + (r - r0) * n_cols_);
      ++r;
    }
  }
}

void Matrix::get_row(int64_t r, float* out) const { row_to_float(r, out); }

void Matrix::multiply(const float* x, int64_t n_tokens, float* y, ThreadPool& pool) const {
  const Matrix* self = this;
  multiply_group(std::span<const Matrix* const>(&self, 1), std::span<float* const>(&y, 1), x, n_tokens, pool);
}

void Matrix::multiply_group(std::span<const Matrix* const> ms, std::span<float* const> ys, const float* x,
                            int64_t n_tokens, ThreadPool& pool) {
  if (n_tokens <= 0 || ms.empty()) return;
  // Batches take sgemm from the kernel table's threshold for how each matrix's rows are read now
  // (the dots' speed differs between plain rows and packed groups).
  auto use_gemm = [n_tokens](const Matrix& m) {
    if (n_tokens == 1) return false;
    const kernels::TypeTraits* t = kernels::active_traits(m.type_);
    const int64_t forced = gemm_min_tokens_override();
    const bool packed = m.packed_rows_ > 0 && t->vec_dot_packed != nullptr && !m.reads_plain_rows();
    return n_tokens >= (forced > 0 ? forced : packed ? t->packed_gemm_min_tokens : t->gemm_min_tokens);
  };
  bool one_job = true;
  for (const Matrix* m : ms) one_job = one_job && m->n_cols_ == ms[0]->n_cols_ && !use_gemm(*m);
  if (!one_job) {
    for (size_t m = 0; m < ms.size(); ++m) {
      if (use_gemm(*ms[m])) {
        ms[m]->multiply_gemm(x, n_tokens, ys[m], pool);
      } else {
        ms[m]->multiply(x, n_tokens, ys[m], pool);
      }
    }
    return;
  }
  // One part per matrix: its rows occupy [row0, row0 + rows) of the group's row range.
  struct Part {
    const Matrix* m;
    int64_t row0, rows, row_bytes;
    kernels::VecDotFn dot;
    kernels::VecDotPackedFn dot_packed;  // for rows in packed groups (nullptr: the matrix has none)
    kernels::VecDotPackedTokensFn dot_packed_tokens;  // the same for several tokens (nullptr: none)
    const uint8_t* xq;                   // [n_tokens][x_row_bytes], as dot takes them
    const uint8_t* xq_packed;            // the same, as dot_packed takes them
    int64_t x_row_bytes;
    float* y;                            // [n_tokens][rows]
  };
  constexpr size_t kMaxParts = 8;
  Part parts[kMaxParts];
  const size_t n_parts = std::min(ms.size(), kMaxParts);
  const int64_t cols = ms[0]->n_cols_;

  // Activations in the layouts the dot products take, each quantized once: a layout is an
  // activation type and a reordering. Float weights take x itself.
  struct Layout {
    const kernels::TypeTraits* xt;
    kernels::XPermuteFn permute;
    const uint8_t* data;
  };
  Layout layouts[2 * kMaxParts];
  size_t n_layouts = 0;
  // What each matrix reads: packed groups, plain rows, or both while its copy is unfinished.
  // Decided once, so that the scratch sized here is what the parts take below (a prompt's batch of
  // 8960-column activations is megabytes).
  bool reads_packed[kMaxParts], reads_plain[kMaxParts];
  thread_local std::vector<uint8_t> scratch;
  int64_t scratch_bytes = 0;
  for (size_t m = 0; m < n_parts; ++m) {
    const kernels::TypeTraits* t = kernels::active_traits(ms[m]->type_);
    reads_packed[m] = ms[m]->packed_rows_ > 0 && t->vec_dot_packed != nullptr;
    reads_plain[m] = !reads_packed[m] || ms[m]->reads_plain_rows();
    if (t->vec_dot_type != TensorType::kF32) {
      scratch_bytes += (int64_t{reads_plain[m]} + int64_t{reads_packed[m]}) *
                       kernels::row_size(*kernels::active_traits(t->vec_dot_type), cols) * n_tokens;
    }
  }
  if (scratch.size() < static_cast<size_t>(scratch_bytes)) scratch.resize(scratch_bytes);
  int64_t used = 0;
  auto activations = [&](const kernels::TypeTraits* xt, kernels::XPermuteFn permute) -> const uint8_t* {
    for (size_t l = 0; l < n_layouts; ++l) {
      if (layouts[l].xt == xt && layouts[l].permute == permute) return layouts[l].data;
    }
    const int64_t x_row_bytes = kernels::row_size(*xt, cols);
    uint8_t* dst = scratch.data() + used;
    used += x_row_bytes * n_tokens;
    auto quantize = [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        xt->from_float(x + i * cols, dst + i * x_row_bytes, cols);
        if (permute != nullptr) permute(dst + i * x_row_bytes, cols);
      }
    };
    if (n_tokens >= 4) {
      pool.parallel_for(n_tokens, quantize);
    } else {
      quantize(0, n_tokens);
    }
    layouts[n_layouts++] = {xt, permute, dst};
    return dst;
  };

  int64_t total_rows = 0;
  for (size_t m = 0; m < n_parts; ++m) {
    const Matrix& mat = *ms[m];
    const kernels::TypeTraits* t = kernels::active_traits(mat.type_);
    Part& p = parts[m];
    p.m = &mat;
    p.row0 = total_rows;
    p.rows = mat.n_rows_;
    p.row_bytes = mat.row_bytes_;
    p.dot = t->vec_dot;
    p.dot_packed = reads_packed[m] ? t->vec_dot_packed : nullptr;
    p.dot_packed_tokens = p.dot_packed != nullptr && n_tokens > 1 ? t->vec_dot_packed_tokens : nullptr;
    p.xq = p.xq_packed = reinterpret_cast<const uint8_t*>(x);
    p.x_row_bytes = cols * static_cast<int64_t>(sizeof(float));
    p.y = ys[m];
    total_rows += p.rows;
    if (t->vec_dot_type != TensorType::kF32) {
      const kernels::TypeTraits* xt = kernels::active_traits(t->vec_dot_type);
      p.x_row_bytes = kernels::row_size(*xt, cols);
      p.xq = reads_plain[m] ? activations(xt, t->x_permute) : nullptr;
      if (reads_packed[m]) p.xq_packed = activations(xt, t->x_permute_packed);
    }
  }

  // out[t][r] for nt tokens from x (rows p.x_row_bytes apart) against one packed group of n
  // columns: the several-token dot where the level has one, else the one-token dot per token.
  auto group_products = [](const Part& p, int64_t n, const uint8_t* group, const uint8_t* x, int64_t nt,
                           float (*out)[kernels::kPackRows]) {
    if (p.dot_packed_tokens != nullptr) {
      p.dot_packed_tokens(n, group, x, p.x_row_bytes, nt, out[0], kernels::kPackRows);
      return;
    }
    for (int64_t t = 0; t < nt; ++t) p.dot_packed(n, group, x + t * p.x_row_bytes, out[t]);
  };
  // Rows [r0, r1) of a matrix whose groups are in bands (packed_rows.h), w = row_address(r0):
  // each band from r0's on is computed whole, segment by segment, and only its rows in range are
  // stored (ranges start on a band unless a group of products puts a matrix off the row grain).
  // Batches pass in chunks of tokens whose activations stay in L2.
  static_assert(kRowGrain % kernels::kBandRows == 0 && kRowTile % kernels::kBandRows == 0,
                "chunks and row tiles start on a band");
  auto band_products = [&](const Part& p, const uint8_t* w, int64_t r0, int64_t r1) {
    const int64_t nb = p.m->band_blocks_, seg = p.m->band_segment_;
    const kernels::BandShape shape{nb, seg, kernels::kPackRows * p.row_bytes / nb};
    const int64_t x_block_bytes = p.x_row_bytes / nb;
    for (int64_t b = r0 - r0 % kernels::kBandRows; b < r1; b += kernels::kBandRows) {
      const uint8_t* band = w - (r0 - b) * p.row_bytes;
      const int64_t n_groups = kernels::band_groups(p.m->packed_rows_, b);
      const int64_t lo = std::max(b, r0), hi = std::min(b + n_groups * kernels::kPackRows, r1);
      for (int64_t t0 = 0; t0 < n_tokens; t0 += kTokenChunk) {
        const int64_t nt = std::min(kTokenChunk, n_tokens - t0);
        float acc[kTokenChunk][kernels::kBandRows];
        std::fill(&acc[0][0], &acc[0][0] + nt * kernels::kBandRows, 0.0f);
        for (int64_t s = 0; s * seg < nb; ++s) {
          const int64_t c0 = s * seg, len = std::min(seg, nb - c0);
          for (int64_t g = 0; g < n_groups; ++g) {
            float out[kTokenChunk][kernels::kPackRows];
            group_products(p, len * (cols / nb), band + kernels::band_offset(shape, n_groups, g, s),
                           p.xq_packed + t0 * p.x_row_bytes + c0 * x_block_bytes, nt, out);
            for (int64_t t = 0; t < nt; ++t) {
              for (int64_t r = 0; r < kernels::kPackRows; ++r) acc[t][g * kernels::kPackRows + r] += out[t][r];
            }
          }
        }
        for (int64_t t = 0; t < nt; ++t) {
          float* yr = p.y + (t0 + t) * p.rows;
          for (int64_t r = lo; r < hi; ++r) yr[r] = acc[t][r - b];
        }
      }
    }
  };

  // Hot loop: nearly all of the forward pass's time is spent here. All matrices of the group are
  // one job, so the threads meet once per group instead of once per matrix.
  pool.parallel_for(
      total_rows,
      [&](int64_t begin, int64_t end) {
        for (size_t m = 0; m < n_parts; ++m) {
          const Part& p = parts[m];
          const int64_t b = std::max(begin, p.row0) - p.row0, e = std::min(end, p.row0 + p.rows) - p.row0;
          for (int64_t r0 = b, r1; r0 < e; r0 = r1) {
            r1 = std::min({e, r0 + kRowTile, r0 + p.m->contiguous_rows(r0)});
            bool packed = false;
            const uint8_t* w = p.m->row_address(r0, &packed);  // row r0 (or where it would start)
            if (packed && p.m->band_blocks_ > 0) {
              r1 = std::min(r1, p.m->packed_rows_);
              band_products(p, w, r0, r1);
              continue;
            }
            if (packed) {
              // Whole groups of 4 from r0's group on; a group cut by the range is computed whole
              // and only its rows in range are stored.
              r1 = std::min(r1, p.m->packed_rows_);
              const int64_t g0 = r0 - r0 % kernels::kPackRows;
              const uint8_t* group = w - (r0 - g0) * p.row_bytes;
              // Chunks of tokens whose activations stay in L2 while they pass over the tile.
              for (int64_t t0 = 0; t0 < n_tokens; t0 += kTokenChunk) {
                const int64_t nt = std::min(kTokenChunk, n_tokens - t0);
                const uint8_t* gr = group;
                for (int64_t g = g0; g < r1; g += kernels::kPackRows, gr += kernels::kPackRows * p.row_bytes) {
                  const int64_t lo = std::max(g, r0), hi = std::min(g + kernels::kPackRows, r1);
                  float out[kTokenChunk][kernels::kPackRows];
                  group_products(p, cols, gr, p.xq_packed + t0 * p.x_row_bytes, nt, out);
                  for (int64_t t = 0; t < nt; ++t) {
                    float* yr = p.y + (t0 + t) * p.rows;
                    for (int64_t r = lo; r < hi; ++r) yr[r] = out[t][r - g];
                  }
                }
              }
              continue;
            }
            // Plain rows r0..r1 at w + (r - r0) * row_bytes.
            for (int64_t tok = 0; tok < n_tokens; ++tok) {
              const uint8_t* xr = p.xq + tok * p.x_row_bytes;
              float* yr = p.y + tok * p.rows;
              for (int64_t r = r0; r < r1; ++r) yr[r] = p.dot(cols, w + (r - r0) * p.row_bytes, xr);
            }
          }
        }
      },
      kRowGrain);
  for (size_t m = kMaxParts; m < ms.size(); ++m) ms[m]->multiply(x, n_tokens, ys[m], pool);
}

void Matrix::multiply_gemm(const float* x, int64_t n_tokens, float* y, ThreadPool& pool) const {
  openblas_single_threaded();
  const int64_t rows = n_rows_, cols = n_cols_;
  // OpenBLAS repacks the activations on every call, so tiles are made large (kTileBytes of float
  // weights) to keep that cost small against the multiply; but never so large that a thread is
  // left without a tile.
  int64_t tile_rows = std::clamp<int64_t>(kTileBytes / (cols * 4) / 16 * 16, 16, 1024);
  while (tile_rows > 16 && (rows + tile_rows - 1) / tile_rows < 2 * pool.size()) tile_rows = tile_rows / 2 / 16 * 16;
  tile_rows = std::max<int64_t>(tile_rows, 16);
  const int64_t n_tiles = (rows + tile_rows - 1) / tile_rows;
  const bool is_f32 = type_ == TensorType::kF32;
  pool.parallel_for(n_tiles, [&](int64_t tile_begin, int64_t tile_end) {
    thread_local std::vector<float> tile;
    for (int64_t ti = tile_begin; ti < tile_end; ++ti) {
      const int64_t r0 = ti * tile_rows;
      const int64_t nr = std::min(rows, r0 + tile_rows) - r0;
      const float* b = reinterpret_cast<const float*>(row_address(r0));
      if (!is_f32 || contiguous_rows(r0) < nr) {
        if (tile.size() < static_cast<size_t>(nr * cols)) tile.resize(nr * cols);
        rows_to_float(r0, nr, tile.data());
        b = tile.data();
      }
      // y[:, r0 : r0 + nr] = x [n_tokens][cols] * b [nr][cols]^T
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(n_tokens), static_cast<int>(nr),
                  static_cast<int>(cols), 1.0f, x, static_cast<int>(cols), b, static_cast<int>(cols), 0.0f, y + r0,
                  static_cast<int>(rows));
    }
  });
}

}  // namespace lantern::engine
