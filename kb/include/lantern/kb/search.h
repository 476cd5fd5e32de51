// Search over a knowledge base's chunks: options, hits, and the modes retrieval can run in.
//
// Keyword search (today) ranks chunks with BM25 over the `lantern` FTS5 index (title boosted over
// heading over body). Vector and hybrid retrieval slot in as further SearchMode values: kb never
// sees the engine, so the caller (app/) passes an embedding function in SearchOptions::embed.
//
// The one thing to know: offsets come in two units. SearchHit::start/end are code-point offsets
// into the document's extracted text (as stored by the importer, for citations); highlights and
// snippet_highlights are byte ranges into SearchHit::text and SearchHit::snippet (for rendering).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lantern/status.h"

struct sqlite3;

namespace lantern::kb {

enum class SearchMode {
  kKeyword,  // BM25 over the full-text index
  kVector,   // nearest chunks by embedding (needs SearchOptions::embed; not built yet)
  kHybrid,   // keyword and vector lists fused (not built yet)
};

// Maps a text to its embedding vector; supplied by app/ for kVector and kHybrid.
using EmbedFn = std::function<Result<std::vector<float>>(std::string_view text)>;

struct SearchOptions {
  std::string kb = "default";  // knowledge base to search; empty: all of them
  int k = 10;                  // hits wanted (1..1000)
  SearchMode mode = SearchMode::kKeyword;
  EmbedFn embed;               // for kVector / kHybrid
  int snippet_chars = 160;     // snippet length in code points (about)
};

using ByteRange = std::pair<size_t, size_t>;  // [begin, end) in bytes

struct SearchHit {
  int rank = 0;          // 1 = best
  double score = 0;      // higher is better (negated BM25 for keyword search)
  int64_t chunk_id = 0;
  int64_t doc_id = 0;
  std::string kb;        // knowledge base name
  std::string path;      // the document's path as imported
  std::string title;
  std::string heading;   // "H1 > H2", empty when none
  std::optional<int> page;  // 1-based, when the format has pages
  int64_t start = 0;     // code-point offsets of the chunk in the document's extracted text
  int64_t end = 0;
  std::string text;      // the chunk's original text
  std::vector<ByteRange> highlights;  // matched query terms in `text`, sorted, non-overlapping
  std::string snippet;   // an excerpt of `text` around the densest matches, newlines flattened
  std::vector<ByteRange> snippet_highlights;  // matched terms in `snippet`
};

// Searches the chunks in the lantern database open on `db` (a connection prepared by the store,
// with the tokenizer registered). An empty or all-punctuation query gives no hits, never an
// error; the query text is never interpreted as FTS5 syntax.
Result<std::vector<SearchHit>> search_chunks(sqlite3* db, std::string_view query, const SearchOptions& options);

}  // namespace lantern::kb
