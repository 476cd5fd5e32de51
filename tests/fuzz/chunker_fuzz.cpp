// libFuzzer target for the chunker and the sentence splitter: any text, decoded and split into
// paragraphs as the importer does, must chunk into in-bounds, ordered byte ranges that start and
// end on character boundaries; sentences must be in-bounds, ordered and non-overlapping. The first
// two bytes pick the chunk size and overlap.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "chunker.h"
#include "extract.h"
#include "fuzz_check.h"
#include "text_decode.h"

using namespace lantern::kb;

namespace {

bool char_boundary(std::string_view s, size_t at) {
  return at == 0 || at >= s.size() || (static_cast<unsigned char>(s[at]) & 0xC0) != 0x80;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || size > 65536) return 0;
  ChunkOptions options;
  options.target = 20 + data[0] * 4;
  options.overlap = data[1] % (options.target / 2);
  std::string_view bytes(reinterpret_cast<const char*>(data) + 2, size - 2);

  std::string text;
  append_valid_utf8(text, bytes);
  FUZZ_CHECK(lantern::fuzz::valid_utf8(text), "append_valid_utf8 gives valid UTF-8");

  std::vector<Span> sentences = split_sentences(text);
  size_t last = 0;
  for (const Span& s : sentences) {
    FUZZ_CHECK(s.start >= last && s.start <= s.end && s.end <= text.size(), "sentence spans ordered, in bounds");
    FUZZ_CHECK(char_boundary(text, s.start) && char_boundary(text, s.end), "sentence on character boundaries");
    last = s.end;
  }

  Extracted doc;
  append_paragraphs(text, 0, doc.blocks);
  if (!doc.blocks.empty() && (data[0] & 1)) {  // a heading in front, as markdown gives
    Block h;
    h.text = h.heading = "Heading";
    h.heading_level = 1;
    doc.blocks.insert(doc.blocks.begin(), h);
  }
  Assembled assembled = assemble(doc);
  for (const ChunkSpan& c : chunk_document(assembled, options)) {
    FUZZ_CHECK(c.start < c.end && c.end <= assembled.text.size(), "chunk span non-empty, in bounds");
    FUZZ_CHECK(char_boundary(assembled.text, c.start) && char_boundary(assembled.text, c.end),
               "chunk on character boundaries");
  }
  return 0;
}
