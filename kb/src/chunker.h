// Structure-aware chunking: sections (a heading and what follows it, on one page) are never
// mixed; inside a section paragraphs are packed up to the target size, long paragraphs are split
// at sentences, over-long sentences at spaces (or anywhere, for CJK).
//
// The one thing to know: chunks are byte ranges of the assembled text, so a chunk's text is
// always exactly text[start, end) and citations can point back into the document. Consecutive
// chunks of a section overlap by whole trailing sentences up to ChunkOptions::overlap weight.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "extract.h"
#include "lantern/kb/knowledge_base.h"

namespace lantern::kb {

struct ChunkSpan {
  size_t start = 0, end = 0;  // bytes into the assembled text
  std::string heading_path;
  int64_t page = 0;
};

std::vector<ChunkSpan> chunk_document(const Assembled& doc, const ChunkOptions& options);

// Weight of a text in chunk-size units: 2 per CJK character, 1 per other character.
int64_t text_weight(std::string_view text);

// Sentence boundaries in `text`: a list of [start, end) byte ranges covering the sentences, with
// the whitespace between sentences left out. Knows Chinese/Japanese terminators (。！？；),
// Latin terminators followed by space, and does not split after common abbreviations, initials
// or inside numbers ("3.14", "e.g. this", "Dr. Li").
struct Span {
  size_t start = 0, end = 0;
};
std::vector<Span> split_sentences(std::string_view text);

}  // namespace lantern::kb
