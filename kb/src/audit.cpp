// The audit log: one row per answered question (who, which model and knowledge base, hashes of
// question and answer, the cited sources), so an analyst can show what the machine was asked
// without the log itself holding the text.
#include <chrono>

#include "lantern/kb/knowledge_base.h"
#include "sqlite_util.h"

namespace lantern::kb {

Status KnowledgeBase::append_audit(const AuditEntry& e) {
  LT_ASSIGN_OR_RETURN(Stmt s, Stmt::prepare(db_, "INSERT INTO audit(time_ms, os_user, kb, model, question_sha256, "
                                                 "answer_sha256, sources, latency_ms) VALUES(?,?,?,?,?,?,?,?)"));
  int64_t t = e.time_ms;
  if (t == 0) {
    t = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
  }
  s.bind(1, t).bind(2, e.os_user).bind(3, e.kb).bind(4, e.model).bind(5, e.question_sha256);
  s.bind(6, e.answer_sha256).bind(7, e.sources_json.empty() ? std::string("[]") : e.sources_json).bind(8, e.latency_ms);
  return s.run().with_context("writing the audit log");
}

Result<std::vector<AuditEntry>> KnowledgeBase::list_audit(int64_t limit) {
  LT_ASSIGN_OR_RETURN(Stmt s, Stmt::prepare(db_, "SELECT id, time_ms, coalesce(os_user,''), coalesce(kb,''), "
                                                 "coalesce(model,''), coalesce(question_sha256,''), "
                                                 "coalesce(answer_sha256,''), coalesce(sources,''), "
                                                 "coalesce(latency_ms,0) FROM audit ORDER BY id DESC LIMIT ?"));
  s.bind(1, limit);
  std::vector<AuditEntry> out;
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) break;
    AuditEntry e;
    e.id = s.col_int(0);
    e.time_ms = s.col_int(1);
    e.os_user = s.col_text(2);
    e.kb = s.col_text(3);
    e.model = s.col_text(4);
    e.question_sha256 = s.col_text(5);
    e.answer_sha256 = s.col_text(6);
    e.sources_json = s.col_text(7);
    e.latency_ms = s.col_int(8);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace lantern::kb
