// Text and JSON renderings of an AnswerResult.
#include "ask_output.h"

namespace lantern::app {

std::string format_sources(const AnswerResult& result) {
  if (result.sources.empty()) return "";
  std::string out = "Sources:\n";
  for (const auto& s : result.sources) {
    out += "  [" + std::to_string(s.n) + "] " + passage_label(s.passage);
    if (!s.passage.doc.empty()) out += " \xE2\x80\x94 " + s.passage.doc;  // em dash
    if (s.cited) out += "  (cited)";
    if (s.trimmed) out += "  (trimmed)";
    out += "\n";
  }
  return out;
}

json::Value answer_json(const AnswerResult& result) {
  json::Value o = json::Value::object();
  o.set("question", result.question);
  o.set("query", result.query);
  o.set("answer", result.answer);
  o.set("reasoning", result.reasoning);
  o.set("model", result.model.empty() ? json::Value() : json::Value(result.model));
  o.set("extractive", result.extractive);
  json::Value sources = json::Value::array();
  for (const auto& s : result.sources) {
    json::Value v = json::Value::object();
    v.set("n", s.n);
    v.set("doc", s.passage.doc);
    v.set("title", s.passage.title);
    v.set("page", s.passage.page > 0 ? json::Value(s.passage.page) : json::Value());
    v.set("heading", s.passage.heading);
    v.set("score", s.passage.score);
    v.set("chunk_id", s.passage.chunk_id);
    v.set("cited", s.cited);
    v.set("trimmed", s.trimmed);
    v.set("text", s.text);
    sources.push(std::move(v));
  }
  o.set("sources", std::move(sources));
  json::Value bad = json::Value::array();
  for (const auto& m : result.citations.invalid) bad.push(m);
  o.set("invalid_citations", std::move(bad));
  json::Value notices = json::Value::array();
  for (const auto& n : result.notices) notices.push(n);
  o.set("notices", std::move(notices));
  const AnswerTimings& t = result.timings;
  json::Value tj = json::Value::object();
  tj.set("rewrite_ms", t.rewrite_ms);
  tj.set("retrieval_ms", t.retrieval_ms);
  tj.set("prompt_ms", t.prompt_ms);
  tj.set("decode_ms", t.decode_ms);
  tj.set("total_ms", t.total_ms);
  tj.set("prompt_tokens", t.prompt_tokens);
  tj.set("evaluated_tokens", t.evaluated_tokens);
  tj.set("generated_tokens", t.generated_tokens);
  tj.set("prompt_tokens_per_s", t.prompt_ms > 0 ? t.evaluated_tokens * 1000.0 / t.prompt_ms : 0.0);
  tj.set("decode_tokens_per_s", t.decode_ms > 0 ? t.generated_tokens * 1000.0 / t.decode_ms : 0.0);
  o.set("timings", std::move(tj));
  o.set("cancelled", result.cancelled);
  return o;
}

}  // namespace lantern::app
