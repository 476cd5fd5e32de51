// Session: the KV cache of one conversation, token bookkeeping, prefix reuse, logits, embeddings.
// Generation (sampling loop, streaming, stop handling) is in generate.cpp.
// The one thing to know: tokens_ always equals what the cache holds; every path that evaluates
// appends to tokens_ only after a batch has gone through all layers, and logits_ is either the
// logits of tokens_.back() or empty.
#include "lantern/engine/session.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "forward.h"
#include "kv_cache.h"
#include "lantern/engine/model.h"
#include "model_weights.h"
#include "system_memory.h"

namespace lantern::engine {
namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

std::string_view stop_reason_name(StopReason reason) {
  switch (reason) {
    case StopReason::kMaxTokens: return "max_tokens";
    case StopReason::kEndOfText: return "end_of_text";
    case StopReason::kStopString: return "stop_string";
    case StopReason::kContextFull: return "context_full";
    case StopReason::kCancelled: return "cancelled";
  }
  return "unknown";
}

Session::~Session() = default;

Result<std::unique_ptr<Session>> Session::create(std::shared_ptr<const Model> model, const SessionOptions& options) {
  if (!model) return Status::invalid_argument("session: no model");
  const Hparams& hp = model->weights().hp;
  SessionOptions opt = options;
  if (opt.n_ctx < 0) return Status::invalid_argument("session: context size " + std::to_string(opt.n_ctx) + " is negative");
  if (opt.n_ctx == 0) opt.n_ctx = std::min(hp.n_ctx_train, 4096);
  if (hp.block == BlockKind::kBert && opt.n_ctx > hp.n_ctx_train) {
    return Status::invalid_argument("session: context size " + std::to_string(opt.n_ctx) + " exceeds the " +
                                    std::to_string(hp.n_ctx_train) + " positions of this embedding model");
  }
  if (opt.n_batch <= 0) opt.n_batch = 256;
  opt.n_batch = std::min(opt.n_batch, opt.n_ctx);
  {
    // The KV cache is allocated and zeroed at once: one that does not fit would be OOM-killed.
    const uint64_t elem = opt.kv_type == KvType::kF32 ? 4 : 2;
    const double need = 2.0 * static_cast<double>(hp.n_layer) * opt.n_ctx * static_cast<double>(hp.n_embd_kv()) * elem;
    const SystemMemory mem = read_system_memory();
    if (mem.available > 0 && need > static_cast<double>(mem.available)) {
      return Status::resource_limit("session: a context of " + std::to_string(opt.n_ctx) + " positions needs " +
                                    format_bytes(static_cast<uint64_t>(std::min(need, 1.8e19))) +
                                    " of KV cache, more than the " + format_bytes(mem.available) +
                                    " of memory available (lower the context size)");
    }
  }
  auto cache = KvCache::create(hp.n_layer, opt.n_ctx, hp.n_head_kv, hp.head_dim, opt.kv_type);
  if (!cache.ok()) return cache.status();
  std::unique_ptr<Session> s(new Session());
  s->model_ = std::move(model);
  s->options_ = opt;
  s->cache_ = std::make_unique<KvCache>(std::move(cache).value());
  s->work_ = std::make_unique<Workspace>();
  s->work_->pool = std::make_unique<ThreadPool>(s->model_->n_threads());
  return s;
}

int32_t Session::n_ctx() const { return options_.n_ctx; }

ThreadPool& Session::threads() { return *work_->pool; }

void Session::clear() {
  tokens_.clear();
  logits_.clear();
}

std::span<const float> Session::logits() const { return logits_; }

Status Session::forward(std::span<const int32_t> tokens, const std::atomic<bool>* cancel,
                        std::vector<float>* all_logits, std::vector<float>* hidden) {
  const ModelWeights& w = model_->weights();
  const Hparams& hp = w.hp;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i] < 0 || tokens[i] >= hp.n_vocab) {
      return Status::invalid_argument("token id " + std::to_string(tokens[i]) + " at index " + std::to_string(i) +
                                      " is outside the vocabulary [0, " + std::to_string(hp.n_vocab) + ")");
    }
  }
  if (tokens_.size() + tokens.size() > static_cast<size_t>(options_.n_ctx)) {
    return Status::resource_limit(std::to_string(tokens.size()) + " tokens" +
                                  (tokens_.empty() ? "" : " after the " + std::to_string(tokens_.size()) + " in the context") +
                                  " exceed the context size of " + std::to_string(options_.n_ctx) +
                                  " (raise it with --ctx, up to the model's " + std::to_string(hp.n_ctx_train) + ")");
  }
  const size_t n_total = tokens.size();
  const bool has_head = w.output.rows() > 0;
  if (all_logits && !has_head) {
    return Status::invalid_argument("'" + hp.arch + "' model has no language-model head: no logits (use embed)");
  }
  // Bidirectional models see the whole sequence at once: one pass from an empty cache.
  size_t batch_limit = static_cast<size_t>(options_.n_batch);
  if (!hp.causal) {
    if (!tokens_.empty()) {
      return Status::invalid_argument("'" + hp.arch + "' model attends in both directions: evaluate whole "
                                      "sequences from an empty session (use embed)");
    }
    batch_limit = std::max<size_t>(n_total, 1);
  }
  constexpr size_t kMaxLogitFloats = size_t{1} << 30;  // 4 GiB of logits: surely a mistake
  if (all_logits && n_total > kMaxLogitFloats / static_cast<size_t>(hp.n_vocab)) {
    return Status::resource_limit("logits of " + std::to_string(n_total) + " tokens x " + std::to_string(hp.n_vocab) +
                                  " vocabulary entries would take over 4 GiB");
  }
  if (all_logits) all_logits->assign(n_total * hp.n_vocab, 0.0f);
  if (hidden) hidden->assign(n_total * hp.n_embd, 0.0f);
  Workspace& ws = *work_;
  for (size_t done = 0; done < n_total;) {
    const size_t n = std::min(n_total - done, batch_limit);
    auto batch = tokens.subspan(done, n);
    logits_.clear();
    LT_RETURN_IF_ERROR(forward_batch(w, *cache_, ws, *ws.pool, batch, static_cast<int32_t>(tokens_.size()), cancel));
    const int32_t n32 = static_cast<int32_t>(n);
    if (all_logits) compute_logits(w, ws, *ws.pool, 0, n32, all_logits->data() + done * hp.n_vocab);
    if (hidden) std::copy_n(ws.xn.begin(), n * hp.n_embd, hidden->begin() + done * hp.n_embd);
    if (!has_head) {
      // No logits to keep: the hidden states (copied above) are the output.
    } else if (all_logits) {
      logits_.resize(hp.n_vocab);
      std::copy_n(all_logits->begin() + (done + n - 1) * hp.n_vocab, hp.n_vocab, logits_.begin());
    } else {
      logits_.resize(hp.n_vocab);
      compute_logits(w, ws, *ws.pool, n32 - 1, 1, logits_.data());
    }
    tokens_.insert(tokens_.end(), batch.begin(), batch.end());
    done += n;
  }
  return ok_status();
}

