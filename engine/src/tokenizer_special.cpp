// SpecialSplitter: cuts special and added tokens out of the input before the subword encoder
// sees it.
//
// Semantics follow the reference tokenizer exactly: special tokens are taken longest text first;
// each one is cut out of every remaining raw fragment, leftmost occurrence first, and the rest
// of the fragment is searched again. (So with tokens "bcd" and "ab", "abcd" gives "a" + bcd.)
// The one thing to know: instead of searching the text once per special token (2,400 passes over
// a megabyte for deepseek-llm), one trie walk finds every occurrence of every token up front and
// the per-token passes only replay those occurrences.
#include <algorithm>
#include <cctype>

#include "tokenizer_internal.h"

namespace lantern::engine::tok {

namespace {

bool is_special_type(TokenType t) {
  return t == TokenType::kControl || t == TokenType::kUserDefined || t == TokenType::kUnknown;
}

}  // namespace

SpecialSplitter::SpecialSplitter(const Vocab& vocab, std::vector<uint8_t> lstrip, std::vector<uint8_t> rstrip)
    : vocab_(vocab), lstrip_(std::move(lstrip)), rstrip_(std::move(rstrip)) {
  const int32_t n = vocab.n_vocab();
  rank_.assign(static_cast<size_t>(n), -1);
  for (int32_t id = 0; id < n; ++id) {
    if (is_special_type(vocab.type(id)) && !vocab.tokens[static_cast<size_t>(id)].empty()) order_.push_back(id);
  }
  std::stable_sort(order_.begin(), order_.end(), [&](int32_t a, int32_t b) {
    return vocab.tokens[static_cast<size_t>(a)].size() > vocab.tokens[static_cast<size_t>(b)].size();
  });
  trie_.emplace_back();
  for (size_t r = 0; r < order_.size(); ++r) {
    const int32_t id = order_[r];
    rank_[static_cast<size_t>(id)] = static_cast<int32_t>(r);
    int32_t node = 0;
    for (unsigned char c : vocab.tokens[static_cast<size_t>(id)]) {
      auto& next = trie_[static_cast<size_t>(node)].next;
      auto it = std::lower_bound(next.begin(), next.end(), std::make_pair(static_cast<uint8_t>(c), int32_t{-1}));
      if (it != next.end() && it->first == c) {
        node = it->second;
      } else {
        const auto child = static_cast<int32_t>(trie_.size());
        next.insert(it, {static_cast<uint8_t>(c), child});
        trie_.emplace_back();  // invalidates `next`; not used after this
        node = child;
      }
    }
    // Two tokens with the same text: keep the first (lower rank); the other can never match.
    if (trie_[static_cast<size_t>(node)].token < 0) trie_[static_cast<size_t>(node)].token = id;
  }
}

namespace {

// Whether [begin, end) overlaps one of the sorted, disjoint `spans`.
bool overlaps(const std::vector<TextSpan>& spans, size_t begin, size_t end) {
  auto it = std::upper_bound(spans.begin(), spans.end(), begin,
                             [](size_t pos, const TextSpan& s) { return pos < s.end; });  // first span ending after begin
  return it != spans.end() && it->begin < end;
}

}  // namespace

std::vector<Fragment> SpecialSplitter::split(std::string_view text, bool parse_special,
                                             const std::vector<TextSpan>& literal) const {
  std::vector<Fragment> frags;
  if (text.empty()) return frags;
  frags.push_back({-1, 0, text.size()});
  if (order_.empty()) return frags;

  // Every occurrence of every eligible special token, as (rank, position), found in position
  // order and then grouped by rank with a counting sort (a comparison sort was most of the time
  // for inputs full of whitespace tokens: mpt has 23 of them).
  std::vector<std::pair<int32_t, size_t>> found;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto& root = trie_[0].next;
  for (size_t p = 0; p < text.size(); ++p) {
    auto it = std::lower_bound(root.begin(), root.end(), std::make_pair(s[p], int32_t{-1}));
    if (it == root.end() || it->first != s[p]) continue;  // the common case: no token starts here
    int32_t node = it->second;
    size_t q = p + 1;
    while (true) {
      const auto& nd = trie_[static_cast<size_t>(node)];
      if (nd.token >= 0) {
        const TokenType t = vocab_.type(nd.token);
        const bool eligible = t == TokenType::kUserDefined ||
                              (parse_special && (literal.empty() || !overlaps(literal, p, q)));
        if (eligible) found.emplace_back(rank_[static_cast<size_t>(nd.token)], p);
      }
      if (q >= text.size() || nd.next.empty()) break;
      auto jt = std::lower_bound(nd.next.begin(), nd.next.end(), std::make_pair(s[q], int32_t{-1}));
      if (jt == nd.next.end() || jt->first != s[q]) break;
      node = jt->second;
      ++q;
    }
  }
  if (found.empty()) return frags;
  std::vector<size_t> start(order_.size() + 1, 0);
  for (const auto& f : found) ++start[static_cast<size_t>(f.first) + 1];
  for (size_t r = 1; r < start.size(); ++r) start[r] += start[r - 1];
  std::vector<std::pair<int32_t, size_t>> occ(found.size());
  for (const auto& f : found) occ[start[static_cast<size_t>(f.first)]++] = f;  // stable: positions stay sorted
  found.clear();

  // Replay the reference algorithm token by token, using only the occurrences found.
  std::vector<Fragment> next;
  size_t i = 0;
  while (i < occ.size()) {
    const int32_t rank = occ[i].first;
    size_t end = i;
    while (end < occ.size() && occ[end].first == rank) ++end;
    const int32_t id = order_[static_cast<size_t>(rank)];
    const size_t len = vocab_.tokens[static_cast<size_t>(id)].size();
    const bool lstrip = !lstrip_.empty() && lstrip_[static_cast<size_t>(id)];
    const bool rstrip = !rstrip_.empty() && rstrip_[static_cast<size_t>(id)];

    next.clear();
    size_t k = i;
    for (const Fragment& f : frags) {
      if (f.token >= 0) {
        next.push_back(f);
        continue;
      }
      size_t off = f.offset;
      size_t flen = f.length;
      while (true) {
        while (k < end && occ[k].second < off) ++k;
        if (k == end || occ[k].second + len > off + flen) {
          if (flen > 0) next.push_back({-1, off, flen});
          break;
        }
        const size_t match = occ[k].second;
        size_t left_len = match - off;
        if (lstrip) {
          while (left_len > 0 && std::isspace(static_cast<unsigned char>(text[off + left_len - 1]))) --left_len;
        }
        if (left_len > 0) next.push_back({-1, off, left_len});
        next.push_back({id, match, len});
        size_t right_off = match + len;
        size_t right_len = off + flen - right_off;
        if (rstrip) {
          while (right_len > 0 && std::isspace(static_cast<unsigned char>(text[right_off]))) {
            ++right_off;
            --right_len;
          }
        }
        off = right_off;
        flen = right_len;
        if (flen == 0) break;
      }
    }
    frags.swap(next);
    i = end;
  }
  return frags;
}

}  // namespace lantern::engine::tok
