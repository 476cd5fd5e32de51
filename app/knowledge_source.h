// What the answer pipeline needs from the knowledge base: ranked passages for a query, and an
// audit log to append each question and answer to. The implementation over lantern::kb is
// kb_knowledge_source.{h,cpp}.
//
// Threading: used from the pipeline's worker thread; an implementation owns its own database
// connection (SQLite connections must not be shared across threads without care).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lantern/status.h"
#include "passage.h"

namespace lantern::app {

struct AuditEntry {
  int64_t time_ms = 0;           // Unix time in milliseconds
  std::string os_user;
  std::string kb;
  std::string model;             // "" for an extractive answer
  std::string question_sha256;   // hex
  std::string answer_sha256;     // hex
  std::string sources_json;      // [{"n":1,"doc":"...","chunk_id":12,"cited":true}, ...]
  int64_t latency_ms = 0;
};

class KnowledgeSource {
 public:
  virtual ~KnowledgeSource() = default;
  // Best first, at most k. An unknown knowledge base is an error naming it.
  virtual Result<std::vector<Passage>> search(const std::string& kb, const std::string& query, int k) = 0;
  virtual Status append_audit(const AuditEntry& entry) = 0;
};

}  // namespace lantern::app
