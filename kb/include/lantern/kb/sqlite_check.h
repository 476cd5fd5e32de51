// Start-up check that the linked SQLite can hold a knowledge base (version and FTS5).
#pragma once

#include <string>

#include "lantern/status.h"

namespace lantern::kb {

// OK when SQLite >= 3.35 with FTS5 compiled in; otherwise an unsupported error naming what lacks.
Status check_sqlite();
std::string sqlite_version();

}  // namespace lantern::kb
