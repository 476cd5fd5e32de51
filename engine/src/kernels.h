// The kernel table: for each weight type, dequantize / quantize / dot-product functions.
//
// The one thing to know: a dot product takes the weight row in its file layout and the activation
// row already converted to `vec_dot_type` (F32 for float weights, Q8_0 for the 32-element legacy
// types, Q8_K for K-quants), because quantizing activations once per token and doing integer dot
// products is what makes quantized matvecs fast. `scalar_traits` are the plain reference versions;
// `active_traits` may substitute SIMD versions (AVX2) unless LANTERN_NO_SIMD=1 is set. Both must
// agree within rounding: tests/engine/quant_test.cpp checks them against each other.
#pragma once

#include <cstdint>
#include <cstring>

#include "lantern/engine/quant.h"
#include "lantern/engine/tensor_type.h"

namespace lantern::engine::kernels {

constexpr int64_t kQK = 32;    // elements per legacy block (Q4_0 .. Q8_0)
constexpr int64_t kQK_K = 256; // elements per K-quant super-block

// ---- block layouts (ggml's, byte for byte; halves are IEEE fp16 bit patterns) ----------------
struct BlockQ4_0 { uint16_t d; uint8_t qs[16]; };               // x = d * (nibble - 8)
struct BlockQ4_1 { uint16_t d, m; uint8_t qs[16]; };            // x = d * nibble + m
struct BlockQ5_0 { uint16_t d; uint8_t qh[4]; uint8_t qs[16]; }; // 5th bits in qh (bit j = elem j)
struct BlockQ5_1 { uint16_t d, m; uint8_t qh[4]; uint8_t qs[16]; };
struct BlockQ8_0 { uint16_t d; int8_t qs[32]; };                 // x = d * q
// Legacy nibble order: byte j holds element j (low nibble) and element j + 16 (high nibble).

struct BlockQ2_K {  // 16 sub-blocks of 16: x = d * (sc & 15) * q - dmin * (sc >> 4), q in 0..3
  uint8_t scales[16];
  uint8_t qs[64];
  uint16_t d, dmin;
};
struct BlockQ3_K {  // 16 sub-blocks of 16: x = d * (sc6 - 32) * (q2 | hbit << 2 - 4)
  uint8_t hmask[32];
  uint8_t qs[64];
  uint8_t scales[12];  // 16 6-bit scales (see unpack_q3_k_scales)
  uint16_t d;
};
struct BlockQ4_K {  // 8 sub-blocks of 32: x = d * sc * q - dmin * m, 6-bit sc and m
  uint16_t d, dmin;
  uint8_t scales[12];  // 8 scales + 8 mins, 6 bits each (see unpack_k4_scales)
  uint8_t qs[128];     // 64-element chunks: 32 bytes, low nibbles first 32 elems, high next 32
};
struct BlockQ5_K {
  uint16_t d, dmin;
  uint8_t scales[12];
  uint8_t qh[32];  // bit 2c of qh[l] = 5th bit of chunk c low half elem l; bit 2c+1 the high half
  uint8_t qs[128];
};
struct BlockQ6_K {  // 16 sub-blocks of 16: x = d * sc * (q6 - 32)
  uint8_t ql[128];
  uint8_t qh[64];
  int8_t scales[16];
  uint16_t d;
};
struct BlockQ8_K {  // activations for K-quant dots: x = d * q; bsums[i] = sum of qs[16i .. 16i+15]
  float d;
  int8_t qs[256];
  int16_t bsums[16];
};

static_assert(sizeof(BlockQ4_0) == 18 && sizeof(BlockQ4_1) == 20 && sizeof(BlockQ5_0) == 22 &&
              sizeof(BlockQ5_1) == 24 && sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ2_K) == 84 && sizeof(BlockQ3_K) == 110 && sizeof(BlockQ4_K) == 144 &&
              sizeof(BlockQ5_K) == 176 && sizeof(BlockQ6_K) == 210 && sizeof(BlockQ8_K) == 292);

