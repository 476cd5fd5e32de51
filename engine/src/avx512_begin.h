// Opens the AVX-512 region of a kernel file; avx512_end.h closes it.
//
// The one thing to know: include this after every other #include of the file. Everything defined
// between the two is compiled for AVX-512 (the CPU level kernels.cpp checks before calling it), so
// it must have internal linkage and use no templates or std:: calls: otherwise an AVX-512 copy of
// a shared inline function could be the one the linker keeps for callers on other CPUs. The
// region includes kernels_x86.h, whose helpers all have internal linkage. No include guard: each
// kernel file opens the region once.
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c,bmi2")
// GCC 12's AVX-512 intrinsic headers trip these on their own "undefined" helper values.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "kernels_x86.h"
