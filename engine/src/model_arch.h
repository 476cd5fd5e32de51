// The per-architecture table behind read_model_params: what differs between GGUF architectures
// that share the generic "<arch>.*" hyperparameter keys.
//
// The one thing to know: `runnable` means the forward pass in engine/src implements the
// architecture; flip it only together with that code. Entries that are not runnable still let
// `lantern models` show a file's parameters.
#pragma once

#include <string_view>
#include <vector>

#include "lantern/engine/gguf.h"
#include "lantern/engine/model_params.h"
#include "lantern/status.h"

namespace lantern::engine {

struct ArchSpec {
  std::string_view name;  // general.architecture value
  bool runnable;
  RopeType rope_type;
  bool norm_is_rms;       // reads <arch>.attention.layer_norm_rms_epsilon, else layer_norm_epsilon
  // Architecture-specific keys and checks, run after the generic ones; may be null.
  Status (*extra)(const GgufFile& file, ModelParams& params);
};

const std::vector<ArchSpec>& arch_table();
const ArchSpec* find_arch(std::string_view name);  // nullptr when not in the table

}  // namespace lantern::engine
