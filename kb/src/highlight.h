// Where a query's terms occur in a chunk's text, and a snippet around the densest part.
//
// Matching re-tokenizes the text in document mode and looks for each query term's token sequence
// at consecutive positions (a CJK bigram and its colocated unigram share a position), so what is
// marked is exactly what FTS5 matched, in bytes of the original text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lantern/kb/search.h"
#include "query_builder.h"

namespace lantern::kb {

// Byte ranges of `text` matched by the plan's terms: sorted, overlaps merged.
std::vector<ByteRange> find_highlights(std::string_view text, const QueryPlan& plan, const TokenizerOptions& options);

struct Snippet {
  std::string text;                   // with "…" where cut, whitespace runs flattened to one space
  std::vector<ByteRange> highlights;  // in `text`
};

// An excerpt of about `max_chars` code points around the window holding the most highlights.
Snippet make_snippet(std::string_view text, const std::vector<ByteRange>& highlights, int max_chars);

}  // namespace lantern::kb
