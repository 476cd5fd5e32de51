// Tokenizer: picks the encoder for the vocabulary's kind, applies special-token splitting and
// BOS/EOS, and decodes ids back to text.
//
// The one thing to know: the per-token decode pieces are computed once here (piece_ and the
// render rules in decode()); token_piece, decode and StreamDecoder all read that same table, so
// they cannot disagree about what a token means.
#include <algorithm>
#include <cstdlib>

#include "tokenizer_internal.h"

namespace lantern::engine {

using tok::Fragment;

struct Tokenizer::Impl {
  Vocab vocab;
  tok::TokenIndex index;
  std::unique_ptr<tok::SpecialSplitter> special;
  std::unique_ptr<tok::PreTokenizer> pre;
  std::unique_ptr<tok::SpmEncoder> spm;
  std::unique_ptr<tok::BpeEncoder> bpe;
  std::unique_ptr<tok::WpmEncoder> wpm;
  std::string pre_name;
  std::vector<std::string> warnings;
  bool add_bos = false;
  bool add_eos = false;
  bool add_space_prefix = false;
  int32_t bos = -1, eos = -1, eot = -1;
  std::vector<uint8_t> eog;        // [n_vocab] 1 when the token ends generation
  std::vector<std::string> piece;  // [n_vocab] bytes the token stands for in ordinary text
};

namespace {

const std::string kEmpty;
const std::string_view kSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's visible space

std::string replace_all(std::string_view s, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(s.size());
  size_t pos = 0;
  while (true) {
    const size_t hit = s.find(from, pos);
    if (hit == std::string_view::npos) break;
    out.append(s.substr(pos, hit - pos)).append(to);
    pos = hit + from.size();
  }
  out.append(s.substr(pos));
  return out;
}

// "<0x0A>" -> 10, or -1.
int parse_byte_token(std::string_view t) {
  if (t.size() != 6 || t.substr(0, 3) != "<0x" || t[5] != '>') return -1;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  const int hi = hex(t[3]);
  const int lo = hex(t[4]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

std::string bpe_piece(std::string_view text) {
  std::string out;
  for (uint32_t cpt : tok::decode_utf8(text)) {
    const int b = tok::unicode_to_byte(cpt);
    if (b >= 0) {
      out.push_back(static_cast<char>(b));
    } else {
      tok::append_utf8(out, cpt);  // not a byte-level character: keep it as written
    }
  }
  return out;
}

bool is_special_type(TokenType t) { return t == TokenType::kControl || t == TokenType::kUnknown; }

// Token texts that end a turn in the chat formats we know; used when the file names no EOT.
const char* const kEndOfTurnTexts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|EOT|>",
    "<EOT>",      "_<EOT>",     "<｜end▁of▁sentence｜>", "<|end_of_text|>", "<|eom_id|>",
};

}  // namespace

void tok::TokenIndex::build(const Vocab& vocab) {
  tokens_ = &vocab.tokens;
  size_t cap = 16;
  while (cap < 2 * vocab.tokens.size() + 2) cap *= 2;
  slots_.assign(cap, Slot{});
  const size_t mask = cap - 1;
  for (size_t id = 0; id < vocab.tokens.size(); ++id) {
    const std::string& t = vocab.tokens[id];
    if (t.empty()) continue;
    const uint64_t h = hash(t);
    const auto tag = static_cast<uint32_t>(h);
    for (size_t i = static_cast<size_t>(h >> 32) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.id < 0) {
        s = {tag, static_cast<int32_t>(id)};
        break;
      }
      if (s.tag == tag && vocab.tokens[static_cast<size_t>(s.id)] == t) break;  // duplicate: keep the first
    }
  }
}

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::~Tokenizer() = default;

Result<std::unique_ptr<Tokenizer>> Tokenizer::from_vocab(Vocab vocab) {
  LT_RETURN_IF_ERROR(vocab.validate().with_context("tokenizer"));
  auto impl = std::make_unique<Impl>();
  impl->vocab = std::move(vocab);
  Impl& m = *impl;
  const Vocab& v = m.vocab;
  const int32_t n = v.n_vocab();

  m.index.build(v);

  // Per-kind defaults for whatever the metadata leaves open.
  switch (v.kind) {
    case VocabKind::kSpm:
      m.add_bos = v.add_bos.value_or(true);
      m.add_eos = v.add_eos.value_or(false);
      m.add_space_prefix = v.add_space_prefix.value_or(true);
      m.spm = std::make_unique<tok::SpmEncoder>(v, m.index);
      break;
    case VocabKind::kBpe: {
      bool known = false;
      m.pre = tok::PreTokenizer::create(v.pre, &known, &m.pre_name);
      if (!m.pre) return Status::internal("tokenizer: pre-tokenizer regexes for '" + m.pre_name + "' do not compile");
      if (!known) {
        m.warnings.push_back("unknown tokenizer.ggml.pre '" + v.pre + "': using the gpt-2 pre-tokenizer");
      }
      const bool llama3 = m.pre_name == "llama3";
      m.add_bos = v.add_bos.value_or(llama3);
      m.add_eos = v.add_eos.value_or(false);
      m.bpe = std::make_unique<tok::BpeEncoder>(v, m.index, /*ignore_merges=*/llama3);
      if (m.bpe->n_merges_skipped() > 0) {
        m.warnings.push_back(std::to_string(m.bpe->n_merges_skipped()) +
                             " merges name pieces that are not tokens (kept in a slow table)");
      }
      break;
    }
    case VocabKind::kWpm:
      m.add_bos = v.add_bos.value_or(true);
      m.add_eos = v.add_eos.value_or(true);
      m.wpm = std::make_unique<tok::WpmEncoder>(v, m.index);
      break;
  }
  m.bos = v.bos >= 0 ? v.bos : (v.kind == VocabKind::kWpm ? v.cls : -1);
  m.eos = v.eos >= 0 ? v.eos : (v.kind == VocabKind::kWpm ? v.sep : -1);

  // Special tokens that swallow adjacent whitespace. Only Phi-3 needs it among the families we
  // run: its chat tokens eat the newline that follows them.
  std::vector<uint8_t> lstrip, rstrip;
  const bool phi3 = v.architecture == "phi3" || v.name.find("phi-3") != std::string::npos ||
                    v.name.find("Phi-3") != std::string::npos;
  if (phi3) {
    rstrip.assign(static_cast<size_t>(n), 0);
    for (int32_t id = 0; id < n; ++id) {
      const TokenType t = v.type(id);
      if (t == TokenType::kControl || t == TokenType::kUserDefined || t == TokenType::kUnknown) rstrip[static_cast<size_t>(id)] = 1;
    }
    for (const char* keep : {"<unk>", "<s>", "<|endoftext|>"}) {
      const int32_t id = m.index.find(keep);
      if (id >= 0) rstrip[static_cast<size_t>(id)] = 0;
    }
  }
  m.special = std::make_unique<tok::SpecialSplitter>(v, std::move(lstrip), std::move(rstrip));

  // End of turn / generation.
  m.eot = v.eot;
  m.eog.assign(static_cast<size_t>(n), 0);
  for (const char* text : kEndOfTurnTexts) {
    const int32_t id = m.index.find(text);
    if (id < 0) continue;
    const TokenType t = v.type(id);
    if (t != TokenType::kControl && t != TokenType::kUserDefined) continue;
    m.eog[static_cast<size_t>(id)] = 1;
    if (m.eot < 0 && std::string_view(text) != "<|endoftext|>" && std::string_view(text) != "<|eom_id|>") m.eot = id;
  }
  for (int32_t id : {m.eos, m.eot, v.eom}) {
    if (id >= 0) m.eog[static_cast<size_t>(id)] = 1;
  }

  // Decode pieces.
  m.piece.resize(static_cast<size_t>(n));
  for (int32_t id = 0; id < n; ++id) {
    const std::string& t = v.tokens[static_cast<size_t>(id)];
    std::string& p = m.piece[static_cast<size_t>(id)];
    const TokenType type = v.type(id);
    if (type == TokenType::kControl || type == TokenType::kUnknown || type == TokenType::kUserDefined) {
      p = t;
      continue;
    }
    switch (v.kind) {
      case VocabKind::kSpm: {
        const int b = type == TokenType::kByte ? parse_byte_token(t) : -1;
        p = b >= 0 ? std::string(1, static_cast<char>(b)) : replace_all(t, kSpace, " ");
        break;
      }
      case VocabKind::kBpe:
        p = bpe_piece(t);
        break;
      case VocabKind::kWpm:
        p = t.compare(0, kSpace.size(), kSpace) == 0 ? " " + t.substr(kSpace.size()) : t;
        break;
    }
  }
  return std::unique_ptr<Tokenizer>(new Tokenizer(std::move(impl)));
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_special, bool parse_special) const {
  return encode(text, add_special, parse_special, {});
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_special, bool parse_special,
                                       const std::vector<TextSpan>& literal) const {
  const Impl& m = *impl_;
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 4);
  if (add_special && m.add_bos && m.bos >= 0) out.push_back(m.bos);

