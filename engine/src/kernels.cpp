// The kernel tables and the runtime choice between scalar and SIMD kernels, plus the public
// quantize / dequantize entry points of quant.h.
//
// The one thing to know: the choice is made once per process (first use) from the CPU flags and
// LANTERN_NO_SIMD; a SIMD table entry overrides only the functions it provides, so a type without
// a SIMD version silently keeps its scalar kernels.
#include <array>
#include <cstdlib>
#include <string>

#include "kernels.h"

namespace lantern::engine {
namespace kernels {
namespace {

struct Tables {
  std::array<TypeTraits, kTableSize> scalar{};
  std::array<TypeTraits, kTableSize> active{};
  bool simd = false;
};

bool cpu_has_avx2() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
#else
  return false;
#endif
}

bool simd_disabled_by_env() {
  const char* v = std::getenv("LANTERN_NO_SIMD");
  return v != nullptr && *v != '\0' && std::string(v) != "0";
}

const Tables& tables() {
  static const Tables t = [] {
    Tables t;
    register_float_kernels(t.scalar.data());
    register_legacy_kernels(t.scalar.data());
    register_k_kernels(t.scalar.data());
    t.active = t.scalar;
    if (cpu_has_avx2() && !simd_disabled_by_env()) {
      t.simd = true;
      for (int i = 0; i < kTableSize; ++i) {
        const TypeTraits* fast = avx2_traits(static_cast<TensorType>(i));
        if (fast == nullptr) continue;
        if (fast->to_float) t.active[i].to_float = fast->to_float;
        if (fast->from_float) t.active[i].from_float = fast->from_float;
        if (fast->vec_dot) t.active[i].vec_dot = fast->vec_dot;
      }
    }
    return t;
  }();
  return t;
}

const TypeTraits* lookup(const std::array<TypeTraits, kTableSize>& table, TensorType type) {
  const auto i = static_cast<uint32_t>(type);
  if (i >= kTableSize || table[i].to_float == nullptr) return nullptr;
  return &table[i];
}

}  // namespace

const TypeTraits* scalar_traits(TensorType type) { return lookup(tables().scalar, type); }
const TypeTraits* active_traits(TensorType type) { return lookup(tables().active, type); }
bool simd_active() { return tables().simd; }

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
