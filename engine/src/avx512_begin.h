// Opens the AVX-512 region of a kernel file; avx512_end.h closes it.
//
// The one thing to know: include this after every other #include of the file. Everything defined
// between the two is compiled for AVX-512 (the CPU level kernels.cpp checks before calling it), so
// it must have internal linkage and use no templates or std:: calls: otherwise an AVX-512 copy of
// a shared inline function could be the one the linker keeps for callers on other CPUs. The
// region includes kernels_x86.h and defines the AVX-512 helpers below, all with internal linkage.
// No include guard: each kernel file opens the region once.
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c,bmi2")
// GCC 12's AVX-512 intrinsic headers trip these on their own "undefined" helper values.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "kernels_x86.h"

namespace lantern::engine::kernels {
namespace {

inline float h2f_512(uint16_t h) { return _cvtsh_ss(h); }

// Signed 8-bit products of w and y summed in groups of four per 32-bit lane: |w| times y with
// w's sign (maddubs multiplies unsigned by signed). y is never -128 (activations are quantized to
// -127..127), so negating it cannot overflow.
inline __m512i dot_i8_512(__m512i w, __m512i y) {
  const __m512i ys = _mm512_mask_sub_epi8(y, _mm512_movepi8_mask(w), _mm512_setzero_si512(), y);
  return _mm512_madd_epi16(_mm512_maddubs_epi16(_mm512_abs_epi8(w), ys), _mm512_set1_epi16(1));
}

}  // namespace
}  // namespace lantern::engine::kernels
