// The --type argument of the kernel benchmarks: a weight type by its GGUF name ("Q4_K").
// An unknown name is a usage error: a line naming the tool and the name, exit status 2.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "lantern/engine/tensor_type.h"

inline lantern::engine::TensorType parse_tensor_type(const char* tool, const std::string& name) {
  for (uint32_t id = 0; id < 40; ++id) {
    auto info = lantern::engine::tensor_type_info(id);
    if (info && info->name == name) return info->type;
  }
  std::fprintf(stderr, "%s: unknown type '%s'\n", tool, name.c_str());
  std::exit(2);
}
