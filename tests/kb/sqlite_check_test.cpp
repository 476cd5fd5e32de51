#include "lantern/kb/sqlite_check.h"

#include <gtest/gtest.h>

TEST(SqliteCheck, LinkedSqliteHasFts5) {
  lantern::Status s = lantern::kb::check_sqlite();
  EXPECT_TRUE(s.ok()) << s.to_string();
  EXPECT_FALSE(lantern::kb::sqlite_version().empty());
}
