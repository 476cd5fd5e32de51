// Turns a user's query into a safe FTS5 MATCH expression: an OR of quoted terms.
//
// Terms are cut with the index's own tokenizer (text_tokenizer.h) and passed to FTS5 as their
// original surface text in double quotes, so FTS5 re-tokenizes (and stems) them exactly once, as
// at index time, and no FTS5 operator, column filter or quote in the user's text means anything.
// Latin: one term per word, English stopwords dropped (unless nothing else is left). CJK: one term
// per character bigram; optionally each 3-character window as a 2-bigram phrase and the single
// characters too (both off by default: see bench/RESULTS.md for what each measured).
//
// The one thing to know: never quote a stem or a normalized token; quote the user's own text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "text_tokenizer.h"

namespace lantern::kb {

// Knobs tuned by bench/retrieval_eval_bench.cpp; the defaults are the tuned values.
struct QueryTuning {
  bool english_stopwords = true;
  // CMRC 2018 MRR@10: bigrams alone 0.984, + phrases 0.978, + unigrams 0.989 but 3x slower at
  // 100k chunks (every common character becomes a scored term).
  bool cjk_phrases = false;   // 3-character windows as 2-bigram phrases
  bool cjk_unigrams = false;  // single characters of multi-character runs as terms
  size_t max_terms = 64;      // longer queries keep their first terms
  // Planner: terms' document frequencies are estimated from their first df_sample matches; when
  // the query's terms match more than candidate_budget rows in all, only rows holding one of the
  // rarest terms (within the budget) are scored, so latency stays bounded on large indexes.
  int64_t df_sample = 2000;
  int64_t candidate_budget = 10000;
  double w_title = 3.0;       // bm25 column weights
  double w_heading = 1.5;
  double w_body = 1.0;
  TokenizerOptions tokenizer;  // must match the index's tokenize= arguments
};

struct QueryTerm {
  std::string surface;              // the user's text for this term, as quoted into the expression
  std::vector<std::string> tokens;  // its tokens in query mode (a phrase when more than one)
};

struct QueryPlan {
  std::vector<QueryTerm> terms;
  std::string match;  // FTS5 expression; empty when the query has no terms
};

QueryPlan build_query(std::string_view text, const QueryTuning& tuning = {});

// `s` as an FTS5 string: in double quotes, inner double quotes doubled.
std::string fts5_quote(std::string_view s);

// True for common English function words ("the", "what", "of"): lowercase ASCII input.
bool is_english_stopword(std::string_view word);

}  // namespace lantern::kb
