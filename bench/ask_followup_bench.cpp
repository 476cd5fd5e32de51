// The cost of a follow-up question: asks a grounded question and then a follow-up in one
// conversation with a real model file, and prints for each turn the prompt tokens, how many were
// evaluated (the rest came from the KV cache), and the time. Shows what prefix reuse saves.
//
// Usage: ask_followup_bench -m MODEL.gguf [--ctx N] [-n N] [-t THREADS]
// The corpus is a few paragraphs written to a temporary knowledge base.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "answer.h"
#include "engine_language_model.h"
#include "kb_knowledge_source.h"
#include "lantern/kb/knowledge_base.h"

using namespace lantern;

int main(int argc, char** argv) {
  std::string model_path;
  int n_ctx = 4096, n_predict = 32, threads = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "-m") model_path = argv[i + 1];
    else if (a == "--ctx") n_ctx = std::atoi(argv[i + 1]);
    else if (a == "-n") n_predict = std::atoi(argv[i + 1]);
    else if (a == "-t") threads = std::atoi(argv[i + 1]);
  }
  if (model_path.empty()) {
    std::fprintf(stderr, "usage: ask_followup_bench -m MODEL.gguf [--ctx N] [-n N] [-t THREADS]\n");
    return 2;
  }
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("lantern_followup_bench_" + std::to_string(::getpid()));
  fs::create_directories(dir / "home");
  fs::create_directories(dir / "docs");
  std::ofstream(dir / "docs/jets.md")
      << "# Jet engines\n\nA turbojet compresses incoming air with a rotating compressor, burns fuel in it and "
         "drives the compressor with a turbine. The first turbojet to run was built by Frank Whittle in 1937. "
         "Turbofans add a large fan whose bypass air gives most of the thrust at subsonic speeds.\n\n## Ramjets\n\n"
         "A ramjet has no compressor at all. It needs high forward speed before it can produce thrust, so it is "
         "launched by another engine or a booster rocket. Scramjets keep the airflow supersonic through the "
         "combustor.\n";
  std::ofstream(dir / "docs/rockets.md")
      << "# Rockets\n\nA rocket carries its own oxidiser, so it works in vacuum. Liquid engines pump fuel and "
         "oxidiser into a combustion chamber; solid motors burn a cast grain and cannot be throttled.\n";
  {
    auto kb = kb::KnowledgeBase::open((dir / "home").string());
    if (!kb.ok() || !(*kb)->import({(dir / "docs").string()}, kb::ImportOptions{}).ok()) return 1;
  }
  auto source = app::KbKnowledgeSource::open((dir / "home").string());
  app::ModelOpenOptions mo;
  mo.n_ctx = n_ctx;
  mo.n_threads = threads;
  auto t0 = std::chrono::steady_clock::now();
  auto model = app::EngineLanguageModel::load(model_path, mo);
  if (!source.ok() || !model.ok()) {
    std::fprintf(stderr, "%s\n", (!model.ok() ? model.status() : source.status()).message().c_str());
    return 1;
  }
  std::printf("model %s loaded in %.0f ms, context %d\n", (*model)->name().c_str(),
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(),
              (*model)->n_ctx());
  app::Conversation conv(model->get(), source->get());
  for (const char* q : {"Who built the first turbojet?", "And how is a ramjet launched?"}) {
    app::AskRequest req;
    req.question = q;
    req.k = 3;
    req.max_tokens = n_predict;
    req.sampling.temperature = 0;
    auto r = conv.ask(req, {});
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().message().c_str());
      return 1;
    }
    const auto& t = r->timings;
    std::printf("%-32s prompt %5lld tokens, evaluated %5lld (%.0f ms, %.1f tok/s), generated %3lld (%.0f ms), "
                "rewrite %.0f ms, total %.0f ms\n",
                q, static_cast<long long>(t.prompt_tokens), static_cast<long long>(t.evaluated_tokens), t.prompt_ms,
                t.prompt_ms > 0 ? t.evaluated_tokens * 1000.0 / t.prompt_ms : 0.0,
                static_cast<long long>(t.generated_tokens), t.decode_ms, t.rewrite_ms, t.total_ms);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
