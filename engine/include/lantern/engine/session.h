// A conversation with a model: its KV cache, the tokens in it, sampling and generation.
//
// Ownership: a Session holds a shared_ptr to its Model and owns its KV cache (allocated whole at
// create(): [n_layer][n_ctx][n_head_kv * head_dim] for K and for V).
// Threading: a Session is used by one thread at a time (the TUI and the RAG pipeline drive it
// from a worker thread). The only cross-thread entry is the `cancel` flag: set it from any thread
// and eval/sync stop between forward passes, generate within one token.
// Errors: Status / Result with a one-line message; a prompt that does not fit the context, an
// out-of-vocabulary token id or a cancel leave the session usable (its token list still describes
// the cache exactly).
// State: tokens() is exactly what the cache holds, and logits() belongs to its last token.
// sync() keeps the longest common prefix of the cache and the new tokens and evaluates only the
// rest, so a chat turn costs only its new tokens.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lantern/engine/sampler.h"
#include "lantern/engine/thread_pool.h"
#include "lantern/status.h"

namespace lantern::engine {

class Model;
class KvCache;
struct Workspace;  // private: engine/src/forward.h

enum class KvType { kF16, kF32 };

// How embed() turns per-token hidden states into one vector.
enum class Pooling {
  kModel,  // what the file asks for (ARCH.pooling_type), else kMean
  kMean,
  kLast,
  kCls,    // the first token
};

struct SessionOptions {
  int32_t n_ctx = 0;              // positions in the KV cache; 0: min(n_ctx_train, 4096)
  KvType kv_type = KvType::kF16;
  uint64_t seed = kRandomSeed;    // used by generate() when its params leave seed at kRandomSeed
  int32_t n_batch = 256;          // prompt tokens per forward pass (bounds the activation memory)
};

struct Timings {
  int64_t prompt_tokens = 0;      // tokens evaluated by eval/sync (not the reused prefix)
  double prompt_ms = 0.0;
  int64_t generated_tokens = 0;   // tokens sampled by generate
  double decode_ms = 0.0;         // sampling + one forward pass per generated token
};

enum class StopReason {
  kMaxTokens,      // max_tokens reached
  kEndOfText,      // the model produced an end-of-generation token (EOS / EOT), not included
  kStopString,     // a stop string appeared (the text before it is included)
  kContextFull,    // no position left in the cache
  kCancelled,      // the cancel flag was set
};
std::string_view stop_reason_name(StopReason reason);

struct Generation {
  std::string text;              // everything passed to on_piece, concatenated
  std::vector<int32_t> tokens;   // sampled tokens (the end token excluded)
  StopReason stop = StopReason::kMaxTokens;
};

// Receives generated text as it comes, in pieces that never split a UTF-8 character.
using PieceCallback = std::function<void(std::string_view piece)>;

class Session {
 public:
  static Result<std::unique_ptr<Session>> create(std::shared_ptr<const Model> model,
                                                 const SessionOptions& options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Appends `tokens` to the cache and evaluates them (in batches of n_batch).
  // kResourceLimit if they do not fit in n_ctx; kInvalidArgument for an id outside the vocabulary;
  // kCancelled if `cancel` was set (the tokens evaluated so far stay).
  Status eval(std::span<const int32_t> tokens, const std::atomic<bool>* cancel = nullptr);
  // Makes the cache hold exactly `tokens`, reusing the longest common prefix with what it holds.
  Status sync(std::span<const int32_t> tokens, const std::atomic<bool>* cancel = nullptr);

  // Samples up to `max_tokens` tokens (-1: until the context is full) after the current tokens,
  // evaluating each, and streams their text to `on_piece`. Fails up front with kResourceLimit
  // when tokens().size() + max_tokens exceeds n_ctx, and with kInvalidArgument when nothing has
  // been evaluated yet. A cancel is not an error: the result says kCancelled.
  Result<Generation> generate(const SamplerParams& params, int32_t max_tokens, const PieceCallback& on_piece,
                              const std::atomic<bool>* cancel = nullptr);

  // Logits of the last token in the cache: [n_vocab]. Empty when the cache is empty.
  std::span<const float> logits() const;
  // Clears the cache, evaluates `tokens` and returns the logits of every position,
  // row-major [n_tokens][n_vocab] (for conformance checks).
  Result<std::vector<float>> logits_all(std::span<const int32_t> tokens);
  // Clears the cache, evaluates `tokens` and returns the pooled final hidden state (after the
  // output norm), L2-normalized: [n_embd].
  Result<std::vector<float>> embed(std::span<const int32_t> tokens, Pooling pooling = Pooling::kModel);

  const std::vector<int32_t>& tokens() const { return tokens_; }
  int32_t n_ctx() const;
  const Model& model() const { return *model_; }
  void clear();
  // The threads this session's forward passes run on (for measurements made between them, such
  // as `lantern bench`'s read-bandwidth passes; using them during eval() would deadlock).
  ThreadPool& threads();

  // Accumulated since create() or the last reset_timings().
  const Timings& timings() const { return timings_; }
  void reset_timings() { timings_ = {}; }

 private:
  Session() = default;
  // Evaluates tokens at positions tokens_.size().. onwards. `all_logits` / `hidden`, when given,
  // receive [n][n_vocab] logits / [n][n_embd] final hidden states of every evaluated token.
  Status forward(std::span<const int32_t> tokens, const std::atomic<bool>* cancel, std::vector<float>* all_logits,
                 std::vector<float>* hidden);

  std::shared_ptr<const Model> model_;
  SessionOptions options_;
  std::unique_ptr<KvCache> cache_;
  std::unique_ptr<Workspace> work_;
  std::vector<int32_t> tokens_;  // [n_cached] exactly what the cache holds
  std::vector<float> logits_;    // [n_vocab] of tokens_.back(); empty when tokens_ is empty
  Timings timings_;
  uint64_t n_generate_calls_ = 0;  // varies the seed between turns when the seed is the session's
};

}  // namespace lantern::engine
