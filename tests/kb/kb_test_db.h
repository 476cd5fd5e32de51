// Test helper: an in-memory or on-disk SQLite database with the store's tables as in the contract
// with the store (kbs, documents, chunks) plus the search schema, for search tests that must not
// depend on the importer.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>

namespace lantern::kb::testing {

class TestDb {
 public:
  explicit TestDb(const std::string& path = ":memory:");
  ~TestDb();
  TestDb(const TestDb&) = delete;
  TestDb& operator=(const TestDb&) = delete;
  sqlite3* db() const { return db_; }

  int64_t add_kb(const std::string& name);
  int64_t add_document(int64_t kb_id, const std::string& path, const std::string& title);
  int64_t add_chunk(int64_t doc_id, const std::string& text, const std::string& heading = "",
                    std::optional<int> page = std::nullopt);
  void exec(const std::string& sql);
  int64_t scalar(const std::string& sql);

 private:
  sqlite3* db_ = nullptr;
  int64_t seq_ = 0;
};

}  // namespace lantern::kb::testing
