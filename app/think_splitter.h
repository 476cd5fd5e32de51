// Separates R1-style reasoning ("<think> ... </think>") from the answer in a token stream.
//
// Pieces arrive as the model decodes them, so a tag can be split across pieces ("<th" + "ink>"):
// a possible tag prefix at the end of a piece is held back until the next piece decides it. When the
// chat template already opened <think> (DeepSeek-R1 distills do), construct with
// `starts_inside = true`: output begins in the reasoning. The one thing to know: held-back bytes are
// released by finish(); call it once at the end or the tail of the text is lost.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace lantern::app {

class ThinkSplitter {
 public:
  using Sink = std::function<void(std::string_view)>;

  ThinkSplitter(bool starts_inside, Sink on_reasoning, Sink on_answer);

  void feed(std::string_view piece);
  void finish();

  bool in_reasoning() const { return inside_; }
  const std::string& reasoning() const { return reasoning_; }
  const std::string& answer() const { return answer_; }

 private:
  void emit(std::string_view text);

  bool inside_;
  bool answer_started_ = false;  // leading whitespace of the answer is dropped until text comes
  std::string held_;             // a possible partial tag, not yet emitted
  std::string reasoning_;
  std::string answer_;
  Sink on_reasoning_;
  Sink on_answer_;
};

// Whole-text form: {reasoning, answer} of a finished output.
struct ThinkParts {
  std::string reasoning;
  std::string answer;
};
ThinkParts split_think(std::string_view text, bool starts_inside);

}  // namespace lantern::app
