// The grounded-answer pipeline behind `lantern ask` and the chat TUI: a question goes in, passages
// come out of the knowledge base, the model answers from them and cites them — or, without a
// model, the best sentences of the passages are returned with their [n].
//
// Steps of Conversation::ask: rewrite a follow-up into a standalone query -> search -> fit
// question, history (memory window or summary), passages and room for the answer into the context
// (notices for every cut) -> generate on the conversation's session, reasoning separated ->
// check citations -> append to history and the audit log.
//
// Threading: ask() runs on the calling thread (a worker thread in the TUI) and calls every event
// on that same thread, synchronously, before it returns; events must not call back into the
// Conversation. `cancel` may be set from any thread: retrieval finishes, generation stops within
// one token, and the partial answer is kept (result.cancelled). One ask() at a time per
// Conversation; the model and knowledge source must outlive it.
// Invariant: turns() is the history the next prompt is built from, and the model's session holds
// the tokens of the last prompt + answer, so a follow-up evaluates only the new suffix.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "citations.h"
#include "conversation_memory.h"
#include "knowledge_source.h"
#include "language_model.h"
#include "lantern/engine/sampler.h"
#include "lantern/status.h"
#include "passage.h"

namespace lantern::app {

struct AskRequest {
  std::string question;
  std::string kb = "default";
  int k = 6;                            // passages retrieved (before dedup and packing)
  bool use_kb = true;                   // false: plain chat with the model, no retrieval
  std::string system_prompt;            // the user's own, kept after the grounding rules
  engine::SamplerParams sampling;
  int32_t max_tokens = 512;             // room reserved for the answer (reasoning included)
  MemoryMode memory = MemoryMode::kWindow;
};

struct AnswerTimings {
  double rewrite_ms = 0;
  double retrieval_ms = 0;
  double prompt_ms = 0;
  double decode_ms = 0;
  double total_ms = 0;
  int64_t prompt_tokens = 0;      // tokens in the prompt
  int64_t evaluated_tokens = 0;   // of those evaluated this turn (the rest reused from the cache)
  int64_t generated_tokens = 0;
};

struct AnswerResult {
  std::string question;
  std::string query;       // what was searched (the rewrite of a follow-up)
  std::string answer;      // reasoning excluded
  std::string reasoning;   // "<think>" content, "" when none
  bool extractive = false;
  std::string model;       // "" when extractive
  std::vector<NumberedPassage> sources;  // cited first, then the other given ones
  std::vector<Passage> left_out;         // retrieved but not given (budget)
  CitationCheck citations;
  std::vector<std::string> notices;      // everything said through on_notice
  AnswerTimings timings;
  bool cancelled = false;
};

struct AskEvents {
  std::function<void(const std::vector<NumberedPassage>&)> on_sources;  // as given, by n
  std::function<void(std::string_view)> on_reasoning_piece;
  std::function<void(std::string_view)> on_answer_piece;
  std::function<void(const std::string&)> on_notice;  // cuts, budget, bad citations, audit failures
  std::function<void(const AnswerResult&)> on_done;
};

class Conversation {
 public:
  // Either may be null: no model gives extractive answers, no source gives plain chat.
  Conversation(LanguageModel* model, KnowledgeSource* source);

  Result<AnswerResult> ask(const AskRequest& request, const AskEvents& events, const std::atomic<bool>* cancel = nullptr);

  // Switching models keeps the history (the new model re-reads it on the next turn). Setting the
  // same model again is free: its KV cache is kept, so callers may set it before every turn.
  void set_model(LanguageModel* model);
  void set_source(KnowledgeSource* source) { source_ = source; }
  LanguageModel* model() const { return model_; }

  const std::vector<Turn>& turns() const { return turns_; }
  // Replaces the history (a resumed conversation, or an edit such as /regen dropping the last turn).
  void set_turns(std::vector<Turn> turns);
  void clear();
  const std::string& summary() const { return summary_; }

 private:
  Result<std::string> search_query(const AskRequest& request, const std::atomic<bool>* cancel, double& ms);
  Status update_summary(size_t first_kept, const std::atomic<bool>* cancel);
  void audit(const AskRequest& request, AnswerResult& result, const AskEvents& events);

  LanguageModel* model_;
  KnowledgeSource* source_;
  std::vector<Turn> turns_;
  std::string summary_;       // of turns_[0, summarized_) (summary mode)
  size_t summarized_ = 0;
  size_t last_first_kept_ = 0;  // to announce a window change once
  size_t last_shortened_ = 0;
  // The messages of the last model prompt and its answer: a follow-up's rewrite request is appended
  // to them so it runs on the cached conversation. Empty when unknown (extractive, resumed, edited).
  std::vector<ChatMessage> last_messages_;
};

// The OS user name for the audit log ("" when unknown).
std::string os_user_name();

// The audit log's JSON for the sources of an answer.
std::string sources_audit_json(const std::vector<NumberedPassage>& sources);

}  // namespace lantern::app
