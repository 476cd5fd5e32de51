// Sentence splitting for chunking: CJK terminators split immediately, Latin ones only before
// whitespace and not after abbreviations or initials. Wrong splits cost little (a chunk boundary
// one sentence early); missed splits cost more (a long unit cut at a space), so it errs to split.
#include <array>
#include <string>
#include <string_view>

#include "chunker.h"
#include "utf8.h"

namespace lantern::kb {
namespace {

bool is_cjk_terminator(char32_t cp) {
  return cp == 0x3002 /*。*/ || cp == 0xFF01 /*！*/ || cp == 0xFF1F /*？*/ || cp == 0xFF1B /*；*/ ||
         cp == 0xFF0E /*．*/ || cp == 0xFF61 /*｡*/;
}
bool is_latin_terminator(char32_t cp) { return cp == '.' || cp == '!' || cp == '?'; }
bool is_closer(char32_t cp) {
  return cp == '"' || cp == '\'' || cp == ')' || cp == ']' || cp == 0x201D || cp == 0x2019 || cp == 0x300D ||
         cp == 0x300F || cp == 0xFF09 || cp == 0x3011 || cp == 0x300B || cp == 0x3009;
}
bool is_ws(char32_t cp) { return cp == ' ' || cp == '\t' || cp == '\n'; }
bool is_ascii_alpha(char32_t cp) { return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'); }

constexpr std::array<std::string_view, 48> kAbbreviations = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "eg", "ie", "fig", "figs", "no", "nos",
    "vol", "vols", "al", "cf", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "approx", "dept", "est", "eq", "eqs", "ref", "refs", "sec", "ch",
    "pp", "p", "gen"};

// True when the '.' at byte `dot` ends an abbreviation or an initial ("J." "e.g." "Dr.").
bool ends_abbreviation(std::string_view text, size_t dot) {
  size_t i = dot;
  std::string word;
  while (i > 0) {
    char c = text[i - 1];
    if (is_ascii_alpha(static_cast<unsigned char>(c))) {
      word.insert(word.begin(), static_cast<char>(c | 0x20));
    } else if (c != '.') {
      break;
    }
    --i;
  }
  if (word.empty()) return false;
  if (word.size() == 1 && text[dot - 1] >= 'A' && text[dot - 1] <= 'Z') return true;  // initial
  for (std::string_view a : kAbbreviations) {
    if (word == a) return true;
  }
  return false;
}

}  // namespace

std::vector<Span> split_sentences(std::string_view text) {
  std::vector<Span> out;
  size_t i = 0, n = text.size();
  auto skip_ws = [&](size_t p) {
    while (p < n && (text[p] == ' ' || text[p] == '\t' || text[p] == '\n')) ++p;
    return p;
  };
  size_t start = skip_ws(0);
  size_t line_start = start;
  i = start;
  while (i < n) {
    size_t pos = i;
    char32_t cp = next_cp(text, i);
    size_t end = 0;  // set when a sentence ends at byte `end`
    if (is_cjk_terminator(cp) || is_latin_terminator(cp)) {
      bool cjk = is_cjk_terminator(cp);
      size_t j = i;
      while (j < n) {  // runs like "?!", "……", closing quotes
        size_t k = j;
        char32_t c2 = next_cp(text, k);
        if (is_cjk_terminator(c2) || is_latin_terminator(c2) || is_closer(c2)) {
          cjk = cjk || is_cjk_terminator(c2);
          j = k;
        } else {
          break;
        }
      }
      if (cjk) {
        end = j;
      } else if (j >= n || is_ws(static_cast<unsigned char>(text[j]))) {
        bool split = true;
        if (cp == '.' && j == i && ends_abbreviation(text, pos)) split = false;
        if (split && j < n) {  // a lowercase word next: "approx. three", "e.g. this"
          size_t k = skip_ws(j);
          if (k < n && text[k] >= 'a' && text[k] <= 'z') split = false;
        }
        if (split) end = j;
      }
      if (!end) i = j;
    } else if (cp == '\n') {
      // A short line before a newline is a line of its own (a list item, a caption, a title);
      // long lines are wrapped prose and continue.
      if (pos - line_start < 50 && pos > start) end = pos;
      line_start = i;
    }
    if (end) {
      size_t e = end;
      while (e > start && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\n')) --e;
      if (e > start) out.push_back({start, e});
      start = skip_ws(end);
      i = start;
      // the newline that started this line was consumed; find the current line start
      line_start = start;
    }
  }
  size_t e = n;
  while (e > start && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\n')) --e;
  if (e > start) out.push_back({start, e});
  return out;
}

}  // namespace lantern::kb
