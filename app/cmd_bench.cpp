// `lantern bench`: load time, time to first token, prompt and decode speed, peak RSS, and decode
// speed as a fraction of the machine's measured read bandwidth (the roofline of decoding).
//
// The one thing to know: the token ids are fixed pseudo-random ones (no tokenizer, no sampling),
// as llama-bench does; decode evaluates one token per forward pass. The bus is measured between
// the decoded tokens, on the session's threads, so the fraction compares the same minutes; the
// read buffer (1 GiB) is taken out of the peak RSS.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "command.h"
#include "lantern/engine/gguf.h"
#include "lantern/engine/membench.h"
#include "lantern/engine/model.h"
#include "lantern/engine/model_store.h"
#include "lantern/engine/session.h"
#include "lantern/engine/thread_pool.h"
#include "lantern/json.h"

namespace lantern::app {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// Resets the peak RSS to the current RSS (Linux: "5" to /proc/self/clear_refs), so a bandwidth
// test's buffer does not count as the model's memory. False where that is not possible.
bool reset_peak_rss() {
  std::FILE* f = std::fopen("/proc/self/clear_refs", "w");
  if (f == nullptr) return false;
  const bool ok = std::fputs("5", f) >= 0;
  return std::fclose(f) == 0 && ok;
}

// Bytes of weights one decode step reads: every tensor, except the token embedding when the
// model has a separate output matrix (then only one embedding row is read per token).
Result<uint64_t> bytes_per_token(const std::string& path) {
  LT_ASSIGN_OR_RETURN(auto file, engine::GgufFile::open(path));
  uint64_t total = 0;
  const bool tied = file->find_tensor("output.weight") == nullptr;
  for (const auto& t : file->tensors()) {
    if (t.name == "token_embd.weight" && !tied) continue;
    total += t.n_bytes;
  }
  return total;
}

int run_bench(Context& ctx) {
  const auto& a = ctx.args;
  if (!a.positional.empty()) return usage_error(ctx, "unexpected argument '" + a.positional.front() + "'");
  if (!a.has("model")) return usage_error(ctx, "-m MODEL is required");
  auto n_prompt = a.get_int("prompt", 512, 0, 1 << 20);
  if (!n_prompt.ok()) return usage_error(ctx, n_prompt.status().message());
  auto n_decode = a.get_int("n-predict", 128, 0, 1 << 20);
  if (!n_decode.ok()) return usage_error(ctx, n_decode.status().message());
  auto threads = a.get_int("threads", 0, 0, 1024);
  if (!threads.ok()) return usage_error(ctx, threads.status().message());
  auto bw_mb = a.get_int("bandwidth-mb", 1024, 16, 1 << 20);
  if (!bw_mb.ok()) return usage_error(ctx, bw_mb.status().message());
  const bool json = a.has("json");

  auto path = engine::resolve_model(*a.get("model"), ctx.home);
  if (!path.ok()) return runtime_error(ctx, path.status());

  // Load, then the first token (a warm page cache makes this the user-visible start-up time).
  const auto t_load = Clock::now();
  engine::LoadOptions lo;
  lo.n_threads = static_cast<int32_t>(*threads);
  auto model = engine::Model::load(*path, lo);
  if (!model.ok()) return runtime_error(ctx, model.status());
  const double load_ms = ms_since(t_load);
  const auto& info = (*model)->info();

  engine::SessionOptions so;
  so.n_ctx = static_cast<int32_t>(std::max<int64_t>(*n_prompt + *n_decode + 1, 16));
  // n_batch stays the session default (what `run` and the TUI use): larger batches buy little
  // sgemm efficiency and cost activation memory.
  auto session = engine::Session::create(*model, so);
  if (!session.ok()) return runtime_error(ctx, session.status());
  engine::Session& s = **session;

  std::mt19937 rng(1234);
  const int32_t id_range = std::max<int32_t>(1, std::min<int32_t>(info.n_vocab - 512, 30000));
  auto random_ids = [&](int64_t n) {
    std::vector<int32_t> ids(static_cast<size_t>(n));
    for (auto& id : ids) id = static_cast<int32_t>(rng() % static_cast<uint32_t>(id_range));
    return ids;
  };

  const std::vector<int32_t> first = random_ids(1);
  const auto t_first = Clock::now();
  if (Status st = s.eval(first); !st.ok()) return runtime_error(ctx, st);
  const double first_token_ms = load_ms + ms_since(t_first);
  s.clear();
  // The speeds below are the steady state: after the weights' background copy into huge pages.
  if (Status st = (*model)->wait_resident(); !st.ok()) return runtime_error(ctx, st);
  const double resident_ms = ms_since(t_load);
  const double rss_load_mb = peak_rss_mb();

  auto weight_bytes = bytes_per_token(*path);
  if (!weight_bytes.ok()) return runtime_error(ctx, weight_bytes.status());
  // Each decoded token also reads the K and V rows of every earlier position in every layer (F16):
  // on average n_prompt + (n_decode + 1) / 2 positions over the decode test.
  const double kv_position_bytes = 2.0 * info.n_layer * info.n_head_kv * info.head_dim * 2;
  const double kv_positions = static_cast<double>(*n_prompt) + (static_cast<double>(*n_decode) + 1) / 2;
  const double kv_bytes = kv_position_bytes * kv_positions;
  const double bpt = static_cast<double>(*weight_bytes) + kv_bytes;

  double prompt_tps = 0;
  if (*n_prompt > 0) {
    const std::vector<int32_t> prompt = random_ids(*n_prompt);
    const auto t0 = Clock::now();
    if (Status st = s.eval(prompt); !st.ok()) return runtime_error(ctx, st);
    prompt_tps = static_cast<double>(*n_prompt) / (ms_since(t0) / 1000.0);
  }
  const double rss_prompt_mb = peak_rss_mb();  // over loading, the copy and the prompt

  // The read bandwidth of a shared VM moves by a factor of two from minute to minute, and by a
  // third within one run. So the bus is measured in the same minutes as the decode: each decoded
  // token is followed by a read of about as many bytes from a buffer of --bandwidth-mb (the
  // fraction is the decode time of a token's bytes over the read time of as many). The best of
  // four whole-buffer reads before and after the decode is reported too, as the bus's peak. All
  // reads run on the session's own threads, so no other pool's threads spin beside them. The
  // buffer is taken out of the peak RSS.
  engine::ThreadPool& pool = s.threads();
  auto buffer = engine::ReadBuffer::create(pool, static_cast<uint64_t>(*bw_mb) << 20);
  if (!buffer.ok()) return runtime_error(ctx, buffer.status());
  engine::ReadBuffer& rb = **buffer;
  const double buffer_mb = static_cast<double>(rb.bytes()) / (1024.0 * 1024.0);
  reset_peak_rss();  // where that is not possible, the peak below still holds the buffer once
  constexpr int kPeakPasses = 4;
  const double bw_before = rb.best_bytes_per_s(pool, kPeakPasses);

  double decode_tps = 0, bw_paired = 0;
  if (*n_decode > 0) {
    const std::vector<int32_t> tokens = random_ids(*n_decode);
    // At least 64 MiB per read: a shorter one would mostly time its start.
    const uint64_t read_bytes =
        std::min<uint64_t>(rb.bytes(), std::max<uint64_t>(static_cast<uint64_t>(bpt), uint64_t{64} << 20));
    double decode_s = 0, read_s = 0;
    for (int32_t id : tokens) {
      const auto t0 = Clock::now();
      if (Status st = s.eval(std::span<const int32_t>(&id, 1)); !st.ok()) return runtime_error(ctx, st);
      decode_s += ms_since(t0) / 1000.0;
      read_s += rb.read_seconds(pool, read_bytes);
    }
    decode_tps = static_cast<double>(*n_decode) / decode_s;
    bw_paired = static_cast<double>(read_bytes) * static_cast<double>(*n_decode) / read_s;
  }
  const double bw_after = rb.best_bytes_per_s(pool, kPeakPasses);
  const double rss_mb = std::max(rss_prompt_mb, peak_rss_mb() - buffer_mb);
  const double kv_mb = kv_position_bytes * so.n_ctx / (1024.0 * 1024.0);

  const double bw_peak = std::max(bw_before, bw_after);
  const double bw_bytes_per_s = *n_decode > 0 ? bw_paired : bw_peak;
  const double fraction = bw_bytes_per_s > 0 ? decode_tps * bpt / bw_bytes_per_s : 0;
  const double fraction_of_peak = bw_peak > 0 ? decode_tps * bpt / bw_peak : 0;

  if (json) {
    json::Value o = json::Value::object();
    o.set("model", info.name);
    o.set("path", *path);
    o.set("arch", info.arch);
    o.set("quant", info.quant);
    o.set("threads", (*model)->n_threads());
    o.set("weight_memory", info.weight_memory);
    o.set("n_prompt", *n_prompt);
    o.set("n_decode", *n_decode);
    o.set("load_ms", load_ms);
    o.set("first_token_ms", first_token_ms);
    o.set("resident_ms", resident_ms);
    o.set("prompt_tokens_per_s", prompt_tps);
    o.set("decode_tokens_per_s", decode_tps);
    o.set("peak_rss_mb", rss_mb);
    o.set("peak_rss_load_mb", rss_load_mb);  // over loading, the first token and the weights' copy
    o.set("file_mb", static_cast<double>(info.file_bytes) / (1024.0 * 1024.0));
    o.set("kv_cache_mb", kv_mb);
    o.set("bytes_per_token", bpt);
    o.set("kv_bytes_per_token", kv_bytes);
    o.set("bandwidth_gb_per_s", bw_bytes_per_s / 1e9);
    o.set("bandwidth_peak_gb_per_s", bw_peak / 1e9);
    o.set("bandwidth_before_gb_per_s", bw_before / 1e9);
    o.set("bandwidth_after_gb_per_s", bw_after / 1e9);
    o.set("bandwidth_fraction", fraction);
    o.set("bandwidth_fraction_of_peak", fraction_of_peak);
    std::printf("%s\n", o.dump().c_str());
  } else {
    std::printf("model              %s (%s, %s)\n", info.name.c_str(), info.arch.c_str(), info.quant.c_str());
    std::printf("threads            %d\n", (*model)->n_threads());
    std::printf("weights in         %s\n", info.weight_memory.c_str());
    std::printf("load               %.1f ms (first token after %.1f ms, weights resident after %.1f ms)\n", load_ms,
                first_token_ms, resident_ms);
    std::printf("prompt             %.2f tokens/s (%lld tokens)\n", prompt_tps, static_cast<long long>(*n_prompt));
    std::printf("decode             %.2f tokens/s (%lld tokens)\n", decode_tps, static_cast<long long>(*n_decode));
    std::printf("peak RSS           %.0f MB (file %.0f MB + KV cache %.0f MB)\n", rss_mb,
                static_cast<double>(info.file_bytes) / (1024.0 * 1024.0), kv_mb);
    std::printf("read bandwidth     %.2f GB/s %s (peak %.2f: before %.2f, after %.2f); decode reads %.0f MB per "
                "token (KV cache %.1f MB)\n",
                bw_bytes_per_s / 1e9, *n_decode > 0 ? "between the decoded tokens" : "at its peak", bw_peak / 1e9,
                bw_before / 1e9, bw_after / 1e9, bpt / 1e6, kv_bytes / 1e6);
    std::printf("bandwidth fraction %.0f%% (%.0f%% of the peak)\n", 100.0 * fraction, 100.0 * fraction_of_peak);
  }
  return kExitOk;
}

}  // namespace

