// Packed rows: see packed_rows.h.
#include "packed_rows.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include <vector>

#include "kernels.h"

namespace lantern::engine::kernels {
namespace {

// Q4_K's plain layout: element e is in qs byte 32 * (e / 64) + e % 32, high nibble when
// e % 64 >= 32.
int q4_k_plain_byte(int e) { return 32 * (e / 64) + e % 32; }
bool q4_k_plain_high(int e) { return e % 64 >= 32; }

static_assert(sizeof(Q4KPackedGroup) == kPackRows * sizeof(BlockQ4_K) && kPackRows == 4);

// order[h][b]: the element that load h, byte b holds, for a packed layout's element function.
using Order = std::array<std::array<uint8_t, 64>, 4>;
Order make_order(int (*element)(int h, int b)) {
  Order o{};
  for (int h = 0; h < 4; ++h) {
    for (int b = 0; b < 64; ++b) o[h][b] = static_cast<uint8_t>(element(h, b));
  }
  return o;
}

// Puts the 256 activation quants of a Q8_K block in the packed order: qs[64h + b] = old qs[order[h][b]].
void permute_quants(BlockQ8_K& x, const Order& order) {
  int8_t q[256];
  std::memcpy(q, x.qs, sizeof q);
  for (int h = 0; h < 4; ++h) {
    for (int b = 0; b < 64; ++b) x.qs[64 * h + b] = q[order[h][b]];
  }
}

const Order& q4_k_order() {
  static const Order order = make_order(q4_k_packed_element);
  return order;
}

// Where the two nibbles of one output byte come from: byte and shift of the low nibble's source,
// then of the high nibble's.
struct NibbleSources {
  uint8_t lo_byte, lo_shift, hi_byte, hi_shift;
};
using NibbleMap = std::array<NibbleSources, 128>;

// 128 quant bytes out of 128: out[i] = nibble(map[i].lo) | nibble(map[i].hi) << 4.
void gather_nibbles(const uint8_t* in, uint8_t* out, const NibbleMap& map) {
  for (int i = 0; i < 128; ++i) {
    const NibbleSources& m = map[i];
    out[i] = static_cast<uint8_t>(((in[m.lo_byte] >> m.lo_shift) & 0xF) | ((in[m.hi_byte] >> m.hi_shift) & 0xF) << 4);
  }
}

// Row r's quant byte i (i < 128) in the lanes order: byte i % 16 of its lane of load i / 16, which
// lies at lanes_offset(r, i / 16) + i % 16 of the group and holds element lanes_element(i, h) in
// nibble h.
int lanes_element(int i, int h) { return q4_k_lanes_element(i / 16, h, i % 16); }
int64_t lanes_offset(int64_t r, int k) { return 64 * k + 16 * r; }

// plain -> lanes quant bytes of one row's Q4_K block, and back.
const NibbleMap& q4_k_pack_map() {
  static const NibbleMap map = [] {
    NibbleMap m{};
    for (int i = 0; i < 128; ++i) {
      const int lo = lanes_element(i, 0), hi = lanes_element(i, 1);
      m[i] = {static_cast<uint8_t>(q4_k_plain_byte(lo)), static_cast<uint8_t>(q4_k_plain_high(lo) ? 4 : 0),
              static_cast<uint8_t>(q4_k_plain_byte(hi)), static_cast<uint8_t>(q4_k_plain_high(hi) ? 4 : 0)};
    }
    return m;
  }();
  return map;
}
const NibbleMap& q4_k_unpack_map() {
  static const NibbleMap map = [] {
    std::array<std::pair<uint8_t, uint8_t>, 256> at{};  // element -> lanes quant byte, shift
    for (int i = 0; i < 128; ++i) {
      for (int h = 0; h < 2; ++h) at[lanes_element(i, h)] = {static_cast<uint8_t>(i), static_cast<uint8_t>(4 * h)};
    }
    NibbleMap m{};
    for (int q = 0; q < 128; ++q) {
      const int lo = 64 * (q / 32) + q % 32, hi = lo + 32;  // the plain byte's two elements
      m[q] = {at[lo].first, at[lo].second, at[hi].first, at[hi].second};
    }
    return m;
  }();
  return map;
}

}  // namespace

int q4_k_packed_element(int h, int b) {
  const int sub = b / 2 % 8;                 // the word's sub-block
  const int pos = 8 * h + 2 * (b / 16) + b % 2;  // 0..31 within it: 8 per load, 2 per word
  return 32 * sub + pos;
}

void q4_k_x_permute_packed(void* x, int64_t n) {
  BlockQ8_K* blocks = static_cast<BlockQ8_K*>(x);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    BlockQ8_K& b = blocks[i];
    for (int s = 0; s < 8; ++s) {  // before the reordering: sub-block s is elements 32s .. 32s + 31
      int sum = 0;
      for (int t = 0; t < 32; ++t) sum += b.qs[32 * s + t];
      b.bsums[s] = static_cast<int16_t>(sum);
    }
    for (int s = 8; s < 16; ++s) b.bsums[s] = 0;
    permute_quants(b, q4_k_order());
  }
}

