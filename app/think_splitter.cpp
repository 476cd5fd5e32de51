// A two-state machine (answer / reasoning) over a byte stream with one look-ahead buffer for tags.
#include "think_splitter.h"

#include <algorithm>

namespace lantern::app {
namespace {

constexpr std::string_view kOpen = "<think>";
constexpr std::string_view kClose = "</think>";

// Length of the longest suffix of `s` that is a proper prefix of `tag`.
size_t partial_tag_suffix(std::string_view s, std::string_view tag) {
  size_t max = std::min(s.size(), tag.size() - 1);
  for (size_t len = max; len > 0; --len) {
    if (s.substr(s.size() - len) == tag.substr(0, len)) return len;
  }
  return 0;
}

}  // namespace

ThinkSplitter::ThinkSplitter(bool starts_inside, Sink on_reasoning, Sink on_answer)
    : inside_(starts_inside), on_reasoning_(std::move(on_reasoning)), on_answer_(std::move(on_answer)) {}

void ThinkSplitter::emit(std::string_view text) {
  if (text.empty()) return;
  if (inside_) {
    reasoning_ += text;
    if (on_reasoning_) on_reasoning_(text);
    return;
  }
  if (!answer_started_) {
    size_t i = 0;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t')) ++i;
    text.remove_prefix(i);
    if (text.empty()) return;
    answer_started_ = true;
  }
  answer_ += text;
  if (on_answer_) on_answer_(text);
}

void ThinkSplitter::feed(std::string_view piece) {
  std::string buf = held_ + std::string(piece);
  held_.clear();
  std::string_view rest = buf;
  while (!rest.empty()) {
    std::string_view tag = inside_ ? kClose : kOpen;
    size_t at = rest.find(tag);
    // A stray "</think>" in answer mode (template opened <think> without telling us) ends
    // reasoning that was never announced; everything so far was reasoning. Handled by split at
    // the answer level: here we only drop the tag so it never reaches the user.
    size_t stray = inside_ ? std::string_view::npos : rest.find(kClose);
    if (stray != std::string_view::npos && (at == std::string_view::npos || stray < at)) {
      emit(rest.substr(0, stray));
      if (!answer_.empty() && reasoning_.empty()) {
        // Reclassify: what was streamed as answer was reasoning.
        reasoning_ = answer_;
        answer_.clear();
        answer_started_ = false;
      }
      rest.remove_prefix(stray + kClose.size());
      continue;
    }
    if (at == std::string_view::npos) {
      size_t hold = std::max(partial_tag_suffix(rest, tag), inside_ ? 0 : partial_tag_suffix(rest, kClose));
      emit(rest.substr(0, rest.size() - hold));
      held_ = std::string(rest.substr(rest.size() - hold));
      return;
    }
    emit(rest.substr(0, at));
    rest.remove_prefix(at + tag.size());
    inside_ = !inside_;
    if (!inside_) answer_started_ = false;
  }
}

void ThinkSplitter::finish() {
  std::string tail = std::move(held_);
  held_.clear();
  emit(tail);
}

ThinkParts split_think(std::string_view text, bool starts_inside) {
  ThinkSplitter s(starts_inside, nullptr, nullptr);
  s.feed(text);
  s.finish();
  // Trim the reasoning's surrounding whitespace; the answer's leading whitespace is already gone.
  std::string r = s.reasoning();
  size_t b = r.find_first_not_of(" \n\r\t");
  size_t e = r.find_last_not_of(" \n\r\t");
  std::string answer = s.answer();
  while (!answer.empty() && (answer.back() == ' ' || answer.back() == '\n')) answer.pop_back();
  return {b == std::string::npos ? std::string() : r.substr(b, e - b + 1), answer};
}

}  // namespace lantern::app
