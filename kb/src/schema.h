// The database schema and its migrations (PRAGMA user_version = number of migrations applied).
//
// The one thing to know: migrations are append-only. Never edit one that has shipped; add the
// next, additively (new tables, new columns), so every older lantern.db upgrades in place.
#pragma once

#include <sqlite3.h>

#include "lantern/status.h"

namespace lantern::kb {

int current_schema_version();
// Applies the missing migrations, each in its own transaction. A database newer than this build
// is an error (naming both versions) rather than something to guess at.
Status migrate(sqlite3* db);
// Per-connection set-up that must precede any schema access (custom tokenizers, pragmas).
Status prepare_connection(sqlite3* db);

}  // namespace lantern::kb
