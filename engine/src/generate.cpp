// Session::generate: the sampling loop — sample, stream the text, evaluate the token, repeat.
// The one thing to know: the cancel flag is checked before every sample and inside every forward
// pass (between layers), so a cancel from another thread takes effect within one token; the
// sampled token is evaluated only when another token will follow, so tokens() never holds a
// token whose successor was not asked for.
#include <chrono>

#include "lantern/engine/model.h"
#include "lantern/engine/session.h"
#include "lantern/engine/stop_matcher.h"
#include "lantern/engine/tokenizer.h"
#include "model_weights.h"

namespace lantern::engine {

Result<Generation> Session::generate(const SamplerParams& params, int32_t max_tokens, const PieceCallback& on_piece,
                                     const std::atomic<bool>* cancel) {
  LT_RETURN_IF_ERROR(validate(params));
  if (model_->weights().output.rows() == 0) {
    return Status::invalid_argument("'" + model_->info().arch + "' is an embedding model: it cannot generate text");
  }
  if (tokens_.empty() || logits_.empty()) {
    return Status::invalid_argument("generate: nothing evaluated yet (eval or sync the prompt first)");
  }
  if (max_tokens < -1) return Status::invalid_argument("generate: max_tokens " + std::to_string(max_tokens) + " < -1");
  if (max_tokens > 0 && tokens_.size() + static_cast<size_t>(max_tokens) > static_cast<size_t>(options_.n_ctx)) {
    return Status::resource_limit("the prompt (" + std::to_string(tokens_.size()) + " tokens) plus " +
                                  std::to_string(max_tokens) + " requested tokens exceed the context size of " +
                                  std::to_string(options_.n_ctx) + " (raise it with --ctx or ask for fewer tokens)");
  }
  const Tokenizer& tok = model_->tokenizer();
  SamplerParams sp = params;
  if (sp.seed == kRandomSeed && options_.seed != kRandomSeed) sp.seed = options_.seed + n_generate_calls_;
  ++n_generate_calls_;
  Sampler sampler(sp);
  StopMatcher stops(sp.stop);
  StreamDecoder decoder(tok);
  Generation gen;
  auto emit = [&](const std::string& text) {
    if (text.empty()) return;
    gen.text += text;
    if (on_piece) on_piece(text);
  };

  const auto t0 = std::chrono::steady_clock::now();
  gen.stop = StopReason::kMaxTokens;
  for (int32_t i = 0; max_tokens < 0 || i < max_tokens; ++i) {
    if (cancel && cancel->load(std::memory_order_relaxed)) {
      gen.stop = StopReason::kCancelled;
      break;
    }
    const int32_t id = sampler.sample(logits_, tokens_);
    if (tok.is_end_of_generation(id)) {
      gen.stop = StopReason::kEndOfText;
      break;
    }
    gen.tokens.push_back(id);
    ++timings_.generated_tokens;
    emit(stops.feed(decoder.push(id)));
    if (stops.stopped()) {
      gen.stop = StopReason::kStopString;
      break;
    }
    if (max_tokens >= 0 && i + 1 == max_tokens) break;
    if (tokens_.size() >= static_cast<size_t>(options_.n_ctx)) {
      gen.stop = StopReason::kContextFull;
      break;
    }
    const int32_t next[1] = {id};
    Status st = forward(next, cancel, nullptr, nullptr);
    if (st.code() == StatusCode::kCancelled) {
      gen.stop = StopReason::kCancelled;
      break;
    }
    if (!st.ok()) return st;
  }
  if (!stops.stopped()) {
    emit(stops.feed(decoder.flush()));
    emit(stops.finish());
  }
  timings_.decode_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return gen;
}

}  // namespace lantern::engine
