// Closes the AVX-512 region opened by avx512_begin.h.
#pragma GCC diagnostic pop
#pragma GCC pop_options
