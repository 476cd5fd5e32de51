// tui_echo_bench: how long a keystroke takes to appear on the TUI's screen, idle and while a model
// generates on every core. Drives build/lantern in a detached tmux (its own socket), types one
// character at a time with send-keys and polls capture-pane until the input line shows it.
//
// The one thing to know: the figure includes tmux's own latency (send-keys and capture-pane are
// separate processes, a few ms each), so it is an upper bound on lantern's echo time.
//
// A baseline run against `cat` measures tmux's share; lantern's own echo time is about the
// difference.
//
// Usage: tui_echo_bench [--lantern PATH] [-m MODEL] [--keys N]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

std::string g_socket;

std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

std::string tmux(const std::string& args) { return run("tmux -L " + g_socket + " -f /dev/null " + args + " 2>/dev/null"); }

bool wait_for_screen(const std::string& text, double seconds) {
  auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < deadline) {
    if (tmux("capture-pane -p -t 0").find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

struct Figures {
  double p50 = 0, p95 = 0, max = 0;
};

Figures measure(int keys) {
  std::vector<double> ms;
  std::string typed;
  for (int i = 0; i < keys; ++i) {
    char c = static_cast<char>('a' + i % 26);
    typed += c;
    auto t0 = Clock::now();
    tmux(std::string("send-keys -t 0 -l ") + c);
    while (tmux("capture-pane -p -t 0").find(typed) == std::string::npos) {
      if (Clock::now() - t0 > std::chrono::seconds(5)) break;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  tmux("send-keys -t 0 C-u");
  std::sort(ms.begin(), ms.end());
  Figures f;
  if (ms.empty()) return f;
  f.p50 = ms[ms.size() / 2];
  f.p95 = ms[std::min(ms.size() - 1, ms.size() * 95 / 100)];
  f.max = ms.back();
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  std::string lantern = "build/lantern", model;
  int keys = 40;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--lantern" && i + 1 < argc) lantern = argv[++i];
    else if ((a == "-m" || a == "--model") && i + 1 < argc) model = argv[++i];
    else if (a == "--keys" && i + 1 < argc) keys = std::atoi(argv[++i]);
    else {
      std::fprintf(stderr, "usage: tui_echo_bench [--lantern PATH] [-m MODEL] [--keys N]\n");
      return 2;
    }
  }
  // Baseline: the same round trip to `cat` on a terminal (the kernel echoes): tmux's own share.
  g_socket = "lantern-echo-base-" + std::to_string(getpid());
  tmux("new-session -d -x 100 -y 30 cat");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Figures base = measure(keys);
  tmux("kill-server");
  std::printf("tmux + cat:  p50 %.1f ms  p95 %.1f ms  max %.1f ms  (%d keys, baseline)\n", base.p50, base.p95, base.max,
              keys);

  char tmpl[] = "/tmp/lantern-echo-XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  std::string home = tmpl;
  g_socket = "lantern-echo-" + std::to_string(getpid());
  std::string cmd = "LANG=C.UTF-8 " + sh_quote(lantern) + " --home " + sh_quote(home) + " chat";
  if (!model.empty()) cmd += " -m " + sh_quote(model);
  tmux("new-session -d -x 100 -y 30 " + sh_quote(cmd));
  if (!wait_for_screen("Welcome to lantern", 60)) {
    std::fprintf(stderr, "lantern did not start\n");
    tmux("kill-server");
    return 1;
  }
  Figures idle = measure(keys);
  std::printf("idle:        p50 %.1f ms  p95 %.1f ms  max %.1f ms  (%d keys)\n", idle.p50, idle.p95, idle.max, keys);
  if (!model.empty()) {
    tmux("send-keys -t 0 -l '/set max_tokens=100000 temp=1'");
    tmux("send-keys -t 0 Enter");
    tmux("send-keys -t 0 -l 'Write a very long story about lighthouses.'");
    tmux("send-keys -t 0 Enter");
    if (!wait_for_screen("GENERATING", 30)) std::fprintf(stderr, "generation did not start\n");
    std::this_thread::sleep_for(std::chrono::seconds(2));
    Figures busy = measure(keys);
    std::printf("generating:  p50 %.1f ms  p95 %.1f ms  max %.1f ms  (%d keys)\n", busy.p50, busy.p95, busy.max, keys);
    tmux("send-keys -t 0 C-c");
  }
  tmux("kill-server");
  run("rm -rf " + sh_quote(home));
  return 0;
}
