// The full-text index over chunks: the `lantern` FTS5 tokenizer and the `chunk_fts` table.
//
// chunk_fts(title, heading, body) is a regular (content-storing) FTS5 table whose rowid is
// chunks.id, kept in step by triggers on `chunks`: the store only inserts and deletes chunks (and
// may retitle documents). It stores its own copy of the text so a delete never depends on the
// parent document row still existing (ON DELETE CASCADE from documents removes the document first).
//
// The one thing to know: every connection that writes chunks or queries chunk_fts must call
// register_fts_tokenizer() first, or SQLite fails with "no such tokenizer: lantern".
#pragma once

#include <sqlite3.h>

#include "lantern/status.h"

namespace lantern::kb {

// Registers the FTS5 tokenizer `lantern` on `db` (arguments in tokenize='lantern ...': `stem`,
// the default, or `nostem`) and the ranking function lantern_rank() (rank_function.h).
Status register_fts_tokenizer(sqlite3* db);

// Creates chunk_fts and its triggers if missing (idempotent; safe inside the store's migration
// transaction). Needs tables `documents` and `chunks` as in the store schema, and the tokenizer.
// Also applies tune_search_index().
Status create_search_schema(sqlite3* db);

// Sets chunk_fts's write-side FTS5 options (stored in chunk_fts_config, so once per database):
// what they are and why is in search_index.cpp. Idempotent; leaves what is indexed unchanged.
Status tune_search_index(sqlite3* db);

}  // namespace lantern::kb