int q4_k_lanes_element(int k, int h, int b) { return 32 * (b / 2) + 4 * k + 2 * h + b % 2; }

void pack_q4_k(const void* rows, void* group, int64_t n) {
  const int64_t nb = n / kQK_K;
  const BlockQ4_K* src = static_cast<const BlockQ4_K*>(rows);
  Q4KPackedGroup* dst = static_cast<Q4KPackedGroup*>(group);
  for (int64_t i = 0; i < nb; ++i) {
    uint8_t* qs = &dst[i].qs[0][0];
    for (int r = 0; r < kPackRows; ++r) {
      const BlockQ4_K& b = src[r * nb + i];
      uint8_t quants[128];
      gather_nibbles(b.qs, quants, q4_k_pack_map());
      for (int k = 0; k < 8; ++k) std::memcpy(qs + lanes_offset(r, k), quants + 16 * k, 16);
      std::memcpy(dst[i].meta[r], b.scales, 12);
      std::memcpy(dst[i].meta[r] + 12, &b.d, 2);
      std::memcpy(dst[i].meta[r] + 14, &b.dmin, 2);
    }
  }
}

void unpack_q4_k_row(const void* group, int64_t r, void* row, int64_t n) {
  const int64_t nb = n / kQK_K;
  const Q4KPackedGroup* src = static_cast<const Q4KPackedGroup*>(group);
  BlockQ4_K* dst = static_cast<BlockQ4_K*>(row);
  for (int64_t i = 0; i < nb; ++i) {
    const uint8_t* qs = &src[i].qs[0][0];
    uint8_t quants[128];
    for (int k = 0; k < 8; ++k) std::memcpy(quants + 16 * k, qs + lanes_offset(r, k), 16);
    BlockQ4_K& b = dst[i];
    gather_nibbles(quants, b.qs, q4_k_unpack_map());
    std::memcpy(b.scales, src[i].meta[r], 12);
    std::memcpy(&b.d, src[i].meta[r] + 12, 2);
    std::memcpy(&b.dmin, src[i].meta[r] + 14, 2);
  }
}

void q4_k_to_float_group(const void* group, float* out, int64_t n, UnpackRowFn unpack_row, ToFloatFn to_float) {
  const uint8_t* g = static_cast<const uint8_t*>(group);
  BlockQ4_K block;
  for (int64_t i = 0; i < n / kQK_K; ++i, g += sizeof(Q4KPackedGroup)) {
    for (int r = 0; r < kPackRows; ++r) {
      unpack_row(g, r, &block, kQK_K);
      to_float(&block, out + r * n + i * kQK_K, kQK_K);
    }
  }
}

// ---- Q8_0 ----------------------------------------------------------------------------------------

namespace {

// Byte offsets in a group of row r's block column i (quants, scale), for rows of nb blocks.
struct Q8Place {
  int64_t qs, d;
};
Q8Place q8_0_place(int64_t nb, int64_t r, int64_t i) {
  const int64_t spans = nb / kQ8Span, span_bytes = kPackRows * kQ8Span * static_cast<int64_t>(sizeof(BlockQ8_0));
  if (i < spans * kQ8Span) {
    const int64_t base = i / kQ8Span * span_bytes, k = i % kQ8Span;
    return {base + (r * kQ8Span + k) * kQK, base + kPackRows * kQ8Span * kQK + (r * kQ8Span + k) * 2};
  }
  const int64_t base = spans * span_bytes + (i - spans * kQ8Span) * kPackRows * static_cast<int64_t>(sizeof(BlockQ8_0));
  return {base + r * kQK, base + kPackRows * kQK + r * 2};
}

}  // namespace

