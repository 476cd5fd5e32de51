// lantern_rank(): see rank_function.h. Runs once per candidate row: keep it allocation-free
// after the first row (per-query state lives in the FTS5 auxdata).
#include "rank_function.h"

#include <algorithm>
#include <cmath>
#include <new>
#include <vector>

namespace lantern::kb {
namespace {

constexpr double kK1 = 1.2;
constexpr double kB = 0.75;

struct RankState {
  double avgdl = 1;
  std::vector<double> idf;   // [n_phrase]; 0 for filter-only phrases
  std::vector<double> freq;  // [n_phrase] scratch: weighted term frequency in the current row
};

void free_state(void* p) { delete static_cast<RankState*>(p); }

void rank(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx, int n_arg, sqlite3_value** args) {
  int n_phrase = api->xPhraseCount(fts);
  auto* state = static_cast<RankState*>(api->xGetAuxdata(fts, 0));
  if (state == nullptr) {
    if (n_arg != 3 + n_phrase) {
      sqlite3_result_error(ctx, "lantern_rank: need 3 column weights and one df per phrase", -1);
      return;
    }
    state = new (std::nothrow) RankState();
    if (state == nullptr) {
      sqlite3_result_error_nomem(ctx);
      return;
    }
    sqlite3_int64 n_row = 0;
    sqlite3_int64 total = 0;
    int rc = api->xRowCount(fts, &n_row);
    if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &total);
    if (rc != SQLITE_OK) {
      delete state;
      sqlite3_result_error_code(ctx, rc);
      return;
    }
    double n = static_cast<double>(n_row > 0 ? n_row : 1);
    state->avgdl = std::max(1.0, static_cast<double>(total) / n);
    state->idf.resize(static_cast<size_t>(n_phrase));
    state->freq.resize(static_cast<size_t>(n_phrase));
    for (int i = 0; i < n_phrase; ++i) {
      double df = sqlite3_value_double(args[3 + i]);
      if (df < 0) {
        state->idf[i] = 0;
        continue;
      }
      double idf = std::log((n - df + 0.5) / (df + 0.5));
      state->idf[i] = idf < 1e-6 ? 1e-6 : idf;
    }
    rc = api->xSetAuxdata(fts, state, free_state);
    if (rc != SQLITE_OK) {
      sqlite3_result_error_code(ctx, rc);
      return;
    }
  }
  double w[3];
  for (int c = 0; c < 3; ++c) w[c] = n_arg > c ? sqlite3_value_double(args[c]) : 1.0;
  std::fill(state->freq.begin(), state->freq.end(), 0.0);
  int n_inst = 0;
  int rc = api->xInstCount(fts, &n_inst);
  for (int i = 0; rc == SQLITE_OK && i < n_inst; ++i) {
    int phrase = 0, col = 0, off = 0;
    rc = api->xInst(fts, i, &phrase, &col, &off);
    if (rc == SQLITE_OK && phrase >= 0 && phrase < n_phrase && col >= 0 && col < 3) state->freq[phrase] += w[col];
  }
  int doc_len = 0;
  if (rc == SQLITE_OK) rc = api->xColumnSize(fts, -1, &doc_len);
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  double norm = kK1 * (1 - kB + kB * static_cast<double>(doc_len) / state->avgdl);
  double score = 0;
  for (int i = 0; i < n_phrase; ++i) {
    double f = state->freq[i];
    if (f > 0 && state->idf[i] > 0) score += state->idf[i] * f * (kK1 + 1) / (f + norm);
  }
  sqlite3_result_double(ctx, score);
}

}  // namespace

Status register_rank_function(fts5_api* api) {
  if (api->xCreateFunction(api, "lantern_rank", nullptr, rank, nullptr) != SQLITE_OK) {
    return Status::internal("registering FTS5 function lantern_rank failed");
  }
  return ok_status();
}

}  // namespace lantern::kb