extern const CommandSpec kCmdBench = {
    "bench",
    "measure load time, prompt and decode speed",
    "bench -m MODEL [-p 512] [-n 128] [-t T] [--json]",
    "Loads MODEL, evaluates a prompt of N pseudo-random tokens in batches, then decodes tokens one "
    "at a time, and reports load time, time to the first token, prompt and decode tokens per second, "
    "peak resident memory, and decode speed as a fraction of the machine's read bandwidth, which it "
    "measures too (decoding reads every weight once per token). The prompt and decode tests wait "
    "for the weights' background copy into huge pages (resident_ms; LANTERN_WEIGHTS=mmap skips "
    "the copy). Models with realistic shapes and random weights for benchmarking are made by "
    "build/bench/synth_bench.",
    {{"model", 'm', "MODEL", "GGUF path, file name in <home>/models, or Ollama name:tag"},
     {"prompt", 'p', "N", "prompt tokens to process (default 512; 0 skips)"},
     {"n-predict", 'n', "N", "tokens to decode (default 128; 0 skips)"},
     {"threads", 't', "N", "threads (default: one per core)"},
     {"bandwidth-mb", 0, "MB", "buffer of the read-bandwidth test (default 1024; keep it above the L3 size)"},
     {"json", 0, "", "print one JSON object"}},
    run_bench,
};

}  // namespace lantern::app
