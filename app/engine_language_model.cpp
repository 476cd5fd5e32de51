// The engine adapter. Token accounting goes through the model's own tokenizer with special tokens
// parsed (the rendered template contains them as text); BOS is added only when the template did
// not already write it.
#include "engine_language_model.h"

#include <algorithm>

#include "lantern/engine/chat_template.h"
#include "lantern/engine/tokenizer.h"

namespace lantern::app {
namespace {

constexpr int32_t kAsideCtx = 2048;

std::vector<engine::ChatMessage> to_engine(const std::vector<ChatMessage>& messages) {
  std::vector<engine::ChatMessage> out;
  out.reserve(messages.size());
  for (const auto& m : messages) out.push_back({m.role, m.content});
  return out;
}

}  // namespace

Result<std::unique_ptr<EngineLanguageModel>> EngineLanguageModel::load(const std::string& path,
                                                                       const ModelOpenOptions& options) {
  engine::LoadOptions lo;
  lo.n_threads = options.n_threads;
  lo.progress = options.progress;
  LT_ASSIGN_OR_RETURN(auto model, engine::Model::load(path, lo));
  return create(std::move(model), options);
}

Result<std::unique_ptr<EngineLanguageModel>> EngineLanguageModel::create(std::shared_ptr<const engine::Model> model,
                                                                         const ModelOpenOptions& options) {
  std::unique_ptr<EngineLanguageModel> m(new EngineLanguageModel());
  m->options_ = options;
  engine::SessionOptions so;
  so.n_ctx = options.n_ctx;
  LT_ASSIGN_OR_RETURN(m->session_, engine::Session::create(model, so));
  m->model_ = std::move(model);
  return m;
}

std::string EngineLanguageModel::name() const { return model_->info().name; }

int32_t EngineLanguageModel::n_ctx() const { return session_->n_ctx(); }

size_t EngineLanguageModel::count_tokens(std::string_view text) const {
  return model_->tokenizer().encode(text, false, false).size();
}

Result<std::string> EngineLanguageModel::render(const std::vector<ChatMessage>& messages,
                                                bool add_generation_prompt) const {
  return model_->chat_template().render(to_engine(messages), add_generation_prompt);
}

engine::SamplerParams EngineLanguageModel::with_stops(engine::SamplerParams params) const {
  // The end-of-turn text stops generation even when the vocabulary has no token for it.
  for (const auto& s : model_->chat_template().stop_strings()) {
    if (std::find(params.stop.begin(), params.stop.end(), s) == params.stop.end()) params.stop.push_back(s);
  }
  return params;
}

std::vector<int32_t> EngineLanguageModel::tokenize_prompt(const std::vector<ChatMessage>& messages) const {
  return model_->chat_template().encode(model_->tokenizer(), to_engine(messages), true);
}

Result<size_t> EngineLanguageModel::prompt_tokens(const std::vector<ChatMessage>& messages) const {
  return tokenize_prompt(messages).size();
}

Result<GenerateStats> EngineLanguageModel::generate(const std::vector<ChatMessage>& messages,
                                                    const engine::SamplerParams& params,
                                                    int32_t max_tokens,
                                                    const std::function<void(std::string_view)>& on_piece,
                                                    const std::atomic<bool>* cancel) {
  std::vector<int32_t> ids = tokenize_prompt(messages);
  GenerateStats st;
  st.prompt_tokens = static_cast<int64_t>(ids.size());
  session_->reset_timings();
  Status s = session_->sync(ids, cancel);
  if (s.code() == StatusCode::kCancelled) {
    st.cancelled = true;
    return st;
  }
  LT_RETURN_IF_ERROR(s);
  int32_t room = n_ctx() - static_cast<int32_t>(session_->tokens().size());
  LT_ASSIGN_OR_RETURN(engine::Generation g, session_->generate(with_stops(params), std::min(max_tokens, room), on_piece, cancel));
  const engine::Timings& t = session_->timings();
  st.evaluated_tokens = t.prompt_tokens;
  st.prompt_ms = t.prompt_ms;
  st.generated_tokens = t.generated_tokens;
  st.decode_ms = t.decode_ms;
  st.hit_max_tokens = g.stop == engine::StopReason::kMaxTokens;
  st.context_full = g.stop == engine::StopReason::kContextFull || (st.hit_max_tokens && max_tokens > room);
  st.cancelled = g.stop == engine::StopReason::kCancelled;
  return st;
}

Result<std::string> EngineLanguageModel::complete_on(engine::Session& session, const std::vector<ChatMessage>& messages,
                                                     int32_t max_tokens, const std::atomic<bool>* cancel) {
  std::vector<int32_t> ids = tokenize_prompt(messages);
  // An R1-style template opens <think>; a side task wants the answer, not a page of reasoning.
  if (model_->chat_template().assistant_prefix().find("<think>") != std::string::npos) {
    std::vector<int32_t> close = model_->tokenizer().encode("\n</think>\n\n", false, true);
    ids.insert(ids.end(), close.begin(), close.end());
  }
  if (static_cast<int64_t>(ids.size()) + max_tokens > session.n_ctx()) {
    return Status::resource_limit("side task needs " + std::to_string(ids.size() + max_tokens) +
                                  " tokens, the context holds " + std::to_string(session.n_ctx()));
  }
  LT_RETURN_IF_ERROR(session.sync(ids, cancel));
  engine::SamplerParams greedy;
  greedy.temperature = 0;
  greedy.repeat_penalty = 1.0f;
  LT_ASSIGN_OR_RETURN(engine::Generation g,
                      session.generate(with_stops(greedy), max_tokens, [](std::string_view) {}, cancel));
  return g.text;
}

Result<std::string> EngineLanguageModel::complete_aside(const std::vector<ChatMessage>& messages, int32_t max_tokens,
                                                        const std::atomic<bool>* cancel) {
  if (!aside_) {
    engine::SessionOptions so;
    so.n_ctx = std::min(kAsideCtx, n_ctx());
    LT_ASSIGN_OR_RETURN(aside_, engine::Session::create(model_, so));
  }
  return complete_on(*aside_, messages, max_tokens, cancel);
}

Result<std::string> EngineLanguageModel::complete_in_context(const std::vector<ChatMessage>& messages,
                                                             int32_t max_tokens, const std::atomic<bool>* cancel) {
  return complete_on(*session_, messages, max_tokens, cancel);
}

void EngineLanguageModel::reset() {
  session_->clear();
  if (aside_) aside_->clear();
}

}  // namespace lantern::app
