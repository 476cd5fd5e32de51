// synth_bench: writes (or finds) a synthetic benchmark model and prints its path.
//
// Usage: synth_bench SHAPE QUANT [--dir DIR] [--force]
//   SHAPE: qwen2-1.5b, qwen2-7b, llama-8b, qwen2-tiny, llama-tiny;  QUANT: Q4_K_M, Q8_0, F16
//   DIR defaults to $LANTERN_BENCH_MODELS, else $XDG_CACHE_HOME/lantern/bench, else
//   ~/.cache/lantern/bench. An existing file is reused unless --force.
// The files have real shapes and a real-size tokenizer but random weights (see
// lantern/engine/synthetic_model.h); they are large (qwen2-1.5b Q4_K_M ~1 GB, llama-8b F16 ~16 GB).
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "lantern/engine/synthetic_model.h"

using namespace lantern::engine;

static std::string default_dir() {
  if (const char* d = std::getenv("LANTERN_BENCH_MODELS"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/lantern/bench";
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.cache/lantern/bench";
}

static void make_dirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') mkdir(path.substr(0, i).c_str(), 0755);
  }
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: synth_bench SHAPE QUANT [--dir DIR] [--force]\n");
    return 2;
  }
  const std::string shape = argv[1], quant = argv[2];
  std::string dir = default_dir();
  bool force = false;
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (a == "--force") {
      force = true;
    } else {
      std::fprintf(stderr, "synth_bench: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  auto spec = synthetic_spec(shape);
  if (!spec.ok()) {
    std::fprintf(stderr, "synth_bench: %s\n", spec.status().message().c_str());
    return 2;
  }
  auto bytes = synthetic_model_bytes(*spec, quant);
  if (!bytes.ok()) {
    std::fprintf(stderr, "synth_bench: %s\n", bytes.status().message().c_str());
    return 2;
  }
  make_dirs(dir);
  const std::string path = dir + "/" + shape + "-" + quant + ".gguf";
  struct stat st;
  if (!force && stat(path.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_size) >= *bytes) {
    std::printf("%s\n", path.c_str());
    return 0;
  }
  struct statvfs vfs;
  if (statvfs(dir.c_str(), &vfs) == 0) {
    const uint64_t free_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
    if (free_bytes < *bytes + (uint64_t{2} << 30)) {
      std::fprintf(stderr, "synth_bench: %s needs %.1f GB, only %.1f GB free in %s\n", path.c_str(), *bytes / 1e9,
                   free_bytes / 1e9, dir.c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "synth_bench: writing %s (%.2f GB)...\n", path.c_str(), *bytes / 1e9);
  const auto t0 = std::chrono::steady_clock::now();
  auto status = write_synthetic_model(*spec, quant, path);
  if (!status.ok()) {
    std::fprintf(stderr, "synth_bench: %s\n", status.to_string().c_str());
    return 1;
  }
  std::fprintf(stderr, "synth_bench: done in %.1f s\n",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  std::printf("%s\n", path.c_str());
  return 0;
}
