// The kernel tables and the runtime choice between scalar and SIMD kernels, plus the public
// quantize / dequantize entry points of quant.h.
//
// The one thing to know: the choice is made once per process (first use) from the CPU flags,
// LANTERN_NO_SIMD and LANTERN_NO_AVX512; each level's table starts as a copy of the level below and
// overrides only the functions that level provides, so a type without an AVX-512 version runs its
// AVX2 one, and one without SIMD versions its scalar one.
#include <cstdlib>
#include <cstring>
#include <string>

#include "kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace lantern::engine {
namespace kernels {
namespace {

constexpr int kLevels = 3;

struct Tables {
  TypeTraits at[kLevels][kTableSize] = {};
  SimdLevel cpu = SimdLevel::kScalar;
  SimdLevel active = SimdLevel::kScalar;
};

bool env_flag(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' && std::string(v) != "0";
}

#if defined(__x86_64__) || defined(__i386__)
// F16C from CPUID leaf 1 (ECX bit 29): clang 14 does not know __builtin_cpu_supports("f16c"), and
// the fuzz build (clang) links this file.
bool cpu_has_f16c() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return false;
  return (ecx & (1u << 29)) != 0;
}
#endif

SimdLevel detect_cpu() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (!(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && cpu_has_f16c())) {
    return SimdLevel::kScalar;
  }
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("bmi2")) {
    return SimdLevel::kAvx512;
  }
  return SimdLevel::kAvx2;
#else
  return SimdLevel::kScalar;
#endif
}

// Copies the functions a level provides over the level below.
void overlay(TypeTraits* dst, const TypeTraits* over) {
  for (int i = 0; i < kTableSize; ++i) {
    if (over[i].to_float) dst[i].to_float = over[i].to_float;
    if (over[i].from_float) dst[i].from_float = over[i].from_float;
    if (over[i].vec_dot) {
      dst[i].vec_dot = over[i].vec_dot;
      dst[i].x_permute = over[i].x_permute;  // the layout goes with the dot that reads it
      if (over[i].gemm_min_tokens > 0) dst[i].gemm_min_tokens = over[i].gemm_min_tokens;
    }
    if (over[i].vec_dot_packed) {
      dst[i].pack = over[i].pack;
      dst[i].unpack_row = over[i].unpack_row;
      dst[i].x_permute_packed = over[i].x_permute_packed;
      dst[i].vec_dot_packed = over[i].vec_dot_packed;
      dst[i].vec_dot_packed_tokens = over[i].vec_dot_packed_tokens;
      dst[i].to_float_packed = over[i].to_float_packed;
      dst[i].band_min_cols = over[i].band_min_cols;
      dst[i].band_segment_blocks = over[i].band_segment_blocks;
      if (over[i].packed_gemm_min_tokens > 0) dst[i].packed_gemm_min_tokens = over[i].packed_gemm_min_tokens;
    }
  }
}

const Tables& tables() {
  static const Tables t = [] {
    Tables t;
    register_float_kernels(t.at[0]);
    register_legacy_kernels(t.at[0]);
    register_k_kernels(t.at[0]);
    t.cpu = detect_cpu();
    TypeTraits over[kTableSize] = {};
    for (int level = 1; level < kLevels; ++level) {
      std::memcpy(static_cast<void*>(t.at[level]), t.at[level - 1], sizeof(t.at[level]));
      if (level > static_cast<int>(t.cpu)) continue;
      std::memset(static_cast<void*>(over), 0, sizeof(over));
      if (level == 1) fill_avx2_table(over);
      if (level == 2) {
        fill_avx512_table(over);
        fill_avx512_packed_table(over);  // after: it reuses the Q8_0 activation order set above
      }
      overlay(t.at[level], over);
    }
    t.active = t.cpu;
    if (env_flag("LANTERN_NO_AVX512") && t.active == SimdLevel::kAvx512) t.active = SimdLevel::kAvx2;
    if (env_flag("LANTERN_NO_SIMD")) t.active = SimdLevel::kScalar;
    return t;
  }();
  return t;
}

const TypeTraits* lookup(const TypeTraits* table, TensorType type) {
  const auto i = static_cast<uint32_t>(type);
  if (i >= kTableSize || table[i].to_float == nullptr) return nullptr;
  return &table[i];
}

}  // namespace

const char* simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::kAvx512: return "avx512";
    case SimdLevel::kAvx2: return "avx2";
    default: return "scalar";
  }
}
SimdLevel cpu_simd_level() { return tables().cpu; }
SimdLevel active_simd_level() { return tables().active; }
const TypeTraits* traits_at(SimdLevel level, TensorType type) {
  if (static_cast<int>(level) > static_cast<int>(tables().cpu)) return nullptr;
  return lookup(tables().at[static_cast<int>(level)], type);
}
const TypeTraits* scalar_traits(TensorType type) { return traits_at(SimdLevel::kScalar, type); }
const TypeTraits* active_traits(TensorType type) { return traits_at(tables().active, type); }
bool simd_active() { return tables().active != SimdLevel::kScalar; }

}  // namespace kernels

bool type_has_kernels(TensorType type) {
  const kernels::TypeTraits* t = kernels::scalar_traits(type);
  return t != nullptr && t->vec_dot != nullptr;
}

Result<std::vector<uint8_t>> quantize_rows(TensorType type, const float* src, int64_t n_cols, int64_t n_rows) {
  const kernels::TypeTraits* t = kernels::scalar_traits(type);
  if (t == nullptr || t->vec_dot == nullptr) {
    return Status::unsupported("quantize: type " + std::string(tensor_type_name(type)) + " has no kernels");
  }
  if (n_cols <= 0 || n_rows < 0 || n_cols % t->block_size != 0) {
    return Status::invalid_argument("quantize " + std::string(tensor_type_name(type)) + ": row of " +
                                    std::to_string(n_cols) + " elements is not a positive multiple of " +
                                    std::to_string(t->block_size));
  }
  const int64_t row_bytes = kernels::row_size(*t, n_cols);
  std::vector<uint8_t> out(static_cast<size_t>(row_bytes * n_rows));
  for (int64_t r = 0; r < n_rows; ++r) t->from_float(src + r * n_cols, out.data() + r * row_bytes, n_cols);
  return out;
}

Status dequantize_row(TensorType type, const void* src, float* dst, int64_t n) {
  const kernels::TypeTraits* t = kernels::scalar_traits(type);
  if (t == nullptr) {
    return Status::unsupported("dequantize: type " + std::string(tensor_type_name(type)) + " has no kernels");
  }
  if (n < 0 || n % t->block_size != 0) {
    return Status::invalid_argument("dequantize " + std::string(tensor_type_name(type)) + ": " +
                                    std::to_string(n) + " elements is not a multiple of " +
                                    std::to_string(t->block_size));
  }
  kernels::active_traits(type)->to_float(src, dst, n);
  return ok_status();
}

}  // namespace lantern::engine
