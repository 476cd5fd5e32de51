// Sentence selection for extractive answers. Sentences are scored independently, the best few
// are kept and put back in document order so the answer reads in the passage's own sequence.
#include "extractive.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "sentences.h"
#include "text_terms.h"

namespace lantern::app {

ExtractiveAnswer extractive_answer(std::string_view question, const std::vector<NumberedPassage>& passages,
                                   ExtractiveOptions options) {
  ExtractiveAnswer out;
  const TermOptions match{.drop_stopwords = true, .stem = true};
  TermBag q = term_bag(question, match);
  if (q.empty()) q = term_bag(question, {.drop_stopwords = false, .stem = true});
  struct Candidate {
    int n;
    size_t passage_index;
    size_t order;
    std::string text;
    TermBag bag;
    double score = 0;
  };
  std::vector<Candidate> cands;
  size_t n_passages = std::min(options.max_passages, passages.size());
  for (size_t i = 0; i < n_passages; ++i) {
    size_t order = 0;
    for (auto& s : sentences_of(passages[i].text)) {
      if (s[0] == '#') continue;  // a Markdown heading names the topic, it answers nothing
      TermBag bag = term_bag(s, match);
      if (bag.empty()) continue;
      cands.push_back({passages[i].n, i, order++, std::move(s), std::move(bag)});
    }
  }
  if (cands.empty() || q.empty()) return out;
  // Document frequency of question terms among candidate sentences: a term in every sentence
  // (the passage's topic word) says little about which sentence answers.
  std::unordered_map<std::string, size_t> df;
  for (const auto& c : cands) {
    for (const auto& [t, n] : q) df[t] += c.bag.count(t);
  }
  const double n_cands = static_cast<double>(cands.size());
  for (auto& c : cands) {
    double s = 0;
    for (const auto& [t, n] : q) {
      if (!c.bag.count(t)) continue;
      double idf = std::log(1.0 + n_cands / static_cast<double>(df[t]));
      // Bigrams (two CJK characters) and words carry more than single characters.
      size_t pos = 0;
      char32_t ch = next_code_point(t, pos);
      double weight = is_cjk(ch) && pos >= t.size() ? 0.5 : 1.0;
      s += weight * idf;
    }
    // Prefer sentences from better-ranked passages, and penalise very long ones slightly so that
    // a whole paragraph without punctuation does not win by sheer size.
    s *= 1.0 / (1.0 + 0.15 * static_cast<double>(c.passage_index));
    s /= 1.0 + static_cast<double>(c.text.size()) / 2000.0;
    c.score = s;
  }
  std::vector<size_t> idx(cands.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return cands[a].score > cands[b].score; });
  if (cands[idx[0]].score <= 0) return out;
  // Keep sentences scoring at least a quarter of the best: a weak third sentence only adds noise.
  const double floor = cands[idx[0]].score * 0.25;
  std::vector<size_t> chosen;
  for (size_t i : idx) {
    if (chosen.size() >= options.max_sentences || cands[i].score < floor) break;
    chosen.push_back(i);
  }
  std::sort(chosen.begin(), chosen.end(), [&](size_t a, size_t b) {
    return cands[a].passage_index != cands[b].passage_index ? cands[a].passage_index < cands[b].passage_index
                                                            : cands[a].order < cands[b].order;
  });
  const bool cjk = mostly_cjk(question);
  for (size_t k = 0; k < chosen.size(); ++k) {
    const Candidate& c = cands[chosen[k]];
    out.sentences.push_back({c.n, c.text, c.score});
    if (!out.text.empty()) out.text += cjk ? "" : " ";
    out.text += c.text;
    // One marker per run of sentences from the same passage.
    bool next_same = k + 1 < chosen.size() && cands[chosen[k + 1]].n == c.n;
    if (!next_same) out.text += " [" + std::to_string(c.n) + "]";
  }
  return out;
}

}  // namespace lantern::app
