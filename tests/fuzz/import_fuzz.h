// The body of the importer fuzz targets (html_fuzz, docx_fuzz, ...): extract one format from any
// bytes with small limits, then assemble and chunk what came out. Extraction either fails with a
// Status or gives valid UTF-8 blocks, whose chunks are in-bounds byte ranges.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chunker.h"
#include "extract.h"
#include "fuzz_check.h"

namespace lantern::fuzz {

inline int fuzz_extract(kb::Format format, const uint8_t* data, size_t size) {
  if (size > (1 << 20)) return 0;
  kb::ImportLimits limits;
  limits.max_file_bytes = 1 << 20;
  limits.max_docx_uncompressed = 16 << 20;
  limits.max_docx_entries = 1000;
  limits.max_depth = 64;
  limits.pdf_time_limit_s = 5;
  auto doc = kb::extract(format, std::string_view(reinterpret_cast<const char*>(data), size), limits);
  if (!doc.ok()) {
    FUZZ_CHECK(!doc.status().to_string().empty(), "an extraction error has a message");
    return 0;
  }
  FUZZ_CHECK(valid_utf8(doc->title), "title is valid UTF-8");
  for (const kb::Block& b : doc->blocks) FUZZ_CHECK(valid_utf8(b.text), "block text is valid UTF-8");
  kb::Assembled assembled = kb::assemble(*doc);
  for (const kb::ChunkSpan& c : kb::chunk_document(assembled, kb::ChunkOptions{})) {
    FUZZ_CHECK(c.start < c.end && c.end <= assembled.text.size(), "chunk span non-empty, in bounds");
    FUZZ_CHECK(valid_utf8(std::string_view(assembled.text).substr(c.start, c.end - c.start)), "chunk is valid UTF-8");
  }
  return 0;
}

}  // namespace lantern::fuzz
