// Citation markers in an answer: finding [n], [n, m], [n-m] (and full-width ［n］, 【n】), mapping
// them to the passages actually given, flagging the ones that point nowhere, and ordering sources
// for display (cited first, in order of first citation, then the rest in retrieval order).
//
// The one thing to know: only numbers 1..n_given are valid; anything else in a marker is reported
// in `invalid` (with its text) rather than dropped, so the user can see the model made it up.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "passage.h"

namespace lantern::app {

struct CitationMarker {
  size_t offset = 0;         // byte offset of the marker in the answer
  std::string text;          // the marker as written, "[2, 5]"
  std::vector<int> numbers;  // the numbers it names, in order
};

struct CitationCheck {
  std::vector<CitationMarker> markers;
  std::vector<int> cited;          // valid numbers, unique, in order of first appearance
  std::vector<std::string> invalid; // markers (as written) naming a number with no passage
};

std::vector<CitationMarker> find_citation_markers(std::string_view answer);

// Checks the markers of `answer` against passages numbered 1..n_given.
CitationCheck check_citations(std::string_view answer, int n_given);

// Marks passages cited and returns them in display order: cited ones first (in citation order),
// then the other given ones in their order.
std::vector<NumberedPassage> order_sources(std::vector<NumberedPassage> given, const CitationCheck& check);

// One line for the user when markers point nowhere, "" when all are valid.
std::string invalid_citation_notice(const CitationCheck& check, int n_given);

}  // namespace lantern::app
