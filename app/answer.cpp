// The pipeline's orchestration. Context arithmetic is done in real tokens of the loaded model: the
// fixed parts are rendered through the chat template and counted, the passages packed into what
// is left, and the final prompt counted again (tokenization is not additive across boundaries),
// shrinking the passage budget until it fits.
#include "answer.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>

#include "extractive.h"
#include "lantern/json.h"
#include "passage_packer.h"
#include "prompt_builder.h"
#include "query_rewrite.h"
#include "lantern/sha256.h"
#include "think_splitter.h"

namespace lantern::app {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<PastTurn> past_turns(const std::vector<Turn>& turns) {
  std::vector<PastTurn> out;
  for (const auto& t : turns) out.push_back({t.question, t.answer});
  return out;
}

// Without a model there is no tokenizer; passages are only bounded so the answer stays readable.
size_t approx_tokens(std::string_view s) { return s.size() / 3 + 1; }

constexpr int32_t kMinAnswerTokens = 16;
constexpr size_t kExtractiveBudget = 4000;  // approximate tokens of passages read without a model

bool ends_inside_think(const std::string& rendered) {
  size_t open = rendered.rfind("<think>");
  if (open == std::string::npos) return false;
  return rendered.find("</think>", open) == std::string::npos &&
         rendered.find_first_not_of(" \n\r\t", open + 7) == std::string::npos;
}

}  // namespace

std::string os_user_name() {
  if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) return pw->pw_name;
  const char* u = std::getenv("USER");
  return u ? u : "";
}

std::string sources_audit_json(const std::vector<NumberedPassage>& sources) {
  json::Value arr = json::Value::array();
  for (const auto& s : sources) {
    json::Value o = json::Value::object();
    o.set("n", s.n);
    o.set("doc", s.passage.doc);
    o.set("chunk_id", s.passage.chunk_id);
    o.set("cited", s.cited);
    arr.push(std::move(o));
  }
  return arr.dump();
}

Conversation::Conversation(LanguageModel* model, KnowledgeSource* source) : model_(model), source_(source) {}

void Conversation::set_model(LanguageModel* model) {
  // Same model: nothing to do (its session keeps the conversation's KV cache). Another model has
  // its own session; the history is re-read from turns_ on the next turn.
  model_ = model;
}

void Conversation::set_turns(std::vector<Turn> turns) {
  turns_ = std::move(turns);
  summary_.clear();
  summarized_ = 0;
  last_first_kept_ = 0;
  last_shortened_ = 0;
  last_messages_.clear();
}

void Conversation::clear() {
  set_turns({});
  if (model_) model_->reset();
}

Result<std::string> Conversation::search_query(const AskRequest& request, const std::atomic<bool>* cancel,
                                               double& ms) {
  auto t0 = Clock::now();
  std::vector<PastTurn> history = past_turns(turns_);
  std::string query = request.question;
  if (!history.empty()) {
    std::string rewritten;
    if (model_ && looks_like_follow_up(request.question)) {
      Result<std::string> reply = Status::not_found("");
      if (!last_messages_.empty()) {
        std::vector<ChatMessage> msgs = last_messages_;
        msgs.push_back({"user", rewrite_request(request.question)});
        reply = model_->complete_in_context(msgs, 24, cancel);
      } else {
        reply = model_->complete_aside({{"user", rewrite_prompt(request.question, history)}}, 24, cancel);
      }
      if (reply.ok()) rewritten = accept_model_rewrite(*reply, request.question, history);
    }
    query = rewritten.empty() ? heuristic_rewrite(request.question, history) : rewritten;
  }
  ms = ms_since(t0);
  return query;
}

Status Conversation::update_summary(size_t first_kept, const std::atomic<bool>* cancel) {
  if (first_kept <= summarized_) return ok_status();
  std::vector<Turn> fold(turns_.begin() + static_cast<std::ptrdiff_t>(summarized_),
                         turns_.begin() + static_cast<std::ptrdiff_t>(first_kept));
  LT_ASSIGN_OR_RETURN(std::string reply, model_->complete_aside(summary_prompt(summary_, fold), 200, cancel));
  ThinkParts parts = split_think(reply, false);
  std::string s = parts.answer.empty() ? parts.reasoning : parts.answer;
  if (s.size() > 2000) s.resize(2000);  // bounded whatever the model does
  summary_ = s;
  summarized_ = first_kept;
  return ok_status();
}

