// LanguageModel over lantern::engine: a loaded Model, the conversation Session whose KV cache
// carries over between turns, and a small scratch Session for side tasks (query rewrite, summary).
//
// The one thing to know: the conversation session is created once with the requested context and
// never cleared between turns; Session::sync keeps the longest common token prefix, which is why
// prompt_builder puts passages in the newest user message. The scratch session is created on
// first use (its cache costs memory) with at most 2048 positions.
#pragma once

#include <memory>
#include <string>

#include "language_model.h"
#include "lantern/engine/model.h"
#include "lantern/engine/session.h"

namespace lantern::app {

struct ModelOpenOptions {
  int32_t n_ctx = 0;      // 0: the engine's default (min(n_ctx_train, 4096))
  int32_t n_threads = 0;  // 0: one per core
  std::function<void(float)> progress;
};

class EngineLanguageModel : public LanguageModel {
 public:
  // Loads the GGUF file at `path` (already resolved from a -m spec).
  static Result<std::unique_ptr<EngineLanguageModel>> load(const std::string& path, const ModelOpenOptions& options);
  // Wraps a model loaded elsewhere (the TUI keeps it across conversations).
  static Result<std::unique_ptr<EngineLanguageModel>> create(std::shared_ptr<const engine::Model> model,
                                                             const ModelOpenOptions& options);

  std::string name() const override;
  int32_t n_ctx() const override;
  size_t count_tokens(std::string_view text) const override;
  Result<std::string> render(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const override;
  Result<size_t> prompt_tokens(const std::vector<ChatMessage>& messages) const override;
  Result<GenerateStats> generate(const std::vector<ChatMessage>& messages, const engine::SamplerParams& params,
                                 int32_t max_tokens,
                                 const std::function<void(std::string_view)>& on_piece,
                                 const std::atomic<bool>* cancel) override;
  Result<std::string> complete_aside(const std::vector<ChatMessage>& messages, int32_t max_tokens,
                                     const std::atomic<bool>* cancel) override;
  Result<std::string> complete_in_context(const std::vector<ChatMessage>& messages, int32_t max_tokens,
                                          const std::atomic<bool>* cancel) override;
  void reset() override;

  const engine::Model& model() const { return *model_; }
  const engine::Session& session() const { return *session_; }

 private:
  EngineLanguageModel() = default;
  // The prompt's ids through ChatTemplate::encode (contents literal, BOS as the model says).
  std::vector<int32_t> tokenize_prompt(const std::vector<ChatMessage>& messages) const;
  engine::SamplerParams with_stops(engine::SamplerParams params) const;
  // Greedy completion of `messages` on `session`, reasoning skipped for R1-style templates.
  Result<std::string> complete_on(engine::Session& session, const std::vector<ChatMessage>& messages,
                                  int32_t max_tokens, const std::atomic<bool>* cancel);

  std::shared_ptr<const engine::Model> model_;
  std::unique_ptr<engine::Session> session_;
  std::unique_ptr<engine::Session> aside_;
  ModelOpenOptions options_;
};

}  // namespace lantern::app
