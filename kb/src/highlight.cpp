// Highlights and snippets: see highlight.h.
#include "highlight.h"

#include <algorithm>
#include <map>

#include "text_tokenizer.h"

namespace lantern::kb {
namespace {

struct Positioned {
  std::string text;
  size_t start, end;
};

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Byte offset `n` code points after `pos` (clamped to the end).
size_t forward_chars(std::string_view s, size_t pos, int n) {
  while (pos < s.size() && n > 0) {
    ++pos;
    while (pos < s.size() && is_continuation(static_cast<unsigned char>(s[pos]))) ++pos;
    --n;
  }
  return pos;
}

// Byte offset `n` code points before `pos` (clamped to 0).
size_t backward_chars(std::string_view s, size_t pos, int n) {
  while (pos > 0 && n > 0) {
    --pos;
    while (pos > 0 && is_continuation(static_cast<unsigned char>(s[pos]))) --pos;
    --n;
  }
  return pos;
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::vector<ByteRange> find_highlights(std::string_view text, const QueryPlan& plan, const TokenizerOptions& options) {
  // positions[p] = tokens at position p (first the primary one, then colocated ones)
  std::vector<std::vector<Positioned>> positions;
  struct Ctx {
    std::vector<std::vector<Positioned>>* positions;
  } ctx{&positions};
  tokenize_text(text, TokenizeMode::kDocument, options, &ctx, [](void* c, const TextToken& t) {
    auto* p = static_cast<Ctx*>(c)->positions;
    if (!t.colocated || p->empty()) p->emplace_back();
    p->back().push_back({t.text, t.start, t.end});
    return 0;
  });
  // Index first tokens of terms so each position is checked only against terms that can start there.
  std::multimap<std::string_view, const QueryTerm*> by_first;
  for (const auto& term : plan.terms) {
    if (!term.tokens.empty()) by_first.emplace(term.tokens.front(), &term);
  }
  std::vector<ByteRange> ranges;
  for (size_t p = 0; p < positions.size(); ++p) {
    for (const auto& first : positions[p]) {
      auto [lo, hi] = by_first.equal_range(first.text);
      for (auto it = lo; it != hi; ++it) {
        const QueryTerm& term = *it->second;
        if (p + term.tokens.size() > positions.size()) continue;
        size_t end = first.end;
        bool ok = true;
        for (size_t j = 1; j < term.tokens.size() && ok; ++j) {
          ok = false;
          for (const auto& tok : positions[p + j]) {
            if (tok.text == term.tokens[j]) {
              end = tok.end;
              ok = true;
              break;
            }
          }
        }
        if (ok) ranges.push_back({first.start, end});
      }
    }
  }
  std::sort(ranges.begin(), ranges.end());
  std::vector<ByteRange> merged;
  for (const auto& r : ranges) {
    if (!merged.empty() && r.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

Snippet make_snippet(std::string_view text, const std::vector<ByteRange>& highlights, int max_chars) {
  if (max_chars < 16) max_chars = 16;
  // Pick the window start: a little before the highlight that begins the densest window.
  size_t begin = 0;
  size_t best = 0;
  for (size_t i = 0; i < highlights.size(); ++i) {
    size_t window_end = forward_chars(text, highlights[i].first, max_chars * 3 / 4);
    size_t count = 0;
    for (size_t j = i; j < highlights.size() && highlights[j].second <= window_end; ++j) ++count;
    if (count > best) {
      best = count;
      begin = backward_chars(text, highlights[i].first, max_chars / 4);
    }
  }
  size_t end = forward_chars(text, begin, max_chars);
  // Do not cut Latin words in half at either edge.
  if (begin > 0 && !is_space(text[begin - 1])) {
    size_t b = begin;
    while (b < end && !is_space(text[b]) && b - begin < 24) ++b;
    if (b < end && is_space(text[b]) && b - begin < 24) begin = b;
  }
  if (end < text.size() && !is_space(text[end])) {
    size_t e = end;
    while (e > begin && !is_space(text[e - 1]) && end - e < 24) --e;
    if (e > begin && is_space(text[e - 1]) && end - e < 24) end = e;
  }
  Snippet out;
  if (begin > 0) out.text += "… ";
  size_t h = 0;
  while (h < highlights.size() && highlights[h].second <= begin) ++h;
  bool last_space = true;
  size_t open_at = std::string::npos;
  for (size_t i = begin; i < end; ++i) {
    // Highlight boundaries (clipped to the window) in output coordinates.
    if (h < highlights.size() && open_at == std::string::npos && i >= highlights[h].first) open_at = out.text.size();
    if (h < highlights.size() && open_at != std::string::npos && i >= highlights[h].second) {
      out.highlights.push_back({open_at, out.text.size()});
      open_at = std::string::npos;
      ++h;
      if (h < highlights.size() && i >= highlights[h].first) open_at = out.text.size();
    }
    char c = text[i];
    if (is_space(c)) {
      if (!last_space) out.text += ' ';
      last_space = true;
    } else {
      out.text += c;
      last_space = false;
    }
  }
  if (open_at != std::string::npos) out.highlights.push_back({open_at, out.text.size()});
  while (!out.text.empty() && out.text.back() == ' ') {
    out.text.pop_back();
    for (auto& r : out.highlights) r.second = std::min(r.second, out.text.size());
  }
  if (end < text.size()) out.text += " …";
  return out;
}

}  // namespace lantern::kb
