// Sentence splitting and trimming. Operates on UTF-8 bytes; multi-byte punctuation is matched as
// whole code points, never split.
#include "sentences.h"

#include "text_terms.h"

namespace lantern::app {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool is_cjk_terminator(char32_t c) {
  return c == U'。' || c == U'！' || c == U'？' || c == U'；' || c == U'…' || c == U'｡';
}
bool is_closer(char32_t c) {
  return c == '"' || c == '\'' || c == ')' || c == ']' || c == U'”' || c == U'’' || c == U'」' ||
         c == U'』' || c == U'）' || c == U'》' || c == U'】';
}

// True when the line starting at `pos` begins a list item or a heading.
bool starts_block(std::string_view s, size_t pos) {
  while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t')) ++pos;
  if (pos >= s.size()) return false;
  char c = s[pos];
  if (c == '#' || c == '-' || c == '*' || c == '+' || c == '>' || c == '|') return true;
  size_t d = pos;
  while (d < s.size() && s[d] >= '0' && s[d] <= '9') ++d;
  return d > pos && d < s.size() && (s[d] == '.' || s[d] == ')');
}

}  // namespace

std::vector<SentenceSpan> split_sentences(std::string_view text) {
  std::vector<SentenceSpan> out;
  size_t start = 0;
  auto emit = [&](size_t end) {
    size_t b = start, e = end;
    while (b < e && is_space(text[b])) ++b;
    while (e > b && is_space(text[e - 1])) --e;
    if (e > b) out.push_back({b, e});
    start = end;
  };
  size_t pos = 0;
  size_t line_start = 0;
  char32_t last_visible = 0;
  while (pos < text.size()) {
    size_t here = pos;
    char32_t c = next_code_point(text, pos);
    if (c == '\n') {
      size_t next = pos;
      while (next < text.size() && (text[next] == ' ' || text[next] == '\t' || text[next] == '\r')) ++next;
      bool blank = next < text.size() && text[next] == '\n';
      bool after_punct = last_visible == '.' || last_visible == '!' || last_visible == '?' ||
                         last_visible == ':' || is_cjk_terminator(last_visible) || last_visible == U'：';
      // A heading or list line ends at its newline, and so does the line before one.
      if (blank || after_punct || starts_block(text, pos) || starts_block(text, line_start)) emit(here);
      line_start = pos;
      continue;
    }
    if (!is_space(static_cast<char>(c < 0x80 ? c : 'x'))) last_visible = c;
    bool latin_end = c == '.' || c == '!' || c == '?';
    if (!latin_end && !is_cjk_terminator(c)) continue;
    // Swallow repeated terminators and closing quotes/brackets ("?!", "。」").
    size_t end = pos;
    while (end < text.size()) {
      size_t p = end;
      char32_t d = next_code_point(text, p);
      if (d == '.' || d == '!' || d == '?' || is_cjk_terminator(d) || is_closer(d)) {
        end = p;
      } else {
        break;
      }
    }
    if (latin_end && end < text.size() && !is_space(text[end])) {
      // "3.5", "e.g.x", "file.txt": not an end unless CJK text follows directly.
      size_t p = end;
      if (!is_cjk(next_code_point(text, p))) continue;
    }
    pos = end;
    emit(end);
  }
  emit(text.size());
  return out;
}

std::vector<std::string> sentences_of(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& s : split_sentences(text)) out.emplace_back(text.substr(s.begin, s.end - s.begin));
  return out;
}

TrimResult trim_to_fit(std::string_view text, const std::function<bool(std::string_view)>& fits) {
  TrimResult r;
  auto spans = split_sentences(text);
  r.total = spans.size();
  if (spans.empty()) return r;
  // Whole text first: the common case costs one check.
  std::string_view whole = text.substr(spans.front().begin, spans.back().end - spans.front().begin);
  if (fits(whole)) {
    r.text = std::string(whole);
    r.kept = spans.size();
    return r;
  }
  r.trimmed = true;
  // Binary search the number of whole sentences that fit (fits is monotone in length).
  size_t lo = 0, hi = spans.size() - 1;  // lo fits (0 = nothing), hi+1 does not
  while (lo < hi) {
    size_t mid = (lo + hi + 1) / 2;
    std::string candidate(text.substr(spans.front().begin, spans[mid - 1].end - spans.front().begin));
    candidate += " …";
    if (fits(candidate)) lo = mid;
    else hi = mid - 1;
  }
  if (lo > 0) {
    r.text = std::string(text.substr(spans.front().begin, spans[lo - 1].end - spans.front().begin)) + " …";
    r.kept = lo;
    return r;
  }
  // Not even one sentence: cut the first at a word or CJK character boundary.
  std::string_view first = text.substr(spans.front().begin, spans.front().end - spans.front().begin);
  std::vector<size_t> cuts;  // candidate cut offsets, increasing
  size_t pos = 0;
  while (pos < first.size()) {
    size_t here = pos;
    char32_t c = next_code_point(first, pos);
    if (is_cjk(c) || c == ' ') cuts.push_back(c == ' ' ? here : pos);
  }
  size_t best = 0;
  size_t a = 0, b = cuts.size();
  while (a < b) {  // largest index whose cut fits
    size_t mid = (a + b) / 2;
    std::string candidate(first.substr(0, cuts[mid]));
    candidate += "…";
    if (fits(candidate)) {
      best = cuts[mid];
      a = mid + 1;
    } else {
      b = mid;
    }
  }
  if (best == 0) return r;
  r.text = std::string(first.substr(0, best)) + "…";
  r.mid_sentence = true;
  return r;
}

}  // namespace lantern::app
