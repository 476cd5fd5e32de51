// libFuzzer target for the FTS word splitter (the `lantern` FTS5 tokenizer and the query builder):
// any bytes, in document and query mode, with and without stemming, must give tokens with offsets
// inside the input, start < end, non-empty text of at most kMaxTokenBytes, valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "text_tokenizer.h"

using namespace lantern::kb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65536) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (TokenizeMode mode : {TokenizeMode::kDocument, TokenizeMode::kQuery}) {
    for (bool stem : {true, false}) {
      TokenizerOptions o;
      o.stem = stem;
      for (const TextToken& t : tokenize_to_vector(text, mode, o)) {
        FUZZ_CHECK(t.start < t.end && t.end <= text.size(), "token offsets inside the input");
        FUZZ_CHECK(!t.text.empty() && t.text.size() <= kMaxTokenBytes, "token text length");
        FUZZ_CHECK(lantern::fuzz::valid_utf8(t.text), "token text valid UTF-8");
      }
    }
  }
  return 0;
}
