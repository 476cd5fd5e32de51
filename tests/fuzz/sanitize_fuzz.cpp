// libFuzzer target for the terminal sanitizer: for any bytes, sanitize() and StreamSanitizer (the
// input cut into pieces at fuzzer-chosen points) must give valid UTF-8 with no C0 control but the
// allowed '\n'/'\t', no DEL, no C1 control and no bidi embedding/override/isolate; streaming must
// give the same text as one call. The first byte picks the options and the cut points.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "lantern/ui/sanitize.h"

using lantern::fuzz::next_codepoint;
using lantern::fuzz::valid_utf8;

namespace {

void check_harmless(std::string_view out, const lantern::ui::SanitizeOptions& o) {
  FUZZ_CHECK(valid_utf8(out), "sanitize output is valid UTF-8");
  size_t i = 0;
  while (i < out.size()) {
    unsigned cp = next_codepoint(out, i);
    if (cp == '\n') {
      FUZZ_CHECK(o.keep_newlines, "newline only when allowed");
    } else if (cp == '\t') {
      FUZZ_CHECK(o.keep_tabs, "tab only when allowed");
    } else {
      FUZZ_CHECK(cp >= 0x20 && cp != 0x7F, "no C0 control or DEL");
      FUZZ_CHECK(cp < 0x80 || cp > 0x9F, "no C1 control");
      FUZZ_CHECK(!(cp >= 0x202A && cp <= 0x202E) && !(cp >= 0x2066 && cp <= 0x2069), "no bidi override");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  lantern::ui::SanitizeOptions o;
  o.keep_newlines = (data[0] & 1) != 0;
  o.keep_tabs = (data[0] & 2) != 0;
  const size_t step = 1 + (data[0] >> 2);  // piece length for streaming
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  std::string whole = lantern::ui::sanitize(text, o);
  check_harmless(whole, o);

  lantern::ui::StreamSanitizer stream(o);
  std::string streamed;
  for (size_t at = 0; at < text.size(); at += step) {
    std::string piece = stream.push(text.substr(at, step));
    check_harmless(piece, o);
    streamed += piece;
  }
  std::string tail = stream.finish();
  check_harmless(tail, o);
  streamed += tail;
  FUZZ_CHECK(streamed == whole, "streamed sanitize equals one-call sanitize");
  return 0;
}
