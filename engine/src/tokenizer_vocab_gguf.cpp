// Vocab::from_gguf and Tokenizer::from_gguf: the tokenizer.ggml.* keys of a GGUF file.
//
// The one thing to know: validate_vocab_metadata (model_params.h) checks the raw arrays and ids
// first, so the typed reads below only fail on type mismatches; ids stored as 0xFFFFFFFF or -1
// mean "none" and become -1. Defaults for absent ids follow the reference runtime per model kind.
#include <string>

#include "lantern/engine/gguf.h"
#include "lantern/engine/model_params.h"
#include "lantern/engine/tokenizer.h"
#include "lantern/engine/vocab.h"

namespace lantern::engine {

namespace {

// An id key: absent -> `fallback` (when it is a valid id), "none" values -> -1.
Result<int32_t> read_id(const GgufFile& f, const char* name, int32_t fallback, int32_t n_vocab) {
  const std::string key = std::string("tokenizer.ggml.") + name;
  if (!f.has(key)) return fallback >= 0 && fallback < n_vocab ? fallback : -1;
  LT_ASSIGN_OR_RETURN(int64_t v, f.get_i64(key));
  if (v < 0 || v == 0xFFFFFFFFll) return -1;
  if (v >= n_vocab) {
    return Status::corruption("'" + f.path() + "': key '" + key + "': token id " + std::to_string(v) +
                              " out of range (n_vocab " + std::to_string(n_vocab) + ")");
  }
  return static_cast<int32_t>(v);
}

Result<std::optional<bool>> read_flag(const GgufFile& f, const char* key) {
  if (!f.has(key)) return std::optional<bool>();
  LT_ASSIGN_OR_RETURN(bool v, f.get_bool(key));
  return std::optional<bool>(v);
}

}  // namespace

Result<Vocab> Vocab::from_gguf(const GgufFile& f) {
  LT_RETURN_IF_ERROR(validate_vocab_metadata(f));
  Vocab v;
  if (!f.has("tokenizer.ggml.model")) {
    return Status::not_found("'" + f.path() + "': key 'tokenizer.ggml.model' not found (no tokenizer in this file)");
  }
  LT_ASSIGN_OR_RETURN(std::string_view model, f.get_string("tokenizer.ggml.model"));
  v.model = std::string(model);
  if (model == "llama") {
    v.kind = VocabKind::kSpm;
  } else if (model == "gpt2") {
    v.kind = VocabKind::kBpe;
  } else if (model == "bert") {
    v.kind = VocabKind::kWpm;
  } else {
    return Status::unsupported("'" + f.path() + "': tokenizer.ggml.model '" + v.model +
                               "' is not supported (llama, gpt2, bert)");
  }
  LT_ASSIGN_OR_RETURN(std::string_view pre, f.get_string_or("tokenizer.ggml.pre", ""));
  v.pre = std::string(pre);
  LT_ASSIGN_OR_RETURN(std::string_view arch, f.get_string_or("general.architecture", ""));
  v.architecture = std::string(arch);
  LT_ASSIGN_OR_RETURN(std::string_view name, f.get_string_or("general.name", ""));
  v.name = std::string(name);
  LT_ASSIGN_OR_RETURN(std::string_view tmpl, f.get_string_or("tokenizer.chat_template", ""));
  v.chat_template = std::string(tmpl);

  LT_ASSIGN_OR_RETURN(auto tokens, f.get_string_array("tokenizer.ggml.tokens"));
  v.tokens.assign(tokens.begin(), tokens.end());
  if (f.has("tokenizer.ggml.scores")) {
    LT_ASSIGN_OR_RETURN(v.scores, f.get_f32_array("tokenizer.ggml.scores"));
  }
  if (f.has("tokenizer.ggml.token_type")) {
    LT_ASSIGN_OR_RETURN(std::vector<int32_t> types, f.get_i32_array("tokenizer.ggml.token_type"));
    v.types.reserve(types.size());
    for (int32_t t : types) v.types.push_back(static_cast<TokenType>(t));
  }
  if (f.has("tokenizer.ggml.merges")) {
    LT_ASSIGN_OR_RETURN(auto merges, f.get_string_array("tokenizer.ggml.merges"));
    v.merges.assign(merges.begin(), merges.end());
  }

  const int32_t n = v.n_vocab();
  const bool spm = v.kind == VocabKind::kSpm;
  const bool wpm = v.kind == VocabKind::kWpm;
  LT_ASSIGN_OR_RETURN(v.bos, read_id(f, "bos_token_id", spm ? 1 : -1, n));
  LT_ASSIGN_OR_RETURN(v.eos, read_id(f, "eos_token_id", spm ? 2 : -1, n));
  LT_ASSIGN_OR_RETURN(v.eot, read_id(f, "eot_token_id", -1, n));
  LT_ASSIGN_OR_RETURN(v.eom, read_id(f, "eom_token_id", -1, n));
  LT_ASSIGN_OR_RETURN(v.unk, read_id(f, "unknown_token_id", spm ? 0 : (wpm ? 100 : -1), n));
  LT_ASSIGN_OR_RETURN(v.sep, read_id(f, "seperator_token_id", wpm ? 102 : -1, n));
  LT_ASSIGN_OR_RETURN(v.pad, read_id(f, "padding_token_id", wpm ? 0 : -1, n));
  LT_ASSIGN_OR_RETURN(v.cls, read_id(f, "cls_token_id", wpm ? 101 : -1, n));
  LT_ASSIGN_OR_RETURN(v.mask, read_id(f, "mask_token_id", wpm ? 103 : -1, n));
  LT_ASSIGN_OR_RETURN(v.add_bos, read_flag(f, "tokenizer.ggml.add_bos_token"));
  LT_ASSIGN_OR_RETURN(v.add_eos, read_flag(f, "tokenizer.ggml.add_eos_token"));
  LT_ASSIGN_OR_RETURN(v.add_space_prefix, read_flag(f, "tokenizer.ggml.add_space_prefix"));

  Status st = v.validate();
  if (!st.ok()) return st.with_context("'" + f.path() + "'");
  return v;
}

Result<std::unique_ptr<Tokenizer>> Tokenizer::from_gguf(const GgufFile& file) {
  auto vocab = Vocab::from_gguf(file);
  if (!vocab.ok()) return vocab.status().with_context("tokenizer");
  return from_vocab(std::move(vocab).value());
}

}  // namespace lantern::engine
