// Term extraction for overlap scoring. Deliberately simple and dictionary-free: it must work on
// any language mix, and it only ranks sentences and detects near-duplicates, it does not search.
#include "text_terms.h"

#include <algorithm>
#include <unordered_set>

namespace lantern::app {
namespace {

const std::unordered_set<std::string>& english_stopwords() {
  static const std::unordered_set<std::string> kWords = {
      "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "with", "from",
      "as", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these",
      "those", "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "do", "does",
      "did", "done", "has", "have", "had", "can", "could", "would", "should", "will", "shall", "may",
      "might", "must", "not", "no", "so", "if", "then", "than", "there", "their", "they", "them",
      "he", "she", "his", "her", "we", "you", "your", "our", "i", "me", "my", "about", "into", "also",
      "any", "all", "some", "such", "only", "more", "most", "other", "one", "ones", "s", "t",
      "tell", "please", "explain", "describe", "give", "list", "say", "says", "said", "according",
  };
  return kWords;
}

// Function characters of Chinese that carry little meaning alone; bigrams containing them still
// count (们 in 我们 is fine), only the unigram is dropped.
bool chinese_function_char(char32_t c) {
  static const std::u32string kChars =
      U"的了是在和与及或也都就而且其之于以为被把将这那哪什么吗呢吧啊呀个一有没不很还又所谁何几多少怎样些它他她我你们";
  return kChars.find(c) != std::u32string::npos;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

bool is_word_char(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  // Non-ASCII letters outside CJK (accented Latin, Greek, Cyrillic): part of words. Punctuation
  // blocks and symbols are separators.
  if (c >= 0x2000 && c <= 0x2BFF) return false;  // general punctuation, symbols, arrows
  if (c >= 0x3000 && c <= 0x303F) return false;  // CJK punctuation
  if (c >= 0xFF00 && c <= 0xFFEF) return false;  // full-width forms (handled as separators)
  if (c == 0xFFFD || c == 0xA0) return false;
  return !is_cjk(c);
}

// A very light English stemmer: "needs" and "need", "launched" and "launch" must meet. Only
// unambiguous inflections are cut, and only from ASCII words long enough to keep a stem.
std::string light_stem(std::string w) {
  auto ends = [&](std::string_view suf) { return w.size() > suf.size() && w.compare(w.size() - suf.size(), suf.size(), suf) == 0; };
  if (w.size() < 4 || static_cast<unsigned char>(w[0]) >= 0x80) return w;
  if (w.size() > 5 && ends("ing")) w.resize(w.size() - 3);
  else if (w.size() > 4 && ends("ied")) w.replace(w.size() - 3, 3, "y");
  else if (w.size() > 4 && ends("ies")) w.replace(w.size() - 3, 3, "y");
  else if (w.size() > 4 && ends("ed")) w.resize(w.size() - 2);
  else if (ends("s") && !ends("ss") && !ends("us") && !ends("is")) w.resize(w.size() - 1);
  return w;
}

}  // namespace

char32_t next_code_point(std::string_view s, size_t& pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  int len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || pos + len > s.size()) {
    ++pos;
    return 0xFFFD;
  }
  char32_t c = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (int i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xC0) != 0x80) {
      ++pos;
      return 0xFFFD;
    }
    c = (c << 6) | (b & 0x3F);
  }
  pos += len;
  return c;
}

bool is_cjk(char32_t c) {
  return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x2FFFF) || (c >= 0x3040 && c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7AF);
}

std::vector<std::string> extract_terms(std::string_view text, TermOptions options) {
  std::vector<std::string> out;
  std::string word;
  char32_t prev_cjk = 0;  // previous character when it was CJK, for bigrams
  auto flush_word = [&] {
    if (word.empty()) return;
    if (!options.drop_stopwords || english_stopwords().count(word) == 0) out.push_back(options.stem ? light_stem(word) : word);
    word.clear();
  };
  size_t pos = 0;
  while (pos < text.size()) {
    char32_t c = next_code_point(text, pos);
    if (is_cjk(c)) {
      flush_word();
      if (prev_cjk) {
        std::string bigram;
        append_utf8(bigram, prev_cjk);
        append_utf8(bigram, c);
        out.push_back(std::move(bigram));
      }
      if (!options.drop_stopwords || !chinese_function_char(c)) {
        std::string uni;
        append_utf8(uni, c);
        out.push_back(std::move(uni));
      }
      prev_cjk = c;
      continue;
    }
    prev_cjk = 0;
    if (c >= 0xFF10 && c <= 0xFF5A) c -= 0xFEE0;  // full-width digits and letters -> ASCII
    if (is_word_char(c)) {
      if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
      append_utf8(word, c);
    } else {
      flush_word();
    }
  }
  flush_word();
  return out;
}

TermBag term_bag(std::string_view text, TermOptions options) {
  TermBag bag;
  for (auto& t : extract_terms(text, options)) ++bag[t];
  return bag;
}

double jaccard(const TermBag& a, const TermBag& b) {
  if (a.empty() && b.empty()) return 0.0;
  const TermBag& small = a.size() <= b.size() ? a : b;
  const TermBag& large = a.size() <= b.size() ? b : a;
  size_t common = 0;
  for (const auto& [term, n] : small) common += large.count(term);
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

bool mostly_cjk(std::string_view text) {
  size_t cjk = 0, latin = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    char32_t c = next_code_point(text, pos);
    if (is_cjk(c)) ++cjk;
    else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) ++latin;
  }
  // A Chinese character carries about as much as a short word: compare characters to words.
  return cjk > 0 && cjk * 4 >= latin;
}

}  // namespace lantern::app
