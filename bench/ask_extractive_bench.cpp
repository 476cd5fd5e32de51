// Extractive answers on a SQuAD-format set: imports every paragraph as a document into a fresh
// knowledge base, asks every question through the answer pipeline without a model, and reports
// how often the gold answer span appears in the answer, the answer length, and latency.
//
// Usage: ask_extractive_bench [FILE.squad.json] [--limit N]
// Default file: $LANTERN_SHARED (or ../shared)/datasets/cmrc2018/cmrc2018_trial.squad.json.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "answer.h"
#include "kb_knowledge_source.h"
#include "lantern/json.h"
#include "lantern/kb/knowledge_base.h"

using namespace lantern;

int main(int argc, char** argv) {
  std::string path;
  size_t limit = SIZE_MAX;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--limit" && i + 1 < argc) limit = std::strtoull(argv[++i], nullptr, 10);
    else path = a;
  }
  if (path.empty()) {
    const char* shared = std::getenv("LANTERN_SHARED");
    path = std::string(shared ? shared : "../shared") + "/datasets/cmrc2018/cmrc2018_trial.squad.json";
  }
  std::ifstream f(path);
  if (!f) {
    std::fprintf(stderr, "cannot open %s\n", path.c_str());
    return 1;
  }
  std::stringstream buf;
  buf << f.rdbuf();
  auto doc = json::parse(buf.str());
  if (!doc.ok()) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), doc.status().message().c_str());
    return 1;
  }
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("lantern_ask_bench_" + std::to_string(::getpid()));
  fs::create_directories(dir / "home");
  fs::create_directories(dir / "docs");
  struct Q {
    std::string question, answer;
  };
  std::vector<Q> questions;
  size_t n_par = 0;
  for (const auto& article : doc->find("data")->items()) {
    for (const auto& p : article.find("paragraphs")->items()) {
      std::ofstream(dir / "docs" / ("p" + std::to_string(n_par++) + ".txt")) << p.get_string("context");
      for (const auto& qa : p.find("qas")->items()) {
        if (qa.get_string("question").find_first_not_of(" \t\n") == std::string::npos) continue;
        questions.push_back({qa.get_string("question"), qa.find("answers")->items()[0].get_string("text")});
      }
    }
  }
  if (questions.size() > limit) questions.resize(limit);
  {
    auto kb = kb::KnowledgeBase::open((dir / "home").string());
    if (!kb.ok()) return std::fprintf(stderr, "%s\n", kb.status().message().c_str()), 1;
    auto report = (*kb)->import({(dir / "docs").string()}, kb::ImportOptions{});
    if (!report.ok()) return std::fprintf(stderr, "%s\n", report.status().message().c_str()), 1;
  }
  auto source = app::KbKnowledgeSource::open((dir / "home").string());
  if (!source.ok()) return std::fprintf(stderr, "%s\n", source.status().message().c_str()), 1;
  size_t hits = 0, chars = 0;
  std::vector<double> ms;
  for (const auto& q : questions) {
    app::Conversation conv(nullptr, source->get());
    app::AskRequest req;
    req.question = q.question;
    auto t0 = std::chrono::steady_clock::now();
    auto r = conv.ask(req, {});
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (!r.ok()) return std::fprintf(stderr, "%s\n", r.status().message().c_str()), 1;
    hits += r->answer.find(q.answer) != std::string::npos;
    chars += r->answer.size();
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) { return ms.empty() ? 0.0 : ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))]; };
  std::printf("%zu paragraphs, %zu questions: gold span in answer %zu (%.1f%%), mean answer %.0f bytes, "
              "latency p50 %.2f ms p99 %.2f ms (incl. audit write)\n",
              n_par, questions.size(), hits, 100.0 * hits / std::max<size_t>(1, questions.size()),
              static_cast<double>(chars) / std::max<size_t>(1, questions.size()), pct(0.5), pct(0.99));
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