void pack_q8_0(const void* rows, void* group, int64_t n) {
  const int64_t nb = n / kQK;
  const BlockQ8_0* src = static_cast<const BlockQ8_0*>(rows);
  uint8_t* dst = static_cast<uint8_t*>(group);
  for (int64_t r = 0; r < kPackRows; ++r) {
    for (int64_t i = 0; i < nb; ++i) {
      const Q8Place p = q8_0_place(nb, r, i);
      std::memcpy(dst + p.qs, src[r * nb + i].qs, kQK);
      std::memcpy(dst + p.d, &src[r * nb + i].d, 2);
    }
  }
}

void unpack_q8_0_row(const void* group, int64_t r, void* row, int64_t n) {
  const int64_t nb = n / kQK;
  const uint8_t* src = static_cast<const uint8_t*>(group);
  BlockQ8_0* dst = static_cast<BlockQ8_0*>(row);
  for (int64_t i = 0; i < nb; ++i) {
    const Q8Place p = q8_0_place(nb, r, i);
    std::memcpy(dst[i].qs, src + p.qs, kQK);
    std::memcpy(&dst[i].d, src + p.d, 2);
  }
}

void q8_0_to_float_packed(const void* group, float* out, int64_t n) {
  const int64_t nb = n / kQK;
  const uint8_t* src = static_cast<const uint8_t*>(group);
  for (int64_t r = 0; r < kPackRows; ++r) {
    for (int64_t i = 0; i < nb; ++i) {
      const Q8Place p = q8_0_place(nb, r, i);
      uint16_t h;
      std::memcpy(&h, src + p.d, 2);
      const float d = half(h);
      const int8_t* q = reinterpret_cast<const int8_t*>(src + p.qs);
      float* o = out + r * n + i * kQK;
      for (int j = 0; j < kQK; ++j) o[j] = d * q[j];
    }
  }
}

// ---- bands ----

int64_t band_offset(const BandShape& b, int64_t n_groups, int64_t g, int64_t s) {
  const int64_t c0 = s * b.segment;  // every segment before s is full
  const int64_t len = std::min(b.segment, b.nb - c0);
  return (n_groups * c0 + g * len) * b.col_bytes;
}

void to_band(const void* groups, void* band, int64_t n_groups, const BandShape& b) {
  const uint8_t* src = static_cast<const uint8_t*>(groups);
  uint8_t* dst = static_cast<uint8_t*>(band);
  for (int64_t s = 0; s * b.segment < b.nb; ++s) {
    const int64_t c0 = s * b.segment, len = std::min(b.segment, b.nb - c0);
    for (int64_t g = 0; g < n_groups; ++g) {
      std::memcpy(dst + band_offset(b, n_groups, g, s), src + (g * b.nb + c0) * b.col_bytes,
                  static_cast<size_t>(len * b.col_bytes));
    }
  }
}

void to_bands(void* rows, int64_t packed_rows, int64_t row_bytes, const BandShape& b) {
  uint8_t* p = static_cast<uint8_t*>(rows);
  std::vector<uint8_t> groups;
  for (int64_t r = 0; r < packed_rows; r += kBandRows) {
    const int64_t n_groups = band_groups(packed_rows, r);
    groups.assign(p + r * row_bytes, p + (r + n_groups * kPackRows) * row_bytes);
    to_band(groups.data(), p + r * row_bytes, n_groups, b);
  }
}

void group_from_band(const void* band, int64_t n_groups, int64_t g, void* group, const BandShape& b) {
  const uint8_t* src = static_cast<const uint8_t*>(band);
  uint8_t* dst = static_cast<uint8_t*>(group);
  for (int64_t s = 0; s * b.segment < b.nb; ++s) {
    const int64_t c0 = s * b.segment, len = std::min(b.segment, b.nb - c0);
    std::memcpy(dst + c0 * b.col_bytes, src + band_offset(b, n_groups, g, s), static_cast<size_t>(len * b.col_bytes));
  }
}

}  // namespace lantern::engine::kernels
