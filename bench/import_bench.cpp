// Import throughput: plain-text files through the whole importer (read, hash, decode, normalize,
// chunk, SQLite insert with the FTS5 index triggers) into a fresh lantern.db.
//
//   import_bench [--mb N] [--files N] [--runs N] [--lang en|zh|mixed]
//
// The corpus is synthesized by repeating and perturbing real text: Cranfield abstracts (English)
// and/or CMRC 2018 paragraphs (Chinese) from ../shared ($LANTERN_SHARED) when present, else a
// built-in paragraph.
// Each run imports into a new database; the best run is reported, then one re-import of the same
// files (all unchanged: hashing only). Target (issue 6): >= 5 MB/s of plain text.
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "lantern/json.h"
#include "lantern/kb/knowledge_base.h"

using namespace lantern;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string shared_dir() {
  const char* env = std::getenv("LANTERN_SHARED");
  if (env && *env) return env;
  return "../shared";
}

// Paragraphs of real text: Cranfield .W sections and CMRC contexts.
std::vector<std::string> source_paragraphs(const std::string& lang) {
  std::vector<std::string> out;
  bool en = lang != "zh", zh = lang != "en";
  std::string cran = en ? read_file(shared_dir() + "/datasets/cranfield/cran.all.1400") : "";
  std::string clean;  // the file has CRLF line ends
  for (char c : cran) {
    if (c != '\r') clean += c;
  }
  cran = std::move(clean);
  size_t p = 0;
  while ((p = cran.find("\n.W\n", p)) != std::string::npos) {
    p += 4;
    size_t e = cran.find("\n.I ", p);
    if (e == std::string::npos) e = cran.size();
    out.push_back(cran.substr(p, e - p));
    p = e;
  }
  std::string squad = zh ? read_file(shared_dir() + "/datasets/cmrc2018/cmrc2018_trial.squad.json") : "";
  if (!squad.empty()) {
    auto v = json::parse(squad, 64);
    if (v.ok()) {
      if (const json::Value* data = v->find("data")) {
        for (const auto& art : data->items()) {
          if (const json::Value* ps = art.find("paragraphs")) {
            for (const auto& para : ps->items()) out.push_back(para.get_string("context"));
          }
        }
      }
    }
  }
  if (out.empty()) {
    out.push_back(
        "An experimental study of a wing in a propeller slipstream was made in order to determine the "
        "spanwise distribution of the lift increase due to slipstream at different angles of attack.\n"
        "知识库是本地的文档存储。它支持中文和英文混合的文本，并按段落和句子切分。");
  }
  return out;
}

double cpu_s() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  int64_t mb = 20, n_files = 200, runs = 2;
  std::string lang = "mixed";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--mb") mb = std::atoll(argv[i + 1]);
    if (a == "--files") n_files = std::atoll(argv[i + 1]);
    if (a == "--runs") runs = std::atoll(argv[i + 1]);
    if (a == "--lang") lang = argv[i + 1];
  }
  std::vector<std::string> paras = source_paragraphs(lang);
  std::string tmp = std::filesystem::temp_directory_path().string() + "/lantern-import-bench-" + std::to_string(getpid());
  std::string docs = tmp + "/docs";
  std::filesystem::create_directories(docs);
  std::mt19937 rng(42);
  const int64_t per_file = mb * 1000000 / n_files;
  int64_t total = 0;
  for (int64_t f = 0; f < n_files; ++f) {
    std::string text;
    while (static_cast<int64_t>(text.size()) < per_file) {
      // Perturb: a numbered paragraph from a random source paragraph, so no two files are equal.
      text += "[" + std::to_string(f) + "." + std::to_string(rng() % 100000) + "] ";
      text += paras[rng() % paras.size()];
      text += "\n\n";
    }
    std::ofstream(docs + "/doc" + std::to_string(f) + ".txt", std::ios::binary) << text;
    total += static_cast<int64_t>(text.size());
  }
  std::printf("corpus (%s): %lld files, %.1f MB of text (%zu source paragraphs)\n", lang.c_str(),
              static_cast<long long>(n_files), total / 1e6, paras.size());
  double best = 1e30, best_cpu = 1e30;
  kb::ImportReport best_report;
  std::string home;
  for (int64_t r = 0; r < runs; ++r) {
    home = tmp + "/home" + std::to_string(r);
    std::filesystem::create_directories(home);
    auto store = kb::KnowledgeBase::open(home);
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", store.status().to_string().c_str());
      return 1;
    }
    double t0 = now_s(), c0 = cpu_s();
    auto rep = (*store)->import({docs}, kb::ImportOptions{});
    double dt = now_s() - t0, dc = cpu_s() - c0;
    if (!rep.ok()) {
      std::fprintf(stderr, "%s\n", rep.status().to_string().c_str());
      return 1;
    }
    std::printf("run %lld: %.2f s wall, %.2f s CPU, %.2f MB/s wall, %.2f MB/s CPU, %lld docs, %lld chunks\n",
                static_cast<long long>(r + 1), dt, dc, total / 1e6 / dt, total / 1e6 / dc,
                static_cast<long long>(rep->added), static_cast<long long>(rep->chunks));
    if (dc < best_cpu) best_cpu = dc;
    if (dt < best) {
      best = dt;
      best_report = *rep;
    }
  }
  auto store = kb::KnowledgeBase::open(home);
  double t0 = now_s();
  auto again = (*store)->import({docs}, kb::ImportOptions{});
  double dt_again = now_s() - t0;
  std::printf("\n| text | files | MB | seconds | MB/s | MB/s (CPU time) | docs/s | chunks | chunks/s | re-import (unchanged) s |\n");
  std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  std::printf("| %s | %lld | %.1f | %.2f | %.2f | %.2f | %.0f | %lld | %.0f | %.2f |\n", lang.c_str(), static_cast<long long>(n_files), total / 1e6,
              best, total / 1e6 / best, total / 1e6 / best_cpu, n_files / best, static_cast<long long>(best_report.chunks),
              best_report.chunks / best, again.ok() ? dt_again : -1.0);
  std::error_code ec;
  std::filesystem::remove_all(tmp, ec);
  return 0;
}
