// libFuzzer target for the tokenizers: any byte string, as text for a SentencePiece, byte-level BPE
// (each pre-tokenizer) or WordPiece vocabulary built in memory, must tokenize without crashing;
// valid UTF-8 must decode back to itself (SentencePiece, BPE); every decode and every streamed
// piece must be valid UTF-8. The first input byte picks the vocabulary and the flags.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "lantern/engine/tokenizer.h"

using namespace lantern::engine;

namespace {

const char* const kPres[] = {"gpt-2", "llama3", "qwen2", "deepseek-llm", "deepseek-coder", "deepseek-v3", "falcon",
                             "starcoder"};

// GPT-2's byte-level character for byte b, as UTF-8.
std::string byte_char(int b) {
  int cpt = b;
  int next = 256;
  for (int i = 0; i <= b; ++i) {
    const bool printable = (i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) || (i >= 0xAE && i <= 0xFF);
    cpt = printable ? i : next++;
  }
  std::string s;
  if (cpt < 0x80) {
    s.push_back(static_cast<char>(cpt));
  } else {
    s.push_back(static_cast<char>(0xC0 | (cpt >> 6)));
    s.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  }
  return s;
}

std::unique_ptr<Tokenizer> make(Vocab v) {
  auto t = Tokenizer::from_vocab(std::move(v));
  if (!t.ok()) {
    std::fprintf(stderr, "%s\n", t.status().to_string().c_str());
    std::abort();
  }
  return std::move(t).value();
}

std::unique_ptr<Tokenizer> spm() {
  Vocab v;
  v.kind = VocabKind::kSpm;
  v.tokens = {"<unk>", "<s>", "</s>"};
  v.types = {TokenType::kUnknown, TokenType::kControl, TokenType::kControl};
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    v.tokens.push_back(name);
    v.types.push_back(TokenType::kByte);
  }
  for (const char* t : {"▁", "a", "b", "ab", "▁a", "▁ab", "中", "文", "中文"}) {
    v.tokens.push_back(t);
    v.types.push_back(TokenType::kNormal);
  }
  v.scores.assign(v.tokens.size(), 0.0f);
  v.scores.back() = 1.0f;
  v.bos = 1;
  v.eos = 2;
  v.unk = 0;
  return make(std::move(v));
}

std::unique_ptr<Tokenizer> bpe(const char* pre) {
  Vocab v;
  v.kind = VocabKind::kBpe;
  v.pre = pre;
  for (int b = 0; b < 256; ++b) v.tokens.push_back(byte_char(b));
  v.types.assign(256, TokenType::kNormal);
  for (const char* t : {"Ġa", "ab", "Ġab", "ĠĠ"}) {
    v.tokens.push_back(t);
    v.types.push_back(TokenType::kNormal);
  }
  v.merges = {"Ġ a", "a b", "Ġa b", "Ġ Ġ"};
  v.tokens.push_back("<|im_end|>");
  v.types.push_back(TokenType::kControl);
  v.tokens.push_back("  ");
  v.types.push_back(TokenType::kUserDefined);
  return make(std::move(v));
}

std::unique_ptr<Tokenizer> wpm() {
  Vocab v;
  v.kind = VocabKind::kWpm;
  v.tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "▁a", "b", "▁中", "▁,"};
  v.types = {TokenType::kControl, TokenType::kControl, TokenType::kControl, TokenType::kControl,
             TokenType::kNormal,  TokenType::kNormal,  TokenType::kNormal,  TokenType::kNormal};
  v.unk = 1;
  v.cls = 2;
  v.sep = 3;
  return make(std::move(v));
}

bool valid_utf8(const std::string& s) {
  Utf8Assembler a;
  return a.push(s) + a.flush() == s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto s = spm();
  static const auto w = wpm();
  static const auto b = [] {
    std::vector<std::unique_ptr<Tokenizer>> v;
    for (const char* pre : kPres) v.push_back(bpe(pre));
    return v;
  }();
  if (size == 0) return 0;
  const uint8_t sel = data[0];
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  const int which = sel % 10;
  const Tokenizer* t = which == 0 ? s.get() : which == 1 ? w.get() : b[static_cast<size_t>(which - 2)].get();
  const bool add_special = sel & 0x10;
  const bool parse_special = sel & 0x20;
  const auto ids = t->encode(text, add_special, parse_special);
  for (int32_t id : ids) {
    if (id < 0 || id >= t->n_vocab()) std::abort();
  }
  const std::string back = t->decode(ids, parse_special);
  if (!valid_utf8(back)) std::abort();
  // Plain text (no BOS, no special tokens) round-trips exactly; SentencePiece cannot tell a "▁" in
  // the text from an escaped space, as in the reference.
  const bool spm_marker = t->kind() == VocabKind::kSpm && text.find("\xE2\x96\x81") != std::string::npos;
  if (t->kind() != VocabKind::kWpm && !add_special && !parse_special && !spm_marker && valid_utf8(text) &&
      back != text) {
    std::abort();
  }
  StreamDecoder dec(*t, parse_special);
  std::string streamed;
  for (int32_t id : ids) {
    const std::string piece = dec.push(id);
    if (!valid_utf8(piece)) std::abort();
    streamed += piece;
  }
  streamed += dec.flush();
  if (!valid_utf8(streamed)) std::abort();
  return 0;
}
