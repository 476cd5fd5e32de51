// AVX2 / FMA / F16C kernels. Compiled with -mavx2 -mfma -mf16c (CMake does this for *_avx2.cpp);
// only reached through kernels.cpp after a runtime CPU check.
//
// The one thing to know: each function here must return what its scalar twin in quant_*.cpp
// returns up to float rounding; tests/engine/quant_test.cpp runs both on random blocks.
#include <immintrin.h>

#include "kernels.h"

namespace lantern::engine::kernels {

const TypeTraits* avx2_traits(TensorType type) { return nullptr; }

}  // namespace lantern::engine::kernels
