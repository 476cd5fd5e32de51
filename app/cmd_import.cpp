// `lantern import`: import files and folders into a knowledge base.
//
// The one thing to know: the summary goes to stdout, the progress bar to stderr and only when
// stderr is a terminal; SIGINT sets a flag the importer checks between documents (a second
// SIGINT kills as usual), so Ctrl-C never leaves a half-written document.
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>

#include "command.h"
#include "kb_access.h"
#include "lantern/ui/sanitize.h"

namespace lantern::app {
namespace {

std::atomic<bool> g_interrupted{false};

void on_sigint(int) { g_interrupted.store(true); }

// Installs the SIGINT flag handler for the lifetime of the object.
class SigintGuard {
 public:
  SigintGuard() {
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sa.sa_flags = SA_RESETHAND;  // the second Ctrl-C terminates
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_);
  }
  ~SigintGuard() { sigaction(SIGINT, &old_, nullptr); }

 private:
  struct sigaction old_ {};
};

int terminal_width() {
  struct winsize ws {};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  return 80;
}

std::string clock_text(double seconds) {
  if (seconds < 0 || seconds > 360000) return "--:--";
  int s = static_cast<int>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%d:%02d", s / 60, s % 60);
  }
  return buf;
}

// "[#####.....] 12/340 files  3.4/20.1 MB  2.1 MB/s  ETA 0:08  name", one terminal line.
void draw_progress(const kb::ImportProgress& p) {
  static auto last = std::chrono::steady_clock::time_point{};
  auto now = std::chrono::steady_clock::now();
  bool final = p.current_path.empty();
  if (!final && now - last < std::chrono::milliseconds(100)) return;
  last = now;
  if (final) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    return;
  }
  double frac = p.bytes_total > 0 ? static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total)
                                  : (p.files_total > 0 ? static_cast<double>(p.files_done) / p.files_total : 0);
  const int bar = 20;
  int filled = static_cast<int>(frac * bar);
  std::string line = "[" + std::string(filled, '#') + std::string(bar - filled, '.') + "] ";
  double rate = p.elapsed_s > 0.2 ? static_cast<double>(p.bytes_done) / p.elapsed_s : 0;
  double eta = rate > 0 ? static_cast<double>(p.bytes_total - p.bytes_done) / rate : -1;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%lld/%lld files  %.1f/%.1f MB  %.1f MB/s  ETA %s  ",
                static_cast<long long>(p.files_done), static_cast<long long>(p.files_total), p.bytes_done / 1e6,
                p.bytes_total / 1e6, rate / 1e6, clock_text(eta).c_str());
  line += buf;
  std::string name = p.current_path.substr(p.current_path.rfind('/') + 1);
  line += ui::sanitize(name, {false, false});
  // Cut to the terminal width (by bytes, at a character boundary; wide characters may overrun).
  size_t width = static_cast<size_t>(terminal_width() - 1);
  if (line.size() > width) {
    size_t cut = width;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    line.resize(cut);
  }
  std::fprintf(stderr, "\r%s\033[K", line.c_str());
  std::fflush(stderr);
}

void print_list(const char* heading, const std::vector<const kb::FileReport*>& items, size_t max_items) {
  if (items.empty()) return;
  std::printf("%s:\n", heading);
  for (size_t i = 0; i < items.size() && i < max_items; ++i) {
    std::string line = "  " + items[i]->path;
    if (!items[i]->reason.empty()) line += ": " + items[i]->reason;
    std::printf("%s\n", ui::sanitize(line, {false, false}).c_str());
  }
  if (items.size() > max_items) std::printf("  ... and %zu more (-v lists all)\n", items.size() - max_items);
}

