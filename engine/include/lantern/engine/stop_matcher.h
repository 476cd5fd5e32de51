// Stop strings over streamed text: decides which part of the generated text may be shown now.
//
// The one thing to know: text that could be the start of a stop string is held back until the
// next piece shows whether it is one, so the caller never prints part of a stop string; call
// finish() at the end of generation to get what is still held.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lantern::engine {

class StopMatcher {
 public:
  explicit StopMatcher(std::vector<std::string> stops);

  // Adds a piece of generated text; returns the text now safe to emit (may be empty). After a stop
  // string is seen, returns the text before it and stopped() is true; later calls return "".
  std::string feed(std::string_view piece);
  // Text still held back (a partial stop string that never completed). Empty after a stop.
  std::string finish();
  bool stopped() const { return stopped_; }

 private:
  std::vector<std::string> stops_;  // empty strings removed
  std::string pending_;             // text not yet emitted
  bool stopped_ = false;
};

}  // namespace lantern::engine
