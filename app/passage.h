// A retrieved passage as the answer pipeline sees it: one knowledge-base chunk with where it came
// from, and (once packed into a prompt) the number [n] it is cited by.
//
// The one thing to know: `n` is assigned by the packer in prompt order, starting at 1, and is the
// only number a model or an extractive answer may cite; 0 means "retrieved but not given".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lantern::app {

struct Passage {
  int64_t chunk_id = 0;
  std::string doc;      // the document's path as imported
  std::string title;    // document title (may be empty: show the file name)
  std::string heading;  // heading path inside the document, "" when none
  int page = 0;         // 1-based page, 0 when the format has no pages
  double score = 0;     // retrieval score, higher is better
  int rank = 0;         // 1-based retrieval rank
  std::string text;     // the chunk text as retrieved
  int64_t start = 0;    // character offsets of the chunk in the document's text
  int64_t end = 0;
};

// A passage as given to the model: its number and the (possibly trimmed) text that was shown.
struct NumberedPassage {
  int n = 0;
  Passage passage;
  std::string text;      // what the prompt contains; equals passage.text unless trimmed
  bool trimmed = false;
  bool cited = false;    // set after the answer is known
};

// "Title, p. 3, Heading" — the short location line used in prompts and source lists.
std::string passage_label(const Passage& p);

}  // namespace lantern::app
