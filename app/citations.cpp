// Marker scanning is a hand-written scanner, not a regex: markers are short and the forms are few,
// and a scanner gives byte offsets and handles full-width brackets without locale trouble.
#include "citations.h"

#include <algorithm>

namespace lantern::app {
namespace {

// Bracket pairs as UTF-8 strings: ASCII, full-width ［］ and lenticular 【】.
struct Brackets {
  std::string_view open, close;
};
constexpr Brackets kBrackets[] = {{"[", "]"}, {"\xEF\xBC\xBB", "\xEF\xBC\xBD"}, {"\xE3\x80\x90", "\xE3\x80\x91"}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parses "1", "1, 2", "1-3", "1,2-4" between brackets; false when the content is anything else.
bool parse_numbers(std::string_view s, std::vector<int>& out) {
  size_t i = 0;
  auto skip_spaces = [&] { while (i < s.size() && s[i] == ' ') ++i; };
  auto number = [&](int& v) {
    size_t start = i;
    v = 0;
    while (i < s.size() && is_digit(s[i]) && i - start < 4) v = v * 10 + (s[i++] - '0');
    return i > start && (i >= s.size() || !is_digit(s[i]));
  };
  skip_spaces();
  while (true) {
    int a = 0;
    if (!number(a)) return false;
    skip_spaces();
    if (i < s.size() && (s[i] == '-' || s.substr(i, 3) == "\xE2\x80\x93")) {  // '-' or en dash
      i += s[i] == '-' ? 1 : 3;
      skip_spaces();
      int b = 0;
      if (!number(b) || b < a || b - a > 50) return false;
      for (int v = a; v <= b; ++v) out.push_back(v);
    } else {
      out.push_back(a);
    }
    skip_spaces();
    if (i == s.size()) return true;
    if (s[i] == ',' || s[i] == ';') {
      ++i;
      skip_spaces();
      continue;
    }
    if (s.substr(i, 3) == "\xEF\xBC\x8C" || s.substr(i, 3) == "\xE3\x80\x81") {  // ， 、
      i += 3;
      skip_spaces();
      continue;
    }
    return false;
  }
}

}  // namespace

std::vector<CitationMarker> find_citation_markers(std::string_view answer) {
  std::vector<CitationMarker> out;
  size_t i = 0;
  while (i < answer.size()) {
    bool matched = false;
    for (const auto& b : kBrackets) {
      if (answer.substr(i, b.open.size()) != b.open) continue;
      size_t inner = i + b.open.size();
      size_t close = answer.find(b.close, inner);
      if (close == std::string_view::npos || close - inner > 40) break;
      std::vector<int> numbers;
      if (!parse_numbers(answer.substr(inner, close - inner), numbers)) break;
      size_t end = close + b.close.size();
      // "[1](http://...)" is a Markdown link, not a citation.
      if (end < answer.size() && answer[end] == '(') break;
      out.push_back({i, std::string(answer.substr(i, end - i)), std::move(numbers)});
      i = end;
      matched = true;
      break;
    }
    if (!matched) ++i;
  }
  return out;
}

CitationCheck check_citations(std::string_view answer, int n_given) {
  CitationCheck c;
  c.markers = find_citation_markers(answer);
  for (const auto& m : c.markers) {
    bool bad = false;
    for (int v : m.numbers) {
      if (v < 1 || v > n_given) {
        bad = true;
      } else if (std::find(c.cited.begin(), c.cited.end(), v) == c.cited.end()) {
        c.cited.push_back(v);
      }
    }
    if (bad && std::find(c.invalid.begin(), c.invalid.end(), m.text) == c.invalid.end()) c.invalid.push_back(m.text);
  }
  return c;
}

std::vector<NumberedPassage> order_sources(std::vector<NumberedPassage> given, const CitationCheck& check) {
  std::vector<NumberedPassage> out;
  out.reserve(given.size());
  for (int n : check.cited) {
    for (auto& p : given) {
      if (p.n == n && !p.cited) {
        p.cited = true;
        out.push_back(p);
      }
    }
  }
  for (auto& p : given) {
    if (!p.cited) out.push_back(p);
  }
  return out;
}

std::string invalid_citation_notice(const CitationCheck& check, int n_given) {
  if (check.invalid.empty()) return "";
  std::string list;
  for (const auto& m : check.invalid) list += (list.empty() ? "" : " ") + m;
  std::string range = n_given == 0 ? std::string("no passages were given")
                                   : "only [1]" + (n_given > 1 ? "..[" + std::to_string(n_given) + "]" : std::string()) +
                                         " were given";
  return "citation" + std::string(check.invalid.size() == 1 ? " " : "s ") + list + " point to no passage (" + range + ")";
}

}  // namespace lantern::app
