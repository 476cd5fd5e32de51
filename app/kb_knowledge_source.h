// KnowledgeSource over lantern::kb: search and the audit log on <home>/lantern.db.
//
// The one thing to know: it owns its own KnowledgeBase connection, so it must be used by one
// thread at a time (the pipeline's worker); open a second one for another thread.
#pragma once

#include <memory>
#include <string>

#include "knowledge_source.h"
#include "lantern/kb/knowledge_base.h"

namespace lantern::app {

class KbKnowledgeSource : public KnowledgeSource {
 public:
  // Opens <home>/lantern.db (creating it; `home` must exist).
  static Result<std::unique_ptr<KbKnowledgeSource>> open(const std::string& home);
  explicit KbKnowledgeSource(std::unique_ptr<kb::KnowledgeBase> kb) : kb_(std::move(kb)) {}

  Result<std::vector<Passage>> search(const std::string& kb, const std::string& query, int k) override;
  Status append_audit(const AuditEntry& entry) override;

  kb::KnowledgeBase& store() { return *kb_; }

 private:
  std::unique_ptr<kb::KnowledgeBase> kb_;
};

}  // namespace lantern::app