// Q4_K / Q5_K: unpacks the 12 scale bytes into 8 scales and 8 mins (6 bits each).
// Sub-blocks 0..3 keep their low 6 bits in bytes 0..3 (scales) and 4..7 (mins); sub-blocks 4..7
// keep their low 4 bits in the nibbles of bytes 8..11 and their high 2 bits in the top bits of
// bytes 0..7.
inline void unpack_k4_scales(const uint8_t* q, uint8_t* sc, uint8_t* mn) {
  for (int j = 0; j < 4; ++j) {
    sc[j] = q[j] & 63;
    mn[j] = q[j + 4] & 63;
  }
  for (int j = 4; j < 8; ++j) {
    sc[j] = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
    mn[j] = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
  }
}

// Q3_K: the 16 6-bit scales (offset by 32). Low 4 bits: nibbles of bytes 0..7 (low nibbles for
// scales 0..7, high nibbles for 8..15); high 2 bits: byte 8 + (i % 4), bit pair i / 4.
inline void unpack_q3_k_scales(const uint8_t* q, int8_t* out) {
  for (int i = 0; i < 16; ++i) {
    int low = (i < 8) ? (q[i] & 0xF) : (q[i - 8] >> 4);
    int high = (q[8 + (i % 4)] >> (2 * (i / 4))) & 3;
    out[i] = static_cast<int8_t>((low | (high << 4)) - 32);
  }
}

inline float half(uint16_t h) { return fp16_to_fp32(h); }

// ---- the table ---------------------------------------------------------------------------------
using ToFloatFn = void (*)(const void* src, float* dst, int64_t n);
using FromFloatFn = void (*)(const float* src, void* dst, int64_t n);
using VecDotFn = float (*)(int64_t n, const void* w, const void* x);
using XPermuteFn = void (*)(void* x, int64_t n);
// Packed rows (layouts in packed_rows.h): kPackRows consecutive weight rows of n elements
// regrouped into the same number of bytes.
constexpr int64_t kPackRows = 4;
using PackFn = void (*)(const void* rows, void* group, int64_t n);            // kPackRows plain rows -> group
using UnpackRowFn = void (*)(const void* group, int64_t r, void* row, int64_t n);  // row r of a group -> plain row
using VecDotPackedFn = void (*)(int64_t n, const void* group, const void* x, float* out);  // out[kPackRows]
// The packed dot for n_tokens activation rows (x_stride bytes apart): out[t * out_stride + r] for
// the group's rows r and tokens t.
using VecDotPackedTokensFn = void (*)(int64_t n, const void* group, const void* x, int64_t x_stride, int64_t n_tokens,
                                      float* out, int64_t out_stride);
using ToFloatPackedFn = void (*)(const void* group, float* out, int64_t n);  // out[kPackRows][n], plain order

// TypeTraits::gemm_min_tokens where a level says nothing else: from this many tokens on,
// dequantized tiles + sgemm beat the scalar dots and the AVX2 one-token dots in
// bench/matvec_bench --tokens N. Packed Q4_K rows at the AVX2 level never take sgemm: their dot
// over several tokens (vec_dot_packed_tokens) is faster (Zen 3, 64 tokens: 176-212 against 106-119
// GFLOP/s for sgemm over float tiles).
constexpr int64_t kGemmMinTokens = 16;
constexpr int64_t kNeverGemm = INT64_MAX;

