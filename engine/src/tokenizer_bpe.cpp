// BpeEncoder: byte-level BPE of one pre-tokenized word.
//
// Algorithm: map each byte of the word to its GPT-2 code point (so every byte is a symbol and a
// vocabulary entry), then repeatedly join the adjacent pair with the lowest merge rank (ties:
// leftmost) until no listed merge applies. A final symbol that is not a token is emitted byte by
// byte (each byte's mapped character, when that is a token), as the reference does.
// The one thing to know: merges are looked up by the token ids of both sides (a probe of an
// open-addressing table keyed by 64 bits: the hot path, about a third of encode time); merges whose sides are not tokens, which real vocabularies do not
// have, live in a slower text-keyed table so nothing is silently dropped.
#include <queue>

#include "tokenizer_internal.h"

namespace lantern::engine::tok {

namespace {

uint64_t pair_key(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

struct Symbol {
  int32_t prev;
  int32_t next;
  int32_t id;      // token of the symbol's text, -1 when not a token
  uint32_t start;  // byte offset in the encoded word
  uint32_t len;    // 0 once joined into the left neighbour
};

struct Bigram {
  int32_t rank;
  int32_t left;
  int32_t right;
  int32_t result;
  uint32_t len;
  bool operator<(const Bigram& o) const {
    // std::priority_queue pops the largest: lowest rank first, then the leftmost.
    return rank > o.rank || (rank == o.rank && left > o.left);
  }
};

}  // namespace

void BpeEncoder::insert_merge(uint64_t key, Merge merge) {
  const size_t mask = slots_.size() - 1;
  for (size_t i = (key * 0x9E3779B97F4A7C15ull) >> shift_;; i = (i + 1) & mask) {
    if (slots_[i].key == key) return;  // keep the first (lowest) rank
    if (slots_[i].key == kEmptyKey) {
      slots_[i] = {key, merge};
      return;
    }
  }
}

const BpeEncoder::Merge* BpeEncoder::find_merge(uint64_t key) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = (key * 0x9E3779B97F4A7C15ull) >> shift_;; i = (i + 1) & mask) {
    if (slots_[i].key == key) return &slots_[i].merge;
    if (slots_[i].key == kEmptyKey) return nullptr;
  }
}

BpeEncoder::BpeEncoder(const Vocab& vocab, const TokenIndex& index, bool ignore_merges)
    : vocab_(vocab), index_(index), ignore_merges_(ignore_merges) {
  size_t cap = 16;
  int bits = 4;
  while (cap < 2 * vocab.merges.size() + 2) {
    cap *= 2;
    ++bits;
  }
  slots_.assign(cap, Slot{});
  shift_ = 64 - bits;
  for (int b = 0; b < 256; ++b) byte_token_[static_cast<size_t>(b)] = index.find(byte_to_unicode()[static_cast<size_t>(b)]);
  std::string joined;
  for (size_t rank = 0; rank < vocab.merges.size(); ++rank) {
    const std::string& m = vocab.merges[rank];
    const size_t sp = m.find(' ', 1);  // validated by Vocab::validate
    const std::string_view left = std::string_view(m).substr(0, sp);
    const std::string_view right = std::string_view(m).substr(sp + 1);
    const int32_t lid = index.find(left);
    const int32_t rid = index.find(right);
    joined.assign(left).append(right);
    const int32_t result = index.find(joined);
    const Merge merge{static_cast<int32_t>(rank), result};
    if (lid >= 0 && rid >= 0) {
      insert_merge(pair_key(lid, rid), merge);
    } else {
      merges_by_text_.emplace(std::string(left) + '\x01' + std::string(right), merge);
      ++n_merges_skipped_;
    }
  }
}

int32_t BpeEncoder::rank_of(int32_t left, int32_t right, std::string_view left_text, std::string_view right_text,
                            int32_t* result) const {
  if (left >= 0 && right >= 0) {
    const Merge* m = find_merge(pair_key(left, right));
    if (m == nullptr) return -1;
    *result = m->result;
    return m->rank;
  }
  if (merges_by_text_.empty()) return -1;
  std::string key;
  key.reserve(left_text.size() + right_text.size() + 1);
  key.append(left_text).push_back('\x01');
  key.append(right_text);
  auto it = merges_by_text_.find(key);
  if (it == merges_by_text_.end()) return -1;
  *result = it->second.result;
  return it->second.rank;
}

void BpeEncoder::encode_word(std::string_view word, std::vector<int32_t>& out) const {
  if (word.empty()) return;
  const auto& b2u = byte_to_unicode();
  std::string enc;
  enc.reserve(word.size() * 2);
  std::vector<Symbol> sym;
  sym.reserve(word.size());
  for (unsigned char c : word) {
    const std::string& u = b2u[c];
    const auto idx = static_cast<int32_t>(sym.size());
    sym.push_back({idx - 1, idx + 1, byte_token_[c], static_cast<uint32_t>(enc.size()), static_cast<uint32_t>(u.size())});
    enc += u;
  }
  sym.back().next = -1;
  const std::string_view text = enc;

  if (ignore_merges_) {
    const int32_t whole = index_.find(text);
    if (whole >= 0) {
      out.push_back(whole);
      return;
    }
  }

  std::priority_queue<Bigram> queue;
  auto try_add = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const Symbol& l = sym[static_cast<size_t>(left)];
    const Symbol& r = sym[static_cast<size_t>(right)];
    int32_t result = -1;
    const int32_t rank = rank_of(l.id, r.id, text.substr(l.start, l.len), text.substr(r.start, r.len), &result);
    if (rank < 0) return;
    queue.push({rank, left, right, result, l.len + r.len});
  };
  for (int32_t i = 1; i < static_cast<int32_t>(sym.size()); ++i) try_add(i - 1, i);

  // Hot loop: most of the encoder's time for long words (CJK runs are one word per sentence).
  while (!queue.empty()) {
    const Bigram b = queue.top();
    queue.pop();
    Symbol& l = sym[static_cast<size_t>(b.left)];
    Symbol& r = sym[static_cast<size_t>(b.right)];
    if (l.len == 0 || r.len == 0 || l.len + r.len != b.len) continue;  // stale
    l.len += r.len;
    l.id = b.result;
    r.len = 0;
    l.next = r.next;
    if (r.next >= 0) sym[static_cast<size_t>(r.next)].prev = b.left;
    try_add(l.prev, b.left);
    try_add(b.left, l.next);
  }

  for (int32_t i = 0; i != -1; i = sym[static_cast<size_t>(i)].next) {
    const Symbol& s = sym[static_cast<size_t>(i)];
    if (s.id >= 0) {
      out.push_back(s.id);
      continue;
    }
    for (size_t j = s.start; j < s.start + s.len; ++j) {
      const int32_t id = index_.find(text.substr(j, 1));
      if (id >= 0) out.push_back(id);
    }
  }
}

}  // namespace lantern::engine::tok