  bool prev_special = true;  // SentencePiece adds its prefix space at the start and after specials
  std::string buf;
  for (const Fragment& f : m.special->split(text, parse_special, literal)) {
    if (f.token >= 0) {
      out.push_back(f.token);
      prev_special = true;
      continue;
    }
    const std::string_view raw = text.substr(f.offset, f.length);
    switch (m.vocab.kind) {
      case VocabKind::kSpm:
        buf.clear();
        if (m.add_space_prefix && prev_special) buf.push_back(' ');
        buf.append(raw);
        m.spm->encode(replace_all(buf, " ", kSpace), out);
        break;
      case VocabKind::kBpe: {
        const std::string valid = tok::valid_utf8(raw);
        for (std::string_view word : m.pre->split(valid)) m.bpe->encode_word(word, out);
        break;
      }
      case VocabKind::kWpm:
        m.wpm->encode(raw, out);
        break;
    }
    prev_special = false;
  }

  if (add_special && m.add_eos && m.eos >= 0) out.push_back(m.eos);
  return out;
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool render_special) const {
  StreamDecoder dec(*this, render_special, impl_->add_space_prefix || impl_->vocab.kind == VocabKind::kWpm);
  std::string out;
  for (int32_t id : ids) out += dec.push(id);
  out += dec.flush();
  return out;
}

