// Query analysis: see query_builder.h.
#include "query_builder.h"

#include <algorithm>
#include <set>

namespace lantern::kb {
namespace {

const std::set<std::string_view>& stopwords() {
  static const std::set<std::string_view> kWords = {
      "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
      "be", "been", "being", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing",
      "done", "during", "each", "either", "for", "from", "further", "given", "had", "has", "have", "having",
      "he", "her", "here", "him", "his", "how", "however", "i", "if", "in", "into", "is", "it", "its",
      "itself", "me", "more", "most", "must", "my", "no", "nor", "not", "of", "on", "one", "only", "or",
      "other", "our", "out", "over", "same", "shall", "she", "should", "so", "some", "such", "than",
      "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "through", "to",
      "under", "up", "upon", "us", "very", "was", "we", "were", "what", "when", "where", "whether",
      "which", "while", "who", "whom", "why", "will", "with", "within", "without", "would", "you", "your"};
  return kWords;
}

std::string ascii_lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return r;
}

// Length of the UTF-8 sequence starting with `lead` (1 for invalid leads).
size_t utf8_char_len(char lead) {
  auto c = static_cast<unsigned char>(lead);
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

}  // namespace

bool is_english_stopword(std::string_view word) { return stopwords().count(word) != 0; }

std::string fts5_quote(std::string_view s) {
  std::string r = "\"";
  for (char c : s) {
    if (c == '"') r += '"';
    r += c;
  }
  r += '"';
  return r;
}

QueryPlan build_query(std::string_view text, const QueryTuning& tuning) {
  std::vector<TextToken> toks = tokenize_to_vector(text, TokenizeMode::kQuery, tuning.tokenizer);
  std::vector<QueryTerm> words, stop_words, cjk;
  std::set<std::string> seen;
  auto add = [&](std::vector<QueryTerm>& into, size_t start, size_t end) {
    std::string surface(text.substr(start, end - start));
    if (!seen.insert(surface).second) return;
    QueryTerm term;
    term.surface = surface;
    for (const auto& t : tokenize_to_vector(surface, TokenizeMode::kQuery, tuning.tokenizer)) term.tokens.push_back(t.text);
    if (!term.tokens.empty()) into.push_back(std::move(term));
  };
  for (size_t i = 0; i < toks.size(); ++i) {
    const TextToken& t = toks[i];
    if (!t.cjk) {
      // Several tokens can share one surface (NFKC split "㎏/㎡"); add() dedupes the surface.
      bool stop = tuning.english_stopwords && is_english_stopword(ascii_lower(text.substr(t.start, t.end - t.start)));
      add(stop ? stop_words : words, t.start, t.end);
      continue;
    }
    add(cjk, t.start, t.end);
    // Bigrams of one run overlap by a character: toks[i+1] continues the run when it starts
    // before toks[i] ends.
    bool next_in_run = i + 1 < toks.size() && toks[i + 1].cjk && toks[i + 1].start < t.end;
    if (tuning.cjk_phrases && next_in_run) add(cjk, t.start, toks[i + 1].end);
    if (tuning.cjk_unigrams) {
      size_t mid = t.start + utf8_char_len(text[t.start]);
      if (mid < t.end) {  // a bigram: its first character, and the second at the end of the run
        add(cjk, t.start, mid);
        if (!next_in_run) add(cjk, mid, t.end);
      }
    }
  }
  QueryPlan plan;
  for (auto* group : {&cjk, &words}) {
    for (auto& term : *group) plan.terms.push_back(std::move(term));
  }
  if (plan.terms.empty()) plan.terms = std::move(stop_words);
  if (plan.terms.size() > tuning.max_terms) plan.terms.resize(tuning.max_terms);
  for (const auto& term : plan.terms) {
    if (!plan.match.empty()) plan.match += " OR ";
    plan.match += fts5_quote(term.surface);
  }
  return plan;
}

}  // namespace lantern::kb