struct TypeTraits {
  TensorType type;
  int64_t block_size;
  int64_t type_size;
  ToFloatFn to_float;      // dequantize n elements
  FromFloatFn from_float;  // quantize n elements (weights: reference quality; activations: fast)
  TensorType vec_dot_type; // activation layout vec_dot expects: kF32, kQ8_0 or kQ8_K
  VecDotFn vec_dot;        // dot of n elements: weight row (this type) . activations (vec_dot_type)
  // nullptr, or a reordering of n activations (already quantized to vec_dot_type) that vec_dot
  // expects at this level: a SIMD kernel may want its activations in the order its weight loads
  // unpack to. Applied after from_float, in place.
  XPermuteFn x_permute = nullptr;
  // Set only at levels with a kernel for packed rows (weights copied into memory by WeightArena
  // are packed when these are set): the layout's conversions, the activation order the packed
  // dot takes (applied in place after from_float, instead of x_permute), the dot itself, which
  // computes kPackRows outputs from one group, and the group's dequantization.
  PackFn pack = nullptr;
  UnpackRowFn unpack_row = nullptr;
  XPermuteFn x_permute_packed = nullptr;
  VecDotPackedFn vec_dot_packed = nullptr;
  // nullptr, or vec_dot_packed over several tokens in one call, for batches (prompts): each weight
  // block is unpacked once for a few tokens instead of once per token.
  VecDotPackedTokensFn vec_dot_packed_tokens = nullptr;
  ToFloatPackedFn to_float_packed = nullptr;  // dequantizes a whole group (sgemm tiles)
  // Packed rows of at least band_min_cols columns are stored in bands (packed_rows.h), cut into
  // segments of band_segment_blocks block columns; 0: never. Set only where a group's block
  // columns [c0, c0 + n) are contiguous bytes for every c0 a multiple of band_segment_blocks,
  // and the packed dot takes such a slice with the activations from block c0 on.
  int64_t band_min_cols = 0;
  int64_t band_segment_blocks = 0;
  // Batches of at least this many tokens (prompts) go through dequantized tiles and sgemm
  // (Matrix::multiply_gemm) instead of this level's dot products, for rows read plain (vec_dot)
  // and for rows in packed groups (vec_dot_packed); kNeverGemm where the dots are faster at every
  // batch size. A level that sets one (nonzero) sets it together with the dot it is about.
  int64_t gemm_min_tokens = kGemmMinTokens;
  int64_t packed_gemm_min_tokens = kGemmMinTokens;
};

// How packed rows are laid out in bands: nb block columns per row, segments of `segment` block
// columns, col_bytes bytes per block column of a group. nb == 0: not in bands.
struct BandShape {
  int64_t nb = 0, segment = 0, col_bytes = 0;
};
// The shape for packed rows of n columns of type t (row_bytes each), or {} when not in bands.
inline BandShape band_shape(const TypeTraits& t, int64_t n, int64_t row_bytes) {
  if (t.vec_dot_packed == nullptr || t.band_min_cols <= 0 || n < t.band_min_cols) return {};
  const int64_t nb = n / t.block_size;
  return {nb, t.band_segment_blocks, kPackRows * row_bytes / nb};
}

// Kernel sets, each complete (a level without its own version of a function uses the level below).
enum class SimdLevel { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };
const char* simd_level_name(SimdLevel level);
// The best level this CPU runs.
SimdLevel cpu_simd_level();
// The level Matrix uses: the CPU's best, capped by LANTERN_NO_SIMD=1 (scalar) and
// LANTERN_NO_AVX512=1 (AVX2). Decided once per process.
SimdLevel active_simd_level();
// Kernels of `level` for `type`; nullptr for types without kernels and for levels above the CPU's.
const TypeTraits* traits_at(SimdLevel level, TensorType type);

// Reference (scalar) kernels; nullptr for types without kernels (also for activation-only Q8_K,
// which has to_float/from_float but no vec_dot).
const TypeTraits* scalar_traits(TensorType type);
// The kernels Matrix uses (traits_at(active_simd_level(), type)).
const TypeTraits* active_traits(TensorType type);
// Whether active_traits uses SIMD versions.
bool simd_active();
// Per-level overrides (only the functions a level provides are set): kernels_avx2.cpp,
// kernels_avx512.cpp.
void fill_avx2_table(TypeTraits* table);
void fill_avx512_table(TypeTraits* table);
void fill_avx512_packed_table(TypeTraits* table);  // kernels_avx512_packed.cpp

// Bytes of n elements of `type` (n a multiple of the block size).
inline int64_t row_size(const TypeTraits& t, int64_t n) { return n / t.block_size * t.type_size; }

// Per-family registration (quant_float.cpp, quant_legacy.cpp, quant_k.cpp).
void register_float_kernels(TypeTraits* table);   // F32 F16 BF16
void register_legacy_kernels(TypeTraits* table);  // Q4_0 Q4_1 Q5_0 Q5_1 Q8_0
void register_k_kernels(TypeTraits* table);       // Q2_K Q3_K Q4_K Q5_K Q6_K Q8_K
constexpr int kTableSize = 31;  // indexed by the numeric TensorType id (ids < 31)

}  // namespace lantern::engine::kernels
