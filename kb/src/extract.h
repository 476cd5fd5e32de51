// Format detection and text extraction: a file's bytes become a title and a list of blocks.
//
// The one thing to know: extractors only produce blocks of normalized text (paragraphs, headings,
// code blocks, rows) with their page and heading level; assemble() joins them into the stored
// document text and the chunker cuts chunks out of that text. Every limit hit and every malformed
// file is a Status naming the file's problem (the importer adds the path); nothing here throws or
// aborts, whatever the bytes are.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lantern/kb/knowledge_base.h"
#include "lantern/status.h"

namespace lantern::kb {

enum class Format { kTxt, kMarkdown, kHtml, kPdf, kDocx, kCsv, kJson, kCode, kText, kRoff };
const char* format_name(Format f);

struct Block {
  std::string text;        // normalized UTF-8, no leading/trailing blank lines
  int heading_level = 0;   // 1-9 for a heading, 0 for content
  std::string heading;     // heading blocks: the title as it goes into heading paths
  int64_t page = 0;        // 1-based, 0 when the format has no pages
  bool line_units = false; // chunk at line boundaries (code, CSV rows, JSON lines), not sentences
};

struct Extracted {
  std::string title;  // empty: the importer uses the file name
  std::vector<Block> blocks;
  int64_t n_replaced = 0;  // invalid byte sequences replaced while decoding
};

// What to do with a file, decided from its name and first bytes.
struct Detection {
  bool supported = false;
  Format format = Format::kText;
  std::string reason;  // when unsupported: "unsupported format '.png'", "binary file"
};
Detection detect_format(std::string_view path, std::string_view head);

// Extracts `bytes` (the whole file) as `format`.
Result<Extracted> extract(Format format, std::string_view bytes, const ImportLimits& limits);

// Per format (extract() dispatches to these).
Result<Extracted> extract_plain_text(std::string_view bytes);  // .txt and sniffed text
Result<Extracted> extract_markdown(std::string_view bytes);
Result<Extracted> extract_code(std::string_view bytes);
Result<Extracted> extract_csv(std::string_view bytes);
Result<Extracted> extract_json(std::string_view bytes, const ImportLimits& limits);
Result<Extracted> extract_html(std::string_view bytes, const ImportLimits& limits);
Result<Extracted> extract_docx(std::string_view bytes, const ImportLimits& limits);
Result<Extracted> extract_pdf(std::string_view bytes, const ImportLimits& limits);
Result<Extracted> extract_roff(std::string_view bytes);  // man pages (.1-.9, .man, .roff)
// True when the first lines hold man(7)/mdoc(7) requests (.TH, .Dd, .SH).
bool looks_like_roff(std::string_view head);

// Splits normalized prose into paragraph blocks at blank lines.
void append_paragraphs(std::string_view text, int64_t page, std::vector<Block>& out);

// The stored document: blocks joined by blank lines, with each block's byte range, heading path
// ("H1 > H2") and page.
struct AssembledBlock {
  size_t start = 0, end = 0;  // bytes into Assembled::text
  std::string heading_path;
  int64_t page = 0;
  int heading_level = 0;
  bool line_units = false;
};
struct Assembled {
  std::string text;
  std::vector<AssembledBlock> blocks;
};
Assembled assemble(const Extracted& doc);

}  // namespace lantern::kb
