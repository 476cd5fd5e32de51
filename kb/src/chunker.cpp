// Chunking (see chunker.h). Sections -> units (sentences, lines, heading lines) -> packed chunks.
//
// Invariants of the packing loop: every unit is in at least one chunk; chunk i+1 starts after
// chunk i starts (progress); a chunk is one unit or has weight <= target (+ nothing else); overlap
// repeats whole units only, never the whole previous chunk.
#include "chunker.h"

#include <algorithm>

#include "utf8.h"

namespace lantern::kb {
namespace {

struct Unit {
  size_t start, end;
  int64_t weight;
  bool para_start;  // first unit of a block: a good place to end the previous chunk
};

// Splits [start, end) of `text` into pieces of at most `target` weight, at spaces when possible.
void add_unit(std::string_view text, size_t start, size_t end, bool para_start, int64_t target,
              std::vector<Unit>& units) {
  int64_t w = text_weight(text.substr(start, end - start));
  if (w <= target) {
    units.push_back({start, end, w + 1, para_start});
    return;
  }
  size_t piece = start;
  while (piece < end) {
    size_t i = piece, last_space = 0;
    int64_t acc = 0;
    while (i < end) {
      size_t before = i;
      char32_t cp = next_cp(text, i);
      int64_t cw = is_cjk(cp) ? 2 : 1;
      if (acc + cw > target && before > piece) {
        i = before;
        break;
      }
      acc += cw;
      if (cp == ' ' || cp == '\n' || cp == '\t') last_space = before;
    }
    size_t cut = i;
    if (i < end && last_space > piece + (i - piece) / 2) cut = last_space;
    size_t e = cut;
    while (e > piece && (text[e - 1] == ' ' || text[e - 1] == '\n' || text[e - 1] == '\t')) --e;
    if (e > piece) {
      units.push_back({piece, e, text_weight(text.substr(piece, e - piece)) + 1, para_start && piece == start});
    }
    piece = cut;
    while (piece < end && (text[piece] == ' ' || text[piece] == '\n' || text[piece] == '\t')) ++piece;
  }
}

void units_of_block(std::string_view text, const AssembledBlock& b, int64_t target, std::vector<Unit>& units) {
  if (b.heading_level > 0) {
    add_unit(text, b.start, b.end, true, target, units);
    return;
  }
  bool first = true;
  if (b.line_units) {
    size_t p = b.start;
    while (p < b.end) {
      size_t nl = text.find('\n', p);
      if (nl == std::string_view::npos || nl > b.end) nl = b.end;
      if (nl > p) {
        add_unit(text, p, nl, first, target, units);
        first = false;
      }
      p = nl + 1;
    }
    return;
  }
  for (const Span& s : split_sentences(text.substr(b.start, b.end - b.start))) {
    add_unit(text, b.start + s.start, b.start + s.end, first, target, units);
    first = false;
  }
}

void pack(const std::vector<Unit>& u, const ChunkOptions& opt, const std::string& heading, int64_t page,
          std::vector<ChunkSpan>& out) {
  const int64_t target = std::max(opt.target, 1);
  const int64_t overlap = std::max(opt.overlap, 0);
  size_t n = u.size(), i = 0;
  while (i < n) {
    size_t j = i;
    int64_t w = 0;
    while (j < n && (j == i || w + u[j].weight <= target)) w += u[j++].weight;
    // Prefer to end at a paragraph start when that keeps the chunk at least half full.
    if (j < n && !u[j].para_start) {
      int64_t acc = 0;
      size_t best = 0;
      for (size_t k = i; k < j; ++k) {
        if (k > i && u[k].para_start && acc * 2 >= target) best = k;
        acc += u[k].weight;
      }
      if (best) j = best;
    }
    out.push_back({u[i].start, u[j - 1].end, heading, page});
    if (j >= n) break;
    size_t k = j;
    int64_t ow = 0;
    while (k > i + 1 && ow + u[k - 1].weight <= overlap) ow += u[--k].weight;
    i = k;
  }
}

}  // namespace

int64_t text_weight(std::string_view text) {
  int64_t w = 0;
  for (size_t i = 0; i < text.size();) {
    unsigned char b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      ++w;
      ++i;
      continue;
    }
    w += is_cjk(next_cp(text, i)) ? 2 : 1;
  }
  return w;
}

std::vector<ChunkSpan> chunk_document(const Assembled& doc, const ChunkOptions& options) {
  std::vector<ChunkSpan> out;
  std::string_view text = doc.text;
  const int64_t target = std::max(options.target, 1);
  size_t b = 0, nb = doc.blocks.size();
  while (b < nb) {
    // A section: leading heading blocks, then content blocks with the same heading path and page.
    size_t e = b;
    while (e < nb && doc.blocks[e].heading_level > 0) ++e;
    const AssembledBlock& anchor = doc.blocks[e < nb ? e : nb - 1];
    const std::string& heading = anchor.heading_path;
    int64_t page = doc.blocks[b].page;
    while (e < nb && doc.blocks[e].heading_level == 0 && doc.blocks[e].heading_path == heading &&
           doc.blocks[e].page == page) {
      ++e;
    }
    if (e == b) e = b + 1;
    std::vector<Unit> units;
    for (size_t k = b; k < e; ++k) units_of_block(text, doc.blocks[k], target, units);
    pack(units, options, heading, page, out);
    b = e;
  }
  return out;
}

}  // namespace lantern::kb
