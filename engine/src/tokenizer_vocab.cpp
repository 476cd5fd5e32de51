// Vocab::validate: the invariants the tokenizer algorithms rely on, checked once.
//
// The one thing to know: everything here comes from a file and may be hostile, so each check
// produces a Status naming the field and the value; nothing after validate() re-checks ranges.
#include <limits>
#include <string>

#include "lantern/engine/vocab.h"

namespace lantern::engine {

namespace {

Status check_special(const char* field, int32_t id, int32_t n_vocab) {
  if (id == -1 || (id >= 0 && id < n_vocab)) return ok_status();
  return Status::corruption(std::string("tokenizer.ggml.") + field + ": token id " + std::to_string(id) +
                            " out of range (n_vocab " + std::to_string(n_vocab) + ")");
}

}  // namespace

Status Vocab::validate() const {
  if (tokens.empty()) return Status::corruption("tokenizer.ggml.tokens: empty token list");
  if (tokens.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return Status::resource_limit("tokenizer.ggml.tokens: " + std::to_string(tokens.size()) + " tokens, more than 2^31-1");
  }
  const auto n = tokens.size();
  if (!scores.empty() && scores.size() != n) {
    return Status::corruption("tokenizer.ggml.scores: " + std::to_string(scores.size()) + " entries, expected " +
                              std::to_string(n) + " (n_vocab)");
  }
  if (!types.empty() && types.size() != n) {
    return Status::corruption("tokenizer.ggml.token_type: " + std::to_string(types.size()) + " entries, expected " +
                              std::to_string(n) + " (n_vocab)");
  }
  for (size_t i = 0; i < types.size(); ++i) {
    const auto t = static_cast<int32_t>(types[i]);
    if (t < 0 || t > static_cast<int32_t>(TokenType::kByte)) {
      return Status::corruption("tokenizer.ggml.token_type[" + std::to_string(i) + "]: unknown type " + std::to_string(t));
    }
  }
  const auto nv = static_cast<int32_t>(n);
  LT_RETURN_IF_ERROR(check_special("bos_token_id", bos, nv));
  LT_RETURN_IF_ERROR(check_special("eos_token_id", eos, nv));
  LT_RETURN_IF_ERROR(check_special("eot_token_id", eot, nv));
  LT_RETURN_IF_ERROR(check_special("eom_token_id", eom, nv));
  LT_RETURN_IF_ERROR(check_special("unknown_token_id", unk, nv));
  LT_RETURN_IF_ERROR(check_special("seperator_token_id", sep, nv));
  LT_RETURN_IF_ERROR(check_special("padding_token_id", pad, nv));
  LT_RETURN_IF_ERROR(check_special("cls_token_id", cls, nv));
  LT_RETURN_IF_ERROR(check_special("mask_token_id", mask, nv));
  if (kind == VocabKind::kBpe) {
    for (size_t i = 0; i < merges.size(); ++i) {
      if (merges[i].find(' ', 1) == std::string::npos) {
        return Status::corruption("tokenizer.ggml.merges[" + std::to_string(i) + "]: '" + merges[i].substr(0, 64) +
                                  "' is not two pieces separated by a space");
      }
    }
  }
  return ok_status();
}

}  // namespace lantern::engine
