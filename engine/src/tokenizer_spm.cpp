// SpmEncoder: SentencePiece-style tokenization of one raw fragment (spaces already "▁").
//
// Algorithm: start from one symbol per UTF-8 character; repeatedly join the adjacent pair whose
// joined text is a vocabulary token with the highest score (ties: leftmost); stop when no pair
// joins. Each final symbol is its token, or, when it is not in the vocabulary (a character the
// vocabulary lacks), one <0xXX> byte token per byte, or <unk> when even those are missing.
// The one thing to know: the queue holds stale pairs (a side was joined since it was queued);
// they are recognised by their byte length no longer matching and skipped.
#include <cstdio>
#include <queue>

#include "tokenizer_internal.h"

namespace lantern::engine::tok {

SpmEncoder::SpmEncoder(const Vocab& vocab, const TokenIndex& index) : vocab_(vocab), index_(index) {
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    int32_t id = index.find(name);
    if (id < 0) {
      const char raw = static_cast<char>(b);  // some vocabularies hold the byte itself
      id = index.find(std::string_view(&raw, 1));
    }
    byte_token_[static_cast<size_t>(b)] = id >= 0 ? id : vocab.unk;
  }
}

namespace {

struct Symbol {
  int32_t prev;
  int32_t next;
  uint32_t start;  // byte offset in the fragment
  uint32_t len;    // bytes; 0 once joined into its left neighbour
};

struct Bigram {
  float score;
  int32_t left;
  int32_t right;
  uint32_t len;  // joined byte length when queued
  bool operator<(const Bigram& o) const {
    // std::priority_queue pops the largest: highest score, then the leftmost.
    return score < o.score || (score == o.score && left > o.left);
  }
};

}  // namespace

void SpmEncoder::encode(std::string_view text, std::vector<int32_t>& out) const {
  if (text.empty()) return;
  std::vector<Symbol> sym;
  sym.reserve(text.size());
  for (size_t off = 0; off < text.size();) {
    size_t len = utf8_seq_len(static_cast<uint8_t>(text[off]));
    if (len > text.size() - off) len = text.size() - off;
    const auto idx = static_cast<int32_t>(sym.size());
    sym.push_back({idx - 1, off + len == text.size() ? -1 : idx + 1, static_cast<uint32_t>(off), static_cast<uint32_t>(len)});
    off += len;
  }

  std::priority_queue<Bigram> queue;
  auto try_add = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const Symbol& l = sym[static_cast<size_t>(left)];
    const Symbol& r = sym[static_cast<size_t>(right)];
    const int32_t id = index_.find(text.substr(l.start, l.len + r.len));
    if (id < 0) return;
    const float score = vocab_.scores.empty() ? 0.0f : vocab_.scores[static_cast<size_t>(id)];
    queue.push({score, left, right, l.len + r.len});
  };
  for (int32_t i = 1; i < static_cast<int32_t>(sym.size()); ++i) try_add(i - 1, i);

  // Hot loop: one pop per candidate pair; O(n log n) in the fragment length.
  while (!queue.empty()) {
    const Bigram b = queue.top();
    queue.pop();
    Symbol& l = sym[static_cast<size_t>(b.left)];
    Symbol& r = sym[static_cast<size_t>(b.right)];
    if (l.len == 0 || r.len == 0 || l.len + r.len != b.len) continue;  // stale
    l.len += r.len;
    r.len = 0;
    l.next = r.next;
    if (r.next >= 0) sym[static_cast<size_t>(r.next)].prev = b.left;
    try_add(l.prev, b.left);
    try_add(b.left, l.next);
  }

  for (int32_t i = 0; i != -1; i = sym[static_cast<size_t>(i)].next) {
    const Symbol& s = sym[static_cast<size_t>(i)];
    const std::string_view piece = text.substr(s.start, s.len);
    const int32_t id = index_.find(piece);
    if (id >= 0) {
      out.push_back(id);
      continue;
    }
    for (unsigned char c : piece) {
      const int32_t bt = byte_token_[c];
      if (bt >= 0) out.push_back(bt);
    }
  }
}

}  // namespace lantern::engine::tok