Status Session::eval(std::span<const int32_t> tokens, const std::atomic<bool>* cancel) {
  const auto t0 = std::chrono::steady_clock::now();
  const size_t before = tokens_.size();
  Status st = forward(tokens, cancel, nullptr, nullptr);
  timings_.prompt_tokens += static_cast<int64_t>(tokens_.size() - before);
  timings_.prompt_ms += ms_since(t0);
  return st;
}

Status Session::sync(std::span<const int32_t> tokens, const std::atomic<bool>* cancel) {
  if (tokens.empty()) {
    clear();
    return ok_status();
  }
  size_t common = 0;
  while (common < tokens.size() && common < tokens_.size() && tokens[common] == tokens_[common]) ++common;
  if (common == tokens.size() && common == tokens_.size() && !logits_.empty()) return ok_status();
  if (tokens.size() > static_cast<size_t>(options_.n_ctx)) {
    return Status::resource_limit(std::to_string(tokens.size()) + " tokens exceed the context size of " +
                                  std::to_string(options_.n_ctx) + " (raise it with --ctx, up to the model's " +
                                  std::to_string(model_->weights().hp.n_ctx_train) + ")");
  }
  // The last token is always evaluated again if needed: its logits are what the caller wants.
  const size_t keep = std::min(common, tokens.size() - 1);
  if (keep < tokens_.size()) {
    tokens_.resize(keep);
    logits_.clear();
  }
  return eval(tokens.subspan(keep), cancel);
}

Result<std::vector<float>> Session::logits_all(std::span<const int32_t> tokens) {
  clear();
  std::vector<float> out;
  const auto t0 = std::chrono::steady_clock::now();
  Status st = forward(tokens, nullptr, &out, nullptr);
  timings_.prompt_tokens += static_cast<int64_t>(tokens_.size());
  timings_.prompt_ms += ms_since(t0);
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<float>> Session::embed(std::span<const int32_t> tokens, Pooling pooling) {
  if (tokens.empty()) return Status::invalid_argument("embed: no tokens");
  clear();
  std::vector<float> hidden;  // [n_tokens][n_embd]
  const auto t0 = std::chrono::steady_clock::now();
  Status st = forward(tokens, nullptr, nullptr, &hidden);
  timings_.prompt_tokens += static_cast<int64_t>(tokens_.size());
  timings_.prompt_ms += ms_since(t0);
  if (!st.ok()) return st;
  const int32_t n_embd = model_->weights().hp.n_embd;
  const size_t n = tokens.size();
  if (pooling == Pooling::kModel) pooling = model_->weights().hp.pooling;
  std::vector<double> acc(n_embd, 0.0);
  if (pooling == Pooling::kMean) {
    for (size_t t = 0; t < n; ++t) {
      for (int32_t i = 0; i < n_embd; ++i) acc[i] += hidden[t * n_embd + i];
    }
    for (double& a : acc) a /= static_cast<double>(n);
  } else {
    const size_t t = pooling == Pooling::kCls ? 0 : n - 1;
    for (int32_t i = 0; i < n_embd; ++i) acc[i] = hidden[t * n_embd + i];
  }
  double norm = 0.0;
  for (double a : acc) norm += a * a;
  norm = std::sqrt(norm);
  std::vector<float> out(n_embd);
  for (int32_t i = 0; i < n_embd; ++i) out[i] = static_cast<float>(norm > 0.0 ? acc[i] / norm : 0.0);
  return out;
}

}  // namespace lantern::engine
