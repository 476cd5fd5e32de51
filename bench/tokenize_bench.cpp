// tokenize_bench: tokenizer throughput on about 1 MB of mixed Chinese/English text.
//
//   build/bench/tokenize_bench [VOCAB.gguf ...] [--mb N] [--runs R]
//
// Default vocabularies: ggml-vocab-deepseek-llm.gguf (102k-entry BPE, the target) and the
// other reference vocabularies in $LANTERN_SHARED/vocab (else ../shared/vocab). The text is the
// zh-mixed reference set interleaved with the English/code cases of the vocab tests, repeated to
// the requested size. Reports load time, MB/s and tokens/s (best of R runs) per vocabulary.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lantern/engine/gguf.h"
#include "lantern/engine/tokenizer.h"

using namespace lantern::engine;

namespace {

std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string strip_separators(std::string s) {
  const std::string sep = "__ggml_vocab_test__\n";
  for (size_t p; (p = s.find(sep)) != std::string::npos;) s.erase(p, sep.size());
  return s;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> vocabs;
  double mb = 1.0;
  int runs = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--mb" && i + 1 < argc) {
      mb = std::atof(argv[++i]);
    } else if (a == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else {
      vocabs.push_back(a);
    }
  }
  const char* env = std::getenv("LANTERN_SHARED");
  const std::string shared = env && *env ? env : "../shared";
  const std::string zh = read_all(shared + "/vocab/extra/zh-mixed.inp");
  const std::string en = read_all(shared + "/vocab/ggml-vocab-gpt-2.gguf.inp");
  if (zh.empty() || en.empty()) {
    std::fprintf(stderr, "tokenize_bench: reference text not found under %s/vocab (set LANTERN_SHARED)\n", shared.c_str());
    return 1;
  }
  if (vocabs.empty()) {
    vocabs.push_back(shared + "/vocab/ggml-vocab-deepseek-llm.gguf");
    for (const char* n : {"gpt-2", "llama-spm", "deepseek-coder", "phi-3", "bert-bge"}) {
      vocabs.push_back(shared + "/vocab/ggml-vocab-" + n + ".gguf");
    }
  }

  const std::string unit = strip_separators(zh) + strip_separators(en);
  std::string text;
  const auto target = static_cast<size_t>(mb * 1024 * 1024);
  while (text.size() < target) text += unit;
  text.resize(target);
  while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.pop_back();
  if (!text.empty() && static_cast<unsigned char>(text.back()) >= 0xC0) text.pop_back();

  std::printf("text: %.2f MB (%zu bytes, zh-mixed + English/code), best of %d runs\n", text.size() / 1048576.0,
              text.size(), runs);
  std::printf("%-34s %8s %9s %10s %12s\n", "vocabulary", "load s", "encode s", "MB/s", "tokens/s");
  for (const auto& path : vocabs) {
    const auto t0 = std::chrono::steady_clock::now();
    auto file = GgufFile::open(path);
    if (!file.ok()) {
      std::fprintf(stderr, "%s\n", file.status().to_string().c_str());
      return 1;
    }
    auto tok = Tokenizer::from_gguf(**file);
    if (!tok.ok()) {
      std::fprintf(stderr, "%s\n", tok.status().to_string().c_str());
      return 1;
    }
    const double load_s = seconds_since(t0);
    double best = 1e9;
    size_t n_tokens = 0;
    for (int r = 0; r < runs; ++r) {
      const auto t1 = std::chrono::steady_clock::now();
      n_tokens = (*tok)->encode(text, false, false).size();
      best = std::min(best, seconds_since(t1));
    }
    std::printf("%-34s %8.3f %9.3f %10.2f %12.0f\n", std::filesystem::path(path).filename().c_str(), load_s, best,
                text.size() / 1048576.0 / best, n_tokens / best);
  }
  return 0;
}
