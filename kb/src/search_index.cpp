// FTS5 glue for the lantern tokenizer (text_tokenizer.h) and the chunk_fts schema with triggers.
//
// FTS5 hands tokenizers a context of its own; the sink below forwards our tokens with
// FTS5_TOKEN_COLOCATED where the splitter marks them. Token bytes are passed as produced, offsets
// are into the text FTS5 gave us.
#include "search_index.h"

#include <cstring>
#include <new>
#include <string>

#include "rank_function.h"
#include "text_tokenizer.h"

namespace lantern::kb {
namespace {

struct FtsTokenizer {
  TokenizerOptions options;
};

int fts_create(void* /*user*/, const char** argv, int argc, Fts5Tokenizer** out) {
  auto* t = new (std::nothrow) FtsTokenizer();
  if (t == nullptr) return SQLITE_NOMEM;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "stem") == 0) {
      t->options.stem = true;
    } else if (std::strcmp(argv[i], "nostem") == 0) {
      t->options.stem = false;
    } else {
      delete t;
      return SQLITE_ERROR;
    }
  }
  *out = reinterpret_cast<Fts5Tokenizer*>(t);
  return SQLITE_OK;
}

void fts_delete(Fts5Tokenizer* t) { delete reinterpret_cast<FtsTokenizer*>(t); }

struct SinkCtx {
  void* fts_ctx;
  int (*x_token)(void*, int, const char*, int, int, int);
};

int fts_tokenize(Fts5Tokenizer* tok, void* ctx, int flags, const char* text, int n_text,
                 int (*x_token)(void*, int, const char*, int, int, int)) {
  auto* t = reinterpret_cast<FtsTokenizer*>(tok);
  TokenizeMode mode = (flags & FTS5_TOKENIZE_QUERY) ? TokenizeMode::kQuery : TokenizeMode::kDocument;
  SinkCtx sink{ctx, x_token};
  std::string_view view(text != nullptr ? text : "", text != nullptr && n_text > 0 ? static_cast<size_t>(n_text) : 0);
  int rc = tokenize_text(view, mode, t->options, &sink, [](void* c, const TextToken& token) {
    auto* s = static_cast<SinkCtx*>(c);
    return s->x_token(s->fts_ctx, token.colocated ? FTS5_TOKEN_COLOCATED : 0, token.text.data(),
                      static_cast<int>(token.text.size()), static_cast<int>(token.start), static_cast<int>(token.end));
  });
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

Result<fts5_api*> get_fts5_api(sqlite3* db) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) != SQLITE_OK) {
    return Status::unsupported(std::string("FTS5 is not available in this SQLite: ") + sqlite3_errmsg(db));
  }
  fts5_api* api = nullptr;
  sqlite3_bind_pointer(stmt, 1, &api, "fts5_api_ptr", nullptr);
  sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (api == nullptr || api->iVersion < 2) return Status::unsupported("FTS5 API version 2 not available");
  return api;
}

Status exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    return Status::io_error("creating search index: " + msg);
  }
  return ok_status();
}

}  // namespace

Status register_fts_tokenizer(sqlite3* db) {
  LT_ASSIGN_OR_RETURN(fts5_api * api, get_fts5_api(db));
  fts5_tokenizer tokenizer{fts_create, fts_delete, fts_tokenize};
  if (api->xCreateTokenizer(api, "lantern", nullptr, &tokenizer, nullptr) != SQLITE_OK) {
    return Status::internal(std::string("registering FTS5 tokenizer 'lantern': ") + sqlite3_errmsg(db));
  }
  return register_rank_function(api);
}

Status tune_search_index(sqlite3* db) {
  // Import speed (bench/RESULTS.md, Import): FTS5 writes a new segment at the end of every
  // statement that writes to it, and merges segments as they pile up. Measured on Chinese text,
  // where every character is indexed twice (bigram + unigram):
  //  - hashsize 16 MB (default 1 MB): the pending terms of a large document fit in memory, so it
  //    becomes one segment instead of several (fewer segments to merge later, and to search);
  //  - pgsz 16000 (default 4050): leaf pages four times larger, fewer of them to write and link.
  // automerge stays at its default of 4: 8 imported Chinese text ~10% faster (each posting is
  // rewritten fewer times) but left up to 7 large segments per level instead of 3, and searches
  // at 100k chunks got ~13% slower, reading every common term from each of them.
  return exec(db, R"sql(
INSERT INTO chunk_fts(chunk_fts, rank) VALUES('hashsize', 16000000);
INSERT INTO chunk_fts(chunk_fts, rank) VALUES('pgsz', 16000);
)sql");
}

Status create_search_schema(sqlite3* db) {
  // The title of a chunk is its document's; documents.title changes are copied over.
  LT_RETURN_IF_ERROR(exec(db, R"sql(
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_fts USING fts5(title, heading, body, tokenize='lantern stem');
CREATE TRIGGER IF NOT EXISTS chunk_fts_after_insert AFTER INSERT ON chunks BEGIN
  INSERT INTO chunk_fts(rowid, title, heading, body)
  VALUES (new.id, coalesce((SELECT title FROM documents WHERE id = new.doc_id), ''),
          coalesce(new.heading, ''), coalesce(new.text, ''));
END;
CREATE TRIGGER IF NOT EXISTS chunk_fts_after_delete AFTER DELETE ON chunks BEGIN
  DELETE FROM chunk_fts WHERE rowid = old.id;
END;
CREATE TRIGGER IF NOT EXISTS chunk_fts_after_update AFTER UPDATE OF text, heading, doc_id ON chunks BEGIN
  UPDATE chunk_fts SET title = coalesce((SELECT title FROM documents WHERE id = new.doc_id), ''),
                       heading = coalesce(new.heading, ''), body = coalesce(new.text, '')
  WHERE rowid = old.id;
END;
CREATE TRIGGER IF NOT EXISTS chunk_fts_after_retitle AFTER UPDATE OF title ON documents BEGIN
  UPDATE chunk_fts SET title = coalesce(new.title, '')
  WHERE rowid IN (SELECT id FROM chunks WHERE doc_id = new.id);
END;
)sql"));
  return tune_search_index(db);
}

}  // namespace lantern::kb
