// What the answer pipeline needs from a language model, in the pipeline's own terms: count
// tokens, render a chat, generate a reply on a persistent conversation session (reusing its KV
// cache prefix), and complete a short side task (query rewrite, summary) without disturbing that
// cache. The implementation over lantern::engine is engine_language_model.{h,cpp}.
//
// Threading: used from one worker thread at a time; `cancel` may be set from any thread.
// The one thing to know: generate() keeps its session between calls, so a follow-up whose
// prompt extends the previous one evaluates only the new suffix (GenerateStats say how many).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "lantern/engine/sampler.h"
#include "lantern/status.h"

namespace lantern::app {

struct ChatMessage {
  std::string role;  // "system", "user", "assistant"
  std::string content;
};

struct GenerateStats {
  int64_t prompt_tokens = 0;     // tokens in the rendered prompt
  int64_t evaluated_tokens = 0;  // of those, evaluated now (the rest came from the KV cache)
  double prompt_ms = 0;
  int64_t generated_tokens = 0;
  double decode_ms = 0;
  bool hit_max_tokens = false;
  bool context_full = false;
  bool cancelled = false;
};

class LanguageModel {
 public:
  virtual ~LanguageModel() = default;

  virtual std::string name() const = 0;   // for the audit log and the stats line
  virtual int32_t n_ctx() const = 0;      // positions in the conversation session
  // Tokens `text` costs as message content (special-token text stays text, no BOS).
  virtual size_t count_tokens(std::string_view text) const = 0;
  // The model's chat template applied; with `add_generation_prompt`, ends where the reply starts.
  // For display and inspection: generation encodes the messages themselves (below).
  virtual Result<std::string> render(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const = 0;
  // Tokens of the prompt for `messages` (generation prompt added) exactly as generate() evaluates
  // it: the budget check. Message contents are encoded as plain text even where they spell a
  // special token, so a document cannot inject "<|im_end|>" into the prompt.
  virtual Result<size_t> prompt_tokens(const std::vector<ChatMessage>& messages) const = 0;

  // Makes the conversation session hold the prompt for `messages` (prefix reuse) and samples up to
  // `max_tokens`, streaming text pieces (never split UTF-8) to `on_piece`.
  virtual Result<GenerateStats> generate(const std::vector<ChatMessage>& messages, const engine::SamplerParams& params,
                                         int32_t max_tokens, const std::function<void(std::string_view)>& on_piece,
                                         const std::atomic<bool>* cancel) = 0;

  // A short greedy completion of `messages` on a separate scratch session (the conversation's
  // cache is left as it is). Returns the reply text.
  virtual Result<std::string> complete_aside(const std::vector<ChatMessage>& messages, int32_t max_tokens,
                                             const std::atomic<bool>* cancel) = 0;

  // The same on the conversation session itself: `messages` should start like the conversation's
  // last prompt, so only the new tail is evaluated (a follow-up's query rewrite costs a few dozen
  // tokens, not the whole conversation again). The next generate() syncs back to its own prompt,
  // keeping the common prefix cached.
  virtual Result<std::string> complete_in_context(const std::vector<ChatMessage>& messages, int32_t max_tokens,
                                                  const std::atomic<bool>* cancel) = 0;

  // Drops the conversation cache (a new conversation, or history edited).
  virtual void reset() = 0;
};

}  // namespace lantern::app
