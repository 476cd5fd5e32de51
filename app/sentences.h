// Sentence boundaries in Chinese and English text, and trimming a passage at them.
//
// A sentence ends after . ! ? (followed by space or end, so "3.5" and "e.g.x" do not split) or after
// Chinese/full-width 。！？；…, with closing quotes and brackets kept on the sentence they close. A
// blank line always ends a sentence; a single newline does when the line before ends in punctuation
// or the next line starts a list item or heading. The one thing to know: spans index the original
// text (byte offsets), so text[begin, end) reproduces it exactly, whitespace between spans excluded.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace lantern::app {

struct SentenceSpan {
  size_t begin = 0;  // byte offsets into the text
  size_t end = 0;
};

std::vector<SentenceSpan> split_sentences(std::string_view text);

// Convenience: the sentences as strings (trimmed of surrounding whitespace).
std::vector<std::string> sentences_of(std::string_view text);

struct TrimResult {
  std::string text;
  size_t kept = 0;          // sentences kept
  size_t total = 0;         // sentences in the input
  bool trimmed = false;     // something was cut
  bool mid_sentence = false;  // even the first sentence did not fit and was cut inside
};

// The longest prefix of whole sentences of `text` for which `fits` holds. When not even the first
// sentence fits, cuts that sentence at a word (or, for CJK, character) boundary and appends "…",
// still checking `fits`; returns empty text when nothing fits at all.
TrimResult trim_to_fit(std::string_view text, const std::function<bool(std::string_view)>& fits);

}  // namespace lantern::app
