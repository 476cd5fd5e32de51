// The one sanitizer every untrusted string passes before it reaches a terminal.
//
// Untrusted: model output, document text, file names, error messages that quote any of these.
// Output is valid UTF-8 in which nothing can drive the terminal: C0 controls (ESC included) become
// their visible Control Pictures (U+241B for ESC), DEL becomes U+2421, C1 controls and invalid
// bytes become U+FFFD, and bidi embeddings/overrides/isolates (U+202A-202E, U+2066-2069) are shown
// as U+FFFD so they cannot reorder what follows. Newline and tab pass through only when allowed.
// Stateless: a sequence split across two calls is still harmless because ESC itself never passes.
#pragma once

#include <string>
#include <string_view>

namespace lantern::ui {

struct SanitizeOptions {
  bool keep_newlines = true;  // '\n' passes (otherwise shown as U+2424)
  bool keep_tabs = true;      // '\t' passes (otherwise U+2409)
};

std::string sanitize(std::string_view text, SanitizeOptions options = {});

// For text that arrives in pieces (streamed tokens): a UTF-8 sequence split across two pieces is
// held back until it completes instead of becoming two U+FFFD. At most 3 bytes are held.
class StreamSanitizer {
 public:
  explicit StreamSanitizer(SanitizeOptions options = {}) : options_(options) {}
  // Sanitized text of everything complete so far in `piece` (and what was held before).
  std::string push(std::string_view piece);
  // Flushes what is held (an unfinished sequence becomes U+FFFD).
  std::string finish();

 private:
  SanitizeOptions options_;
  std::string held_;
};

}  // namespace lantern::ui
