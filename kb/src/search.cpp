// Keyword search: query plan -> FTS5 MATCH ranked by bm25() -> hits with highlights and snippets.
//
// Large indexes: scoring is the cost (a docsize lookup and instance walk per matching row), so
// plan_ranked_query() bounds the number of rows scored; see QueryTuning::candidate_budget.
//
// Restricting to one knowledge base is done after ranking, over-fetching candidates, because a
// join inside the ranked query would look up every matching chunk's document (hundreds of
// thousands of rows for a common word at 1M chunks) before the LIMIT applies. When the database
// holds a single knowledge base the filter is skipped altogether.
#include "searcher.h"

#include <algorithm>
#include <string>

#include "highlight.h"

namespace lantern::kb {
namespace {

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) { rc_ = sqlite3_prepare_v2(db, sql, -1, &st_, nullptr); }
  ~Statement() { sqlite3_finalize(st_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Status prepared(std::string_view what) const {
    if (rc_ == SQLITE_OK) return ok_status();
    return Status::io_error(std::string(what) + ": " + sqlite3_errmsg(db_));
  }
  sqlite3_stmt* get() const { return st_; }
  std::string text(int col) const {
    const unsigned char* p = sqlite3_column_text(st_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(st_, col)))
             : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
  int rc_;
};

Status step_error(sqlite3* db, std::string_view what) {
  return Status::io_error(std::string(what) + ": " + sqlite3_errmsg(db));
}

// Id of knowledge base `name`, 0 for "all", -1 when it is the only one (no filter needed).
Result<int64_t> resolve_kb(sqlite3* db, const std::string& name) {
  if (name.empty()) return int64_t{0};
  Statement st(db, "SELECT id, (SELECT count(*) FROM kbs) FROM kbs WHERE name = ?1");
  LT_RETURN_IF_ERROR(st.prepared("search: looking up knowledge base"));
  sqlite3_bind_text(st.get(), 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
  int rc = sqlite3_step(st.get());
  if (rc == SQLITE_DONE) return Status::not_found("knowledge base '" + name + "' does not exist");
  if (rc != SQLITE_ROW) return step_error(db, "search: looking up knowledge base");
  if (sqlite3_column_int64(st.get(), 1) == 1) return int64_t{-1};
  return sqlite3_column_int64(st.get(), 0);
}

}  // namespace

Result<RankedQuery> plan_ranked_query(sqlite3* db, const QueryPlan& plan, const QueryTuning& tuning) {
  RankedQuery out;
  if (plan.terms.empty()) return out;
  int64_t lo = 0, hi = 0;
  {
    // Two subqueries: SQLite optimizes a lone min() or max() to one b-tree seek, not both together.
    Statement range(db, "SELECT (SELECT min(id) FROM chunks), (SELECT max(id) FROM chunks)");
    LT_RETURN_IF_ERROR(range.prepared("search: reading chunk id range"));
    if (sqlite3_step(range.get()) != SQLITE_ROW) return step_error(db, "search: reading chunk id range");
    lo = sqlite3_column_int64(range.get(), 0);
    hi = sqlite3_column_int64(range.get(), 1);
  }
  // Document frequency per term from its first df_sample matches (rowid order): exact below the
  // sample size, else extrapolated from how far into the rowid range the sample reached.
  Statement sample(db, "SELECT count(*), max(rowid) FROM (SELECT rowid FROM chunk_fts WHERE chunk_fts MATCH ?1 LIMIT ?2)");
  LT_RETURN_IF_ERROR(sample.prepared("search: preparing frequency estimate"));
  struct Est {
    std::string quoted;
    double df;
  };
  std::vector<Est> terms;
  for (const auto& term : plan.terms) {
    std::string quoted = fts5_quote(term.surface);
    sqlite3_reset(sample.get());
    sqlite3_bind_text(sample.get(), 1, quoted.data(), static_cast<int>(quoted.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(sample.get(), 2, tuning.df_sample);
    if (sqlite3_step(sample.get()) != SQLITE_ROW) return step_error(db, "search: estimating term frequency");
    int64_t count = sqlite3_column_int64(sample.get(), 0);
    if (count == 0) continue;  // matches nothing: leave it out of the query
    double df = static_cast<double>(count);
    if (count >= tuning.df_sample) {
      int64_t reached = sqlite3_column_int64(sample.get(), 1);
      df = df * static_cast<double>(hi - lo + 1) / static_cast<double>(std::max<int64_t>(1, reached - lo + 1));
    }
    terms.push_back({std::move(quoted), df});
  }
  if (terms.empty()) return out;
  double total = 0;
  for (const auto& t : terms) total += t.df;
  auto or_of = [](const std::vector<const Est*>& list) {
    std::string m;
    for (const Est* e : list) {
      if (!m.empty()) m += " OR ";
      m += e->quoted;
    }
    return m;
  };
  std::vector<const Est*> order;
  for (const auto& t : terms) order.push_back(&t);
  if (total <= static_cast<double>(tuning.candidate_budget)) {
    out.match = or_of(order);
    for (const Est* e : order) out.dfs.push_back(e->df);
    return out;
  }
  // Too many candidates to score. A driver expression picks the candidates; every term still
  // scores them through a second OR group (always true for a candidate). Driver: the rarest
  // terms within the budget; when even the rarest term is more common than that, its newest
  // `candidate_budget` matches (highest rowids). Pairs of common terms (chunks holding two of
  // them) were tried and cost more than the budget they were meant to save.
  const double budget = static_cast<double>(tuning.candidate_budget);
  std::stable_sort(order.begin(), order.end(), [](const Est* a, const Est* b) { return a->df < b->df; });
  std::vector<const Est*> rare;
  double used = 0;
  for (const Est* e : order) {
    if (!rare.empty() && used + e->df > budget) break;
    rare.push_back(e);
    used += e->df;
  }
  if (rare.front()->df > budget) {
    Statement floor(db, "SELECT rowid FROM chunk_fts WHERE chunk_fts MATCH ?1 ORDER BY rowid DESC LIMIT 1 OFFSET ?2");
    LT_RETURN_IF_ERROR(floor.prepared("search: preparing candidate window"));
    sqlite3_bind_text(floor.get(), 1, rare.front()->quoted.data(), static_cast<int>(rare.front()->quoted.size()),
                      SQLITE_TRANSIENT);
    sqlite3_bind_int64(floor.get(), 2, tuning.candidate_budget - 1);
    if (sqlite3_step(floor.get()) == SQLITE_ROW) out.min_rowid = sqlite3_column_int64(floor.get(), 0);
  }
  if (order.size() == 1) {
    out.match = order.front()->quoted;
    out.dfs.push_back(order.front()->df);
    return out;
  }
  out.match = "(" + or_of(rare) + ") AND (" + or_of(order) + ")";
  for (size_t i = 0; i < rare.size(); ++i) out.dfs.push_back(-1);  // the driver only filters
  for (const Est* e : order) out.dfs.push_back(e->df);
  return out;
}

Result<std::vector<std::pair<int64_t, double>>> rank_chunks(sqlite3* db, const QueryPlan& plan, int k, int64_t kb_id,
                                                             const QueryTuning& tuning) {
  std::vector<std::pair<int64_t, double>> out;
  if (plan.match.empty() || k <= 0) return out;
  LT_ASSIGN_OR_RETURN(RankedQuery query, plan_ranked_query(db, plan, tuning));
  if (query.match.empty()) return out;
  std::string sql = "SELECT rowid, lantern_rank(chunk_fts, ?2, ?3, ?4";
  for (size_t i = 0; i < query.dfs.size(); ++i) sql += ", ?" + std::to_string(6 + i);
  sql += ") AS s FROM chunk_fts WHERE chunk_fts MATCH ?1";
  if (query.min_rowid > 0) sql += " AND rowid >= " + std::to_string(query.min_rowid);
  sql += " ORDER BY s DESC LIMIT ?5";
  Statement rank(db, sql.c_str());
  LT_RETURN_IF_ERROR(rank.prepared("search: preparing ranked query"));
  Statement in_kb(db, "SELECT d.kb_id FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE c.id = ?1");
  if (kb_id > 0) LT_RETURN_IF_ERROR(in_kb.prepared("search: preparing knowledge base filter"));
  int64_t limit = kb_id > 0 ? int64_t{k} * 4 : k;
  while (true) {
    out.clear();
    sqlite3_reset(rank.get());
    sqlite3_bind_text(rank.get(), 1, query.match.data(), static_cast<int>(query.match.size()), SQLITE_TRANSIENT);
    sqlite3_bind_double(rank.get(), 2, tuning.w_title);
    sqlite3_bind_double(rank.get(), 3, tuning.w_heading);
    sqlite3_bind_double(rank.get(), 4, tuning.w_body);
    sqlite3_bind_int64(rank.get(), 5, limit);
    for (size_t i = 0; i < query.dfs.size(); ++i) sqlite3_bind_double(rank.get(), static_cast<int>(6 + i), query.dfs[i]);
    int64_t fetched = 0;
    int rc;
    while ((rc = sqlite3_step(rank.get())) == SQLITE_ROW) {
      ++fetched;
      int64_t id = sqlite3_column_int64(rank.get(), 0);
      double score = sqlite3_column_double(rank.get(), 1);
      if (kb_id > 0) {
        sqlite3_reset(in_kb.get());
        sqlite3_bind_int64(in_kb.get(), 1, id);
        if (sqlite3_step(in_kb.get()) != SQLITE_ROW || sqlite3_column_int64(in_kb.get(), 0) != kb_id) continue;
      }
      if (static_cast<int>(out.size()) < k) out.push_back({id, score});
    }
    if (rc != SQLITE_DONE) return step_error(db, "search: running query");
    if (static_cast<int>(out.size()) >= k || fetched < limit) return out;
    limit *= 8;  // another knowledge base took the top places: look deeper
  }
}

Result<std::vector<SearchHit>> keyword_search(sqlite3* db, std::string_view query, const SearchOptions& options,
                                              const QueryTuning& tuning) {
  if (options.k < 1 || options.k > 1000) {
    return Status::invalid_argument("search: k must be between 1 and 1000 (got " + std::to_string(options.k) + ")");
  }
  LT_ASSIGN_OR_RETURN(int64_t kb_id, resolve_kb(db, options.kb));
  QueryPlan plan = build_query(query, tuning);
  LT_ASSIGN_OR_RETURN(auto ranked, rank_chunks(db, plan, options.k, kb_id, tuning));
  Statement detail(db,
                   "SELECT c.doc_id, k.name, d.path, d.title, c.heading, c.page, c.start, c.\"end\", c.text "
                   "FROM chunks c JOIN documents d ON d.id = c.doc_id JOIN kbs k ON k.id = d.kb_id WHERE c.id = ?1");
  LT_RETURN_IF_ERROR(detail.prepared("search: preparing chunk lookup"));
  std::vector<SearchHit> hits;
  for (const auto& [id, score] : ranked) {
    sqlite3_reset(detail.get());
    sqlite3_bind_int64(detail.get(), 1, id);
    int rc = sqlite3_step(detail.get());
    if (rc == SQLITE_DONE) continue;  // deleted between the two statements
    if (rc != SQLITE_ROW) return step_error(db, "search: reading chunk " + std::to_string(id));
    SearchHit hit;
    hit.rank = static_cast<int>(hits.size()) + 1;
    hit.score = score;
    hit.chunk_id = id;
    hit.doc_id = sqlite3_column_int64(detail.get(), 0);
    hit.kb = detail.text(1);
    hit.path = detail.text(2);
    hit.title = detail.text(3);
    hit.heading = detail.text(4);
    if (sqlite3_column_type(detail.get(), 5) != SQLITE_NULL && sqlite3_column_int64(detail.get(), 5) > 0) {
      hit.page = static_cast<int>(sqlite3_column_int64(detail.get(), 5));
    }
    hit.start = sqlite3_column_int64(detail.get(), 6);
    hit.end = sqlite3_column_int64(detail.get(), 7);
    hit.text = detail.text(8);
    hit.highlights = find_highlights(hit.text, plan, tuning.tokenizer);
    Snippet snippet = make_snippet(hit.text, hit.highlights, options.snippet_chars);
    hit.snippet = std::move(snippet.text);
    hit.snippet_highlights = std::move(snippet.highlights);
    hits.push_back(std::move(hit));
  }
  return hits;
}

Result<std::vector<SearchHit>> search_chunks(sqlite3* db, std::string_view query, const SearchOptions& options) {
  switch (options.mode) {
    case SearchMode::kKeyword:
      return keyword_search(db, query, options, QueryTuning{});
    case SearchMode::kVector:
    case SearchMode::kHybrid:
      break;
  }
  return Status::unsupported("search: vector and hybrid retrieval are not built yet; use keyword mode");
}

}  // namespace lantern::kb
