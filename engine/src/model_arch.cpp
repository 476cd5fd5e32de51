// The architecture table. Rope styles follow the reference conversions: llama pairs adjacent
// dimensions; qwen2/qwen3/deepseek2 rotate split halves ("neox"); bert has no rotary embedding.
#include "model_arch.h"

namespace lantern::engine {
namespace {

// bert: LayerNorm, bidirectional unless the file says otherwise, absolute positions.
Status bert_extra(const GgufFile& file, ModelParams& p) {
  LT_ASSIGN_OR_RETURN(p.causal, file.get_bool_or("bert.attention.causal", false));
  return ok_status();
}

// nomic-bert: as bert, but rotary positions (neox) instead of a position table.
Status nomic_bert_extra(const GgufFile& file, ModelParams& p) {
  LT_ASSIGN_OR_RETURN(p.causal, file.get_bool_or("nomic-bert.attention.causal", false));
  return ok_status();
}

}  // namespace

const std::vector<ArchSpec>& arch_table() {
  static const std::vector<ArchSpec> kTable = {
      // name       runnable rope              rms    extra
      {"llama", true, RopeType::kNorm, true, nullptr},
      {"qwen2", true, RopeType::kNeox, true, nullptr},
      {"qwen3", true, RopeType::kNeox, true, nullptr},
      {"deepseek2", false, RopeType::kNeox, true, nullptr},
      {"bert", true, RopeType::kNone, false, bert_extra},
      {"nomic-bert", true, RopeType::kNeox, false, nomic_bert_extra},
  };
  return kTable;
}

const ArchSpec* find_arch(std::string_view name) {
  for (const ArchSpec& a : arch_table()) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace lantern::engine
