// Adapter from kb search hits and audit entries to the pipeline's Passage and AuditEntry.
#include "kb_knowledge_source.h"

#include "kb_access.h"
#include "lantern/kb/search.h"

namespace lantern::app {

Result<std::unique_ptr<KbKnowledgeSource>> KbKnowledgeSource::open(const std::string& home) {
  LT_ASSIGN_OR_RETURN(auto store, kb::KnowledgeBase::open(home));
  return std::make_unique<KbKnowledgeSource>(std::move(store));
}

Result<std::vector<Passage>> KbKnowledgeSource::search(const std::string& kb_name, const std::string& query, int k) {
  // An unknown knowledge base is an error, except the default one before anything was imported:
  // asking there is answered with "no passages", not a failure.
  auto info = kb_->kb_info(kb_name);
  if (!info.ok()) {
    if (info.status().code() == StatusCode::kNotFound && kb_name == kb::kDefaultKb) return std::vector<Passage>{};
    if (info.status().code() == StatusCode::kNotFound) {
      return kb_not_found(kb_name);
    }
    return info.status();
  }
  kb::SearchOptions opt;
  opt.kb = kb_name;
  opt.k = k;
  LT_ASSIGN_OR_RETURN(auto hits, kb::search_chunks(kb_->handle(), query, opt));
  std::vector<Passage> out;
  out.reserve(hits.size());
  for (auto& h : hits) {
    Passage p;
    p.chunk_id = h.chunk_id;
    p.doc = std::move(h.path);
    p.title = std::move(h.title);
    p.heading = std::move(h.heading);
    p.page = h.page.value_or(0);
    p.score = h.score;
    p.rank = h.rank;
    p.text = std::move(h.text);
    p.start = h.start;
    p.end = h.end;
    out.push_back(std::move(p));
  }
  return out;
}

Status KbKnowledgeSource::append_audit(const AuditEntry& e) {
  kb::AuditEntry a;
  a.time_ms = e.time_ms;
  a.os_user = e.os_user;
  a.kb = e.kb;
  a.model = e.model;
  a.question_sha256 = e.question_sha256;
  a.answer_sha256 = e.answer_sha256;
  a.sources_json = e.sources_json;
  a.latency_ms = e.latency_ms;
  return kb_->append_audit(a);
}

}  // namespace lantern::app
