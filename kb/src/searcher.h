// Keyword search over chunk_fts with explicit tuning, for search_chunks() and the evaluator.
#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>
#include <vector>

#include "lantern/kb/search.h"
#include "query_builder.h"

namespace lantern::kb {

// search_chunks() with the query analysis and column weights given (search_chunks uses defaults).
Result<std::vector<SearchHit>> keyword_search(sqlite3* db, std::string_view query, const SearchOptions& options,
                                              const QueryTuning& tuning);

// The MATCH expression and lantern_rank() df arguments actually run for a plan (see search.cpp).
struct RankedQuery {
  std::string match;        // empty: nothing can match
  std::vector<double> dfs;  // one per phrase of `match`; negative: filter only
  int64_t min_rowid = 0;    // > 0: only chunks with rowid >= this are scored
};
Result<RankedQuery> plan_ranked_query(sqlite3* db, const QueryPlan& plan, const QueryTuning& tuning);

// Only the ranked chunk ids and scores (no text, highlights or snippets): the evaluator's and the
// latency bench's fast path. `kb_id` <= 0: all knowledge bases.
Result<std::vector<std::pair<int64_t, double>>> rank_chunks(sqlite3* db, const QueryPlan& plan, int k, int64_t kb_id,
                                                             const QueryTuning& tuning);

}  // namespace lantern::kb