Result<AnswerResult> Conversation::ask(const AskRequest& request, const AskEvents& events,
                                       const std::atomic<bool>* cancel) {
  const auto t_start = Clock::now();
  AnswerResult result;
  result.question = request.question;
  auto notice = [&](const std::string& text) {
    if (text.empty()) return;
    result.notices.push_back(text);
    if (events.on_notice) events.on_notice(text);
  };
  if (request.question.find_first_not_of(" \n\t\r") == std::string::npos) {
    return Status::invalid_argument("the question is empty");
  }
  if (request.k < 1 || request.k > 100) {
    return Status::invalid_argument("k must be in [1, 100], got " + std::to_string(request.k));
  }
  const bool grounded = request.use_kb && source_ != nullptr;
  if (!grounded && !model_) {
    return Status::invalid_argument("no model to answer with and no knowledge base to search: give -m MODEL");
  }

  // 1. Retrieval.
  std::vector<Passage> retrieved;
  if (grounded) {
    LT_ASSIGN_OR_RETURN(result.query, search_query(request, cancel, result.timings.rewrite_ms));
    auto t0 = Clock::now();
    LT_ASSIGN_OR_RETURN(retrieved, source_->search(request.kb, result.query, request.k));
    result.timings.retrieval_ms = ms_since(t0);
  }

  // 2a. No model: extractive answer from the passages.
  if (!model_) {
    result.extractive = true;
    PackOptions opt;
    opt.budget_tokens = kExtractiveBudget;
    PackResult packed = pack_passages(retrieved, opt, approx_tokens);
    if (events.on_sources) events.on_sources(packed.passages);
    ExtractiveAnswer ex = extractive_answer(request.question, packed.passages);
    if (ex.text.empty()) {
      result.answer = packed.passages.empty()
                          ? "No passages in knowledge base '" + request.kb + "' match this question."
                          : "The retrieved passages do not appear to answer this question.";
    } else {
      result.answer = ex.text;
    }
    if (events.on_answer_piece) events.on_answer_piece(result.answer);
    result.citations = check_citations(result.answer, static_cast<int>(packed.passages.size()));
    result.sources = order_sources(packed.passages, result.citations);
    result.left_out = packed.left_out;
    turns_.push_back({request.question, "", result.answer, ""});
    last_messages_.clear();
    result.timings.total_ms = ms_since(t_start);
    audit(request, result, events);
    if (events.on_done) events.on_done(result);
    return result;
  }

  // 2b. With a model: fit everything into the context.
  result.model = model_->name();
  const int32_t n_ctx = model_->n_ctx();
  auto count = [&](std::string_view s) { return model_->count_tokens(s); };
  auto user_message_for = [&](const std::vector<NumberedPassage>& given) {
    return grounded ? build_user_message(given, request.question) : request.question;
  };
  auto render_tokens = [&](const std::vector<ChatMessage>& msgs, std::string* rendered) -> Result<size_t> {
    if (rendered) {
      LT_ASSIGN_OR_RETURN(*rendered, model_->render(msgs, true));
    }
    return model_->prompt_tokens(msgs);
  };

  std::string system = build_system_message(grounded, request.system_prompt, summary_);
  LT_ASSIGN_OR_RETURN(size_t base, render_tokens(build_messages(system, {}, user_message_for({})), nullptr));
  // Room for the answer: what was asked for, but when the context is small, at most half of what
  // the fixed parts leave, so that passages (grounded) or history still get the other half.
  const int64_t room = static_cast<int64_t>(n_ctx) - static_cast<int64_t>(base);
  if (room < kMinAnswerTokens) {
    return Status::resource_limit("the question needs " + std::to_string(base) + " prompt tokens and the context holds " +
                                  std::to_string(n_ctx) + ", leaving no room for an answer (raise --ctx)");
  }
  const int64_t wanted = request.max_tokens > 0 ? request.max_tokens : room;
  const bool share = grounded || !turns_.empty();
  const int64_t cap = share ? std::max<int64_t>(room / 2, kMinAnswerTokens) : room;
  int32_t answer_room = static_cast<int32_t>(std::min(wanted, cap));
  if (request.max_tokens > 0 && answer_room < request.max_tokens) {
    notice("the answer is limited to " + std::to_string(answer_room) + " tokens (not " +
           std::to_string(request.max_tokens) + ") to leave room for " + (grounded ? "the passages" : "the conversation") +
           ": the context has " + std::to_string(n_ctx) + " positions (raise --ctx)");
  }
  const size_t available = static_cast<size_t>(n_ctx) - base - static_cast<size_t>(answer_room);

  // History: a third of what is left when grounded (passages matter more), all of it otherwise.
  const size_t history_budget = grounded ? available / 3 : available;
  auto exchange_cost = [&](std::string_view u, std::string_view a) { return count(u) + count(a) + 12; };
  MemoryPlan plan = plan_memory(turns_, history_budget, exchange_cost);
  if (plan.first_kept > 0 && request.memory == MemoryMode::kSummary) {
    Status s = update_summary(plan.first_kept, cancel);
    if (!s.ok()) {
      notice("could not summarise earlier turns (" + s.message() + "); they are left out");
    } else {
      system = build_system_message(grounded, request.system_prompt, summary_);
    }
  }
  if (plan.first_kept > last_first_kept_) {
    if (request.memory == MemoryMode::kSummary && summarized_ >= plan.first_kept) {
      notice(std::to_string(plan.first_kept) + " earlier turn" + (plan.first_kept == 1 ? " is" : "s are") +
             " summarised to fit the context");
    } else {
      notice(std::to_string(plan.first_kept) + " earlier turn" + (plan.first_kept == 1 ? " is" : "s are") +
             " outside the context window and left out");
    }
  }
  last_first_kept_ = plan.first_kept;
  if (plan.shortened > last_shortened_) {
    notice(std::to_string(plan.shortened) + " earlier turn" + (plan.shortened == 1 ? " is" : "s are") +
           " given without its passages to fit the context");
  }
  last_shortened_ = plan.shortened;

  // Passages: pack, render, count; shrink until the real prompt fits.
  const size_t limit = static_cast<size_t>(n_ctx) - static_cast<size_t>(answer_room);
  PackOptions opt;
  opt.budget_tokens = available > plan.tokens ? available - plan.tokens : 0;
  PackResult packed;
  std::string rendered;
  size_t prompt_n = 0;
  std::vector<ChatMessage> messages;
  for (int attempt = 0;; ++attempt) {
    packed = grounded ? pack_passages(retrieved, opt, count) : PackResult{};
    messages = build_messages(system, plan.history, user_message_for(packed.passages));
    LT_ASSIGN_OR_RETURN(prompt_n, render_tokens(messages, &rendered));
    if (prompt_n <= limit) break;
    size_t excess = prompt_n - limit;
    if (opt.budget_tokens == 0 && !plan.history.empty()) {
      // No passage left to cut (the summary or the tokenizer cost more than estimated): the
      // oldest remembered turn goes instead.
      plan.history.erase(plan.history.begin());
      ++plan.first_kept;
      notice("1 more earlier turn left out to fit the context");
      continue;
    }
    if (opt.budget_tokens == 0 || attempt >= 6) {
      return Status::resource_limit("the prompt needs " + std::to_string(prompt_n) + " tokens but only " +
                                    std::to_string(limit) + " fit beside the answer (context " + std::to_string(n_ctx) +
                                    "; raise --ctx or lower -n)");
    }
    opt.budget_tokens = opt.budget_tokens > excess + 8 ? opt.budget_tokens - excess - 8 : 0;
  }
  for (const auto& n : packed.notices) notice(n);
  result.left_out = packed.left_out;
  if (events.on_sources) events.on_sources(packed.passages);

  // 3. Generate, separating reasoning from the answer as it streams.
  ThinkSplitter splitter(ends_inside_think(rendered), events.on_reasoning_piece, events.on_answer_piece);
  LT_ASSIGN_OR_RETURN(GenerateStats stats,
                      model_->generate(messages, request.sampling, answer_room,
                                       [&](std::string_view piece) { splitter.feed(piece); }, cancel));
  splitter.finish();
  result.reasoning = splitter.reasoning();
  result.reasoning.erase(0, std::min(result.reasoning.size(), result.reasoning.find_first_not_of(" \n\r\t")));
  while (!result.reasoning.empty() && std::isspace(static_cast<unsigned char>(result.reasoning.back()))) {
    result.reasoning.pop_back();
  }
  result.answer = splitter.answer();
  while (!result.answer.empty() && (result.answer.back() == ' ' || result.answer.back() == '\n')) result.answer.pop_back();
  result.cancelled = stats.cancelled;
  result.timings.prompt_tokens = stats.prompt_tokens;
  result.timings.evaluated_tokens = stats.evaluated_tokens;
  result.timings.prompt_ms = stats.prompt_ms;
  result.timings.generated_tokens = stats.generated_tokens;
  result.timings.decode_ms = stats.decode_ms;
  if (stats.hit_max_tokens) {
    notice("the answer stopped at the limit of " + std::to_string(answer_room) + " tokens (raise -n)");
  } else if (stats.context_full) {
    notice("the answer stopped because the context is full (" + std::to_string(n_ctx) + " positions; raise --ctx)");
  }
  if (stats.cancelled) notice("generation cancelled");

  // 4. Citations against the passages actually given.
  result.citations = check_citations(result.answer, static_cast<int>(packed.passages.size()));
  notice(invalid_citation_notice(result.citations, static_cast<int>(packed.passages.size())));
  result.sources = order_sources(packed.passages, result.citations);

  turns_.push_back({request.question, messages.back().content, result.answer, result.reasoning});
  last_messages_ = std::move(messages);
  last_messages_.push_back({"assistant", result.answer});
  result.timings.total_ms = ms_since(t_start);
  audit(request, result, events);
  if (events.on_done) events.on_done(result);
  return result;
}

void Conversation::audit(const AskRequest& request, AnswerResult& result, const AskEvents& events) {
  if (!source_) return;
  AuditEntry e;
  e.time_ms = unix_ms();
  e.os_user = os_user_name();
  e.kb = request.use_kb ? request.kb : "";
  e.model = result.model;
  e.question_sha256 = sha256_hex(request.question);
  e.answer_sha256 = sha256_hex(result.answer);
  e.sources_json = sources_audit_json(result.sources);
  e.latency_ms = static_cast<int64_t>(result.timings.total_ms);
  Status s = source_->append_audit(e);
  if (!s.ok()) {
    std::string text = "audit log not written: " + s.message();
    result.notices.push_back(text);
    if (events.on_notice) events.on_notice(text);
  }
}

}  // namespace lantern::app
