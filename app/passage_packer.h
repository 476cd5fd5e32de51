// Packs retrieved passages into a token budget for the prompt: most relevant first, duplicates and
// near-duplicates dropped, a passage that does not fit whole trimmed at sentence boundaries, and
// every cut reported as a notice so nothing disappears silently.
//
// The one thing to know: `cost` measures a passage exactly as the prompt renders it (number and
// label included), so the packed total is what the prompt will really hold; the budget is in model
// tokens and comes from the context arithmetic in the pipeline.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "passage.h"

namespace lantern::app {

using TokenCounter = std::function<size_t(std::string_view)>;

struct PackOptions {
  size_t budget_tokens = 0;       // for all passages together, as rendered
  double near_duplicate = 0.8;    // Jaccard of term sets at or above which a passage is a duplicate
  size_t min_trimmed_tokens = 32; // a trimmed passage shorter than this is not worth giving
};

struct PackResult {
  std::vector<NumberedPassage> passages;  // n = 1..size, in prompt order
  size_t tokens = 0;                      // rendered cost of all packed passages
  size_t duplicates = 0;                  // dropped as (near-)duplicates of a better-ranked one
  std::vector<Passage> left_out;          // did not fit at all
  std::vector<std::string> notices;       // one line per cut, for the user
};

// How a numbered passage appears in the prompt: "[n] label\ntext".
std::string render_passage(int n, const Passage& p, std::string_view text);

PackResult pack_passages(const std::vector<Passage>& ranked, const PackOptions& options, const TokenCounter& count);

}  // namespace lantern::app
