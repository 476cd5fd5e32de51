// The answer without a model: the sentences of the top passages that best match the question,
// each followed by the [n] of its passage.
//
// Scoring is term overlap (text_terms.h: words for Latin text, character bigrams and unigrams for
// Chinese) weighted by how rare a term is among the candidate sentences, with a small bonus for
// better-ranked passages. The one thing to know: it extracts, it never rewrites — every sentence
// in the answer is verbatim from a passage, so the [n] after it is always true.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "passage.h"

namespace lantern::app {

struct ExtractiveOptions {
  size_t max_sentences = 3;
  size_t max_passages = 5;  // only the best-ranked passages are read
};

struct ExtractiveSentence {
  int n = 0;  // passage number
  std::string text;
  double score = 0;
};

struct ExtractiveAnswer {
  std::string text;                         // "" when nothing matched
  std::vector<ExtractiveSentence> sentences;  // in answer order
};

ExtractiveAnswer extractive_answer(std::string_view question, const std::vector<NumberedPassage>& passages,
                                   ExtractiveOptions options = {});

}  // namespace lantern::app