std::string Tokenizer::token_piece(int32_t id) const {
  if (id < 0 || id >= n_vocab()) return {};
  return impl_->piece[static_cast<size_t>(id)];
}

const std::string& Tokenizer::token_text(int32_t id) const {
  if (id < 0 || id >= n_vocab()) return kEmpty;
  return impl_->vocab.tokens[static_cast<size_t>(id)];
}

int32_t Tokenizer::find_token(std::string_view text) const { return impl_->index.find(text); }

TokenType Tokenizer::token_type(int32_t id) const {
  if (id < 0 || id >= n_vocab()) return TokenType::kUndefined;
  return impl_->vocab.type(id);
}

int32_t Tokenizer::n_vocab() const { return impl_->vocab.n_vocab(); }
int32_t Tokenizer::bos() const { return impl_->bos; }
int32_t Tokenizer::eos() const { return impl_->eos; }
int32_t Tokenizer::eot() const { return impl_->eot; }
int32_t Tokenizer::unk() const { return impl_->vocab.unk; }
bool Tokenizer::add_bos() const { return impl_->add_bos; }
bool Tokenizer::add_eos() const { return impl_->add_eos; }

bool Tokenizer::is_end_of_generation(int32_t id) const {
  return id >= 0 && id < n_vocab() && impl_->eog[static_cast<size_t>(id)] != 0;
}

bool Tokenizer::is_control(int32_t id) const { return is_special_type(token_type(id)); }

VocabKind Tokenizer::kind() const { return impl_->vocab.kind; }
const Vocab& Tokenizer::vocab() const { return impl_->vocab; }
const std::string& Tokenizer::pre_tokenizer() const { return impl_->pre_name; }
const std::vector<std::string>& Tokenizer::warnings() const { return impl_->warnings; }

}  // namespace lantern::engine