int run_import(Context& ctx) {
  if (ctx.args.positional.empty()) return usage_error(ctx, "no PATH given");
  auto name = kb_name_from(ctx);
  if (!name.ok()) return usage_error(ctx, name.status().message());
  kb::ImportOptions opt;
  opt.kb = *name;
  opt.exclude = ctx.args.get_all("exclude");
  opt.prune = ctx.args.has("prune");
  auto target = ctx.config.get_int("kb.chunk_size");
  auto overlap = ctx.config.get_int("kb.chunk_overlap");
  if (!target.ok()) return runtime_error(ctx, target.status());
  if (!overlap.ok()) return runtime_error(ctx, overlap.status());
  if (*target) opt.chunking.target = static_cast<int>(std::clamp<int64_t>(**target, 50, 100000));
  auto pdf_timeout = ctx.config.get_double("kb.pdf_timeout");
  if (!pdf_timeout.ok()) return runtime_error(ctx, pdf_timeout.status());
  if (*pdf_timeout) opt.limits.pdf_time_limit_s = std::clamp(**pdf_timeout, 0.1, 3600.0);
  if (*overlap) opt.chunking.overlap = static_cast<int>(std::clamp<int64_t>(**overlap, 0, opt.chunking.target / 2));

  auto kbr = open_knowledge_base(ctx);
  if (!kbr.ok()) return runtime_error(ctx, kbr.status());
  kb::KnowledgeBase& store = **kbr;

  g_interrupted.store(false);
  SigintGuard guard;
  opt.cancel = &g_interrupted;
  bool show_progress = ctx.stderr_tty && !ctx.quiet;
  if (show_progress) opt.progress = draw_progress;

  auto result = store.import(ctx.args.positional, opt);
  if (!result.ok()) {
    if (show_progress) std::fputs("\r\033[K", stderr);
    return runtime_error(ctx, result.status());
  }
  const kb::ImportReport& r = *result;
  if (r.missing_paths == static_cast<int64_t>(ctx.args.positional.size())) {
    // Nothing could be done: every PATH was missing. Name them.
    for (const kb::FileReport& f : r.files) {
      if (f.outcome == kb::ImportOutcome::kFailed) {
        std::fprintf(stderr, "%s\n", ui::sanitize("lantern: import: " + f.path + ": " + f.reason, {false, false}).c_str());
      }
    }
    return kExitFailure;
  }

  std::vector<const kb::FileReport*> failed, skipped, pruned;
  for (const kb::FileReport& f : r.files) {
    if (f.outcome == kb::ImportOutcome::kFailed) failed.push_back(&f);
    if (f.outcome == kb::ImportOutcome::kSkipped) skipped.push_back(&f);
    if (f.outcome == kb::ImportOutcome::kPruned) pruned.push_back(&f);
  }
  size_t cap = ctx.verbose ? SIZE_MAX : 20;
  if (!ctx.quiet) {
    print_list("failed", failed, SIZE_MAX);
    print_list("skipped", skipped, cap);
    print_list("pruned", pruned, cap);
    double rate = r.seconds > 0 ? static_cast<double>(r.bytes) / r.seconds : 0;
    std::printf("%s: %lld added, %lld updated, %lld unchanged, %lld skipped, %lld failed",
                ui::sanitize("knowledge base '" + opt.kb + "'", {false, false}).c_str(),
                static_cast<long long>(r.added), static_cast<long long>(r.updated),
                static_cast<long long>(r.unchanged), static_cast<long long>(r.skipped),
                static_cast<long long>(r.failed));
    if (opt.prune) std::printf(", %lld pruned", static_cast<long long>(r.pruned));
    std::printf(" (%lld chunks, %s in %.1f s, %s/s)\n", static_cast<long long>(r.chunks), human_bytes(r.bytes).c_str(),
                r.seconds, human_bytes(static_cast<int64_t>(rate)).c_str());
  } else {
    for (const kb::FileReport* f : failed) {
      std::fprintf(stderr, "%s\n", ui::sanitize("lantern: import: " + f->path + ": " + f->reason, {false, false}).c_str());
    }
  }
  if (r.cancelled) {
    std::fprintf(stderr, "lantern: import: interrupted; %lld files not imported (run the same command again to finish)\n",
                 static_cast<long long>(r.files_left));
    return 130;
  }
  return kExitOk;
}

}  // namespace

extern const CommandSpec kCmdImport = {
    "import",
    "import files and folders into a knowledge base",
    "import PATH... [--kb NAME] [--exclude GLOB] [--prune]",
    "Imports files and folders (recursively; hidden files and folders are skipped) into a knowledge\n"
    "base: .txt, .md, .html, .pdf, .docx, .csv, .json, source code and other text found by content.\n"
    "Unchanged files (same content hash) are left alone, changed ones replaced. Each document is\n"
    "written in one transaction: Ctrl-C stops after the current one and a re-run finishes the job.\n"
    "Exit status 0 when the import ran (failed files are listed), 1 when nothing could be done,\n"
    "130 when interrupted.",
    {
        {"kb", 0, "NAME", "knowledge base to import into (default: default)"},
        {"exclude", 0, "GLOB", "skip files and folders matching GLOB (repeatable)", true},
        {"prune", 0, "", "forget documents under the given paths whose files are gone"},
    },
    run_import,
};

}  // namespace lantern::app
