// gguf_open_bench: time to open and validate a GGUF file's header with a Qwen2.5-sized vocabulary
// (152,064 tokens, 151,387 merges, scores, token types) and 339 tensor infos, then read its
// hyperparameters and check its vocabulary arrays. This is the work `lantern models` does per file
// and the first step of every model load.
//
// Usage: build/bench/gguf_open_bench [FILE.gguf...]   (default: a synthetic file in $TMPDIR)
// Prints the median of 15 runs per file.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>
#include <vector>

#include "lantern/engine/gguf.h"
#include "lantern/engine/gguf_writer.h"
#include "lantern/engine/model_params.h"

using namespace lantern::engine;

namespace {

lantern::Status make_synthetic(const std::string& path) {
  GgufWriter w;
  const uint32_t n_vocab = 152064, n_layer = 28;
  w.set_string("general.architecture", "qwen2");
  w.set_string("general.name", "synthetic-qwen2.5-1.5b-header");
  w.set_u32("qwen2.context_length", 32768);
  w.set_u32("qwen2.embedding_length", 1536);
  w.set_u32("qwen2.block_count", n_layer);
  w.set_u32("qwen2.feed_forward_length", 8960);
  w.set_u32("qwen2.attention.head_count", 12);
  w.set_u32("qwen2.attention.head_count_kv", 2);
  w.set_f32("qwen2.attention.layer_norm_rms_epsilon", 1e-6f);
  w.set_f32("qwen2.rope.freq_base", 1e6f);
  w.set_string("tokenizer.ggml.model", "gpt2");
  w.set_string("tokenizer.ggml.pre", "qwen2");
  std::vector<std::string> tokens(n_vocab), merges(151387);
  for (uint32_t i = 0; i < n_vocab; ++i) tokens[i] = "tok" + std::to_string(i * 7919u % 100000u) + "_" + std::to_string(i);
  for (size_t i = 0; i < merges.size(); ++i) merges[i] = "m" + std::to_string(i) + " x" + std::to_string(i % 977);
  w.set_string_array("tokenizer.ggml.tokens", tokens);
  w.set_i32_array("tokenizer.ggml.token_type", std::vector<int32_t>(n_vocab, 1));
  w.set_f32_array("tokenizer.ggml.scores", std::vector<float>(n_vocab, 0.f));
  w.set_string_array("tokenizer.ggml.merges", merges);
  w.set_u32("tokenizer.ggml.bos_token_id", 151643);
  w.set_u32("tokenizer.ggml.eos_token_id", 151645);
  // 339 tensor infos with tiny data: the header, not the weights, is what is measured.
  auto add = [&](const std::string& name, int64_t n) {
    return w.add_tensor(name, TensorType::kF32, {n}, std::vector<uint8_t>(static_cast<size_t>(n) * 4));
  };
  const char* per_layer[] = {"attn_norm.weight", "attn_q.weight", "attn_k.weight", "attn_v.weight",
                             "attn_q.bias",      "attn_k.bias",   "attn_v.bias",   "attn_output.weight",
                             "ffn_norm.weight",  "ffn_gate.weight", "ffn_up.weight", "ffn_down.weight"};
  LT_RETURN_IF_ERROR(add("stub.token_embd.weight", 8));  // real shape would be [1536, n_vocab]
  LT_RETURN_IF_ERROR(add("output_norm.weight", 8));
  for (uint32_t l = 0; l < n_layer; ++l) {
    for (const char* t : per_layer) LT_RETURN_IF_ERROR(add("blk." + std::to_string(l) + "." + t, 8));
  }
  LT_RETURN_IF_ERROR(add("extra.weight", 8));
  return w.write(path);
}

double time_open(const std::string& path, std::string* detail) {
  std::vector<double> ms;
  for (int run = 0; run < 15; ++run) {
    auto t0 = std::chrono::steady_clock::now();
    auto f = GgufFile::open(path);
    if (!f.ok()) {
      *detail = f.status().to_string();
      return -1;
    }
    auto p = read_model_params(**f);
    lantern::Status v = validate_vocab_metadata(**f);
    auto t1 = std::chrono::steady_clock::now();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    if (run == 0) {
      *detail = std::to_string((*f)->file_size()) + " bytes, " + std::to_string((*f)->metadata_keys().size()) +
                " keys, " + std::to_string((*f)->tensors().size()) + " tensors; params: " +
                (p.ok() ? "ok" : p.status().message()) + "; vocab: " + (v.ok() ? "ok" : v.message());
    }
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files(argv + 1, argv + argc);
  std::string synthetic;
  if (files.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    synthetic = std::string(tmp && *tmp ? tmp : "/tmp") + "/gguf_open_bench_" + std::to_string(getpid()) + ".gguf";
    lantern::Status st = make_synthetic(synthetic);
    if (!st.ok()) {
      std::fprintf(stderr, "gguf_open_bench: %s\n", st.to_string().c_str());
      return 1;
    }
    files.push_back(synthetic);
  }
  int rc = 0;
  for (const std::string& path : files) {
    std::string detail;
    double ms = time_open(path, &detail);
    if (ms < 0) {
      std::printf("%s: error: %s\n", path.c_str(), detail.c_str());
      rc = 1;
    } else {
      std::printf("%s: open + params + vocab check: %.2f ms median of 15 (%s)\n", path.c_str(), ms, detail.c_str());
    }
  }
  if (!synthetic.empty()) unlink(synthetic.c_str());
  return rc;
}
