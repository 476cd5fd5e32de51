// Packed rows: see packed_rows.h.
#include "packed_rows.h"

#include <array>
#include <cstring>

#include "kernels.h"

namespace lantern::engine::kernels {
namespace {

// Q4_K's plain layout: element e is in qs byte 32 * (e / 64) + e % 32, high nibble when
// e % 64 >= 32.
int q4_k_plain_byte(int e) { return 32 * (e / 64) + e % 32; }
bool q4_k_plain_high(int e) { return e % 64 >= 32; }

struct Q4KPackedGroup {
  uint8_t qs[kPackRows][128];
  uint8_t meta[kPackRows][16];
};
static_assert(sizeof(Q4KPackedGroup) == kPackRows * sizeof(BlockQ4_K));

// element_at[h][b] = q4_k_packed_element(h, b).
const std::array<std::array<uint8_t, 64>, 4>& q4_k_order() {
  static const auto order = [] {
    std::array<std::array<uint8_t, 64>, 4> o{};
    for (int h = 0; h < 4; ++h) {
      for (int b = 0; b < 64; ++b) o[h][b] = static_cast<uint8_t>(q4_k_packed_element(h, b));
    }
    return o;
  }();
  return order;
}

}  // namespace

int q4_k_packed_element(int h, int b) {
  const int sub = b / 2 % 8;                 // the word's sub-block
  const int pos = 8 * h + 2 * (b / 16) + b % 2;  // 0..31 within it: 8 per load, 2 per word
  return 32 * sub + pos;
}

void pack_q4_k(const void* rows, void* group, int64_t n) {
  const int64_t nb = n / kQK_K;
  const auto& order = q4_k_order();
  const BlockQ4_K* src = static_cast<const BlockQ4_K*>(rows);
  Q4KPackedGroup* dst = static_cast<Q4KPackedGroup*>(group);
  for (int64_t i = 0; i < nb; ++i) {
    for (int r = 0; r < kPackRows; ++r) {
      const BlockQ4_K& b = src[r * nb + i];
      auto nibble = [&](int e) { return (b.qs[q4_k_plain_byte(e)] >> (q4_k_plain_high(e) ? 4 : 0)) & 0xF; };
      for (int k = 0; k < 2; ++k) {
        for (int j = 0; j < 64; ++j) {
          dst[i].qs[r][64 * k + j] = static_cast<uint8_t>(nibble(order[2 * k][j]) | nibble(order[2 * k + 1][j]) << 4);
        }
      }
      std::memcpy(dst[i].meta[r], b.scales, 12);
      std::memcpy(dst[i].meta[r] + 12, &b.d, 2);
      std::memcpy(dst[i].meta[r] + 14, &b.dmin, 2);
    }
  }
}

void unpack_q4_k_row(const void* group, int64_t r, void* row, int64_t n) {
  const int64_t nb = n / kQK_K;
  const auto& order = q4_k_order();
  const Q4KPackedGroup* src = static_cast<const Q4KPackedGroup*>(group);
  BlockQ4_K* dst = static_cast<BlockQ4_K*>(row);
  for (int64_t i = 0; i < nb; ++i) {
    BlockQ4_K& b = dst[i];
    std::memset(b.qs, 0, sizeof b.qs);
    for (int k = 0; k < 2; ++k) {
      for (int j = 0; j < 64; ++j) {
        const uint8_t q = src[i].qs[r][64 * k + j];
        for (int half = 0; half < 2; ++half) {
          const int e = order[2 * k + half][j];
          b.qs[q4_k_plain_byte(e)] |= static_cast<uint8_t>(((q >> (4 * half)) & 0xF) << (q4_k_plain_high(e) ? 4 : 0));
        }
      }
    }
    std::memcpy(b.scales, src[i].meta[r], 12);
    std::memcpy(&b.d, src[i].meta[r] + 12, 2);
    std::memcpy(&b.dmin, src[i].meta[r] + 14, 2);
  }
}

void q4_k_x_permute_packed(void* x, int64_t n) {
  const auto& order = q4_k_order();
  BlockQ8_K* blocks = static_cast<BlockQ8_K*>(x);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    BlockQ8_K& b = blocks[i];
    int8_t q[256];
    std::memcpy(q, b.qs, sizeof q);
    for (int h = 0; h < 4; ++h) {
      for (int j = 0; j < 64; ++j) b.qs[64 * h + j] = q[order[h][j]];
    }
    for (int s = 0; s < 8; ++s) {
      int sum = 0;
      for (int t = 0; t < 32; ++t) sum += q[32 * s + t];
      b.bsums[s] = static_cast<int16_t>(sum);
    }
    for (int s = 8; s < 16; ++s) b.bsums[s] = 0;
  }
}

}  // namespace lantern::engine::kernels
