// lantern_rank(): the FTS5 ranking function behind keyword search, BM25 with per-phrase IDF
// supplied by the caller.
//
//   lantern_rank(chunk_fts, w_title, w_heading, w_body, df_0, ..., df_{P-1})  -> score, higher better
//
// One df argument per phrase of the MATCH expression, in order: the phrase's document frequency
// (estimated by the query planner), or a negative value for a phrase that only filters and must
// not score. IDF and length normalization follow FTS5's bm25() (k1 = 1.2, b = 0.75,
// idf = ln((N - df + 0.5) / (df + 0.5)), at least 1e-6).
//
// Why not bm25(): bm25() derives every phrase's document frequency by scanning its whole doclist
// on each query, and it cannot ignore filter-only phrases; the planner (search.cpp) needs both to
// keep a 1M-chunk search in tens of milliseconds.
#pragma once

#include <sqlite3.h>

#include "lantern/status.h"

namespace lantern::kb {

Status register_rank_function(fts5_api* api);

}  // namespace lantern::kb
