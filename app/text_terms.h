// Terms of a text for scoring overlap between a question and passage sentences, in Chinese and
// English alike, without a tokenizer or a dictionary.
//
// Latin-script words are lower-cased ASCII-alphanumeric runs (other letters kept as they are),
// optionally with plain inflections cut ("needs" -> "need", "launched" -> "launch");
// CJK text has no spaces, so each run of CJK characters yields its character bigrams plus the
// single characters that are not function characters (的, 了, 是 ...). The one thing to know: the
// same function must be applied to both sides of a comparison; scores are only meaningful between
// term lists made here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lantern::app {

// Decodes one UTF-8 code point at `pos`, advancing it; invalid bytes decode as U+FFFD (1 byte).
char32_t next_code_point(std::string_view s, size_t& pos);
// Han, kana, hangul and CJK punctuation-free ideographic ranges: characters written without spaces.
bool is_cjk(char32_t c);

struct TermOptions {
  bool drop_stopwords = true;  // English stopwords and Chinese function characters
  bool stem = false;           // cut plain English inflections (for matching, not for display)
};

// Terms in text order (with repeats). Bigrams are "ab" strings of two CJK characters.
std::vector<std::string> extract_terms(std::string_view text, TermOptions options = {});

// A bag of terms with counts.
using TermBag = std::unordered_map<std::string, int>;
TermBag term_bag(std::string_view text, TermOptions options = {});

// Jaccard similarity of the term sets (counts ignored), in [0, 1]; 0 when both are empty.
double jaccard(const TermBag& a, const TermBag& b);

// True when `text` has more CJK characters than Latin letters (decides joiners and heuristics).
bool mostly_cjk(std::string_view text);

}  // namespace lantern::app
