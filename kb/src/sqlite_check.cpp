// Verifies the SQLite library at run time: the distribution's build decides which features exist.
#include "lantern/kb/sqlite_check.h"

#include <sqlite3.h>

namespace lantern::kb {

std::string sqlite_version() { return sqlite3_libversion(); }

Status check_sqlite() {
  if (sqlite3_libversion_number() < 3035000) {
    return Status::unsupported("SQLite " + sqlite_version() + " is too old (need 3.35 or newer)");
  }
  if (!sqlite3_compileoption_used("ENABLE_FTS5")) {
    return Status::unsupported("SQLite " + sqlite_version() + " was built without FTS5");
  }
  return ok_status();
}

}  // namespace lantern::kb
