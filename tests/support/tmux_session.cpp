// tmux driver for TUI tests; see tmux_session.h.
#include "tmux_session.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "test_support.h"

namespace lantern::testing {
namespace {

std::atomic<int> g_counter{0};
const char* kTmux = "/usr/bin/tmux";

}  // namespace

std::vector<std::string> TmuxSession::base() const { return {"-L", socket_, "-f", "/dev/null"}; }

TmuxSession::TmuxSession(const std::string& command, int width, int height) {
  socket_ = "lantern-test-" + std::to_string(getpid()) + "-" + std::to_string(g_counter++);
  std::vector<std::string> args = base();
  for (const char* a : {"new-session", "-d", "-x"}) args.push_back(a);
  args.push_back(std::to_string(width));
  args.push_back("-y");
  args.push_back(std::to_string(height));
  args.push_back(command);
  RunResult r = run_program(kTmux, args, {{"TERM", "xterm-256color"}}, "", 20);
  started_ = r.exit_code == 0;
  if (started_) {
    // Keep the pane around after the program exits only long enough to notice the exit.
    run_program(kTmux, {"-L", socket_, "set-option", "-g", "remain-on-exit", "off"}, {}, "", 10);
  }
}

TmuxSession::~TmuxSession() { run_program(kTmux, {"-L", socket_, "kill-server"}, {}, "", 10); }

void TmuxSession::send_keys(const std::vector<std::string>& keys) {
  std::vector<std::string> args = {"-L", socket_, "send-keys", "-t", "0"};
  args.insert(args.end(), keys.begin(), keys.end());
  run_program(kTmux, args, {}, "", 10);
}

void TmuxSession::type(const std::string& text) {
  run_program(kTmux, {"-L", socket_, "send-keys", "-t", "0", "-l", text}, {}, "", 10);
}

void TmuxSession::paste(const std::string& text) {
  run_program(kTmux, {"-L", socket_, "set-buffer", "-b", "lt", "--", text}, {}, "", 10);
  run_program(kTmux, {"-L", socket_, "paste-buffer", "-p", "-d", "-b", "lt", "-t", "0"}, {}, "", 10);
}

std::string TmuxSession::capture() {
  return run_program(kTmux, {"-L", socket_, "capture-pane", "-p", "-t", "0"}, {}, "", 10).out;
}

std::string TmuxSession::capture_with_attributes() {
  return run_program(kTmux, {"-L", socket_, "capture-pane", "-p", "-e", "-t", "0"}, {}, "", 10).out;
}

bool TmuxSession::wait_for(const std::string& text, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (capture().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

bool TmuxSession::wait_gone(const std::string& text, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (capture().find(text) == std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

bool TmuxSession::wait_exit(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    RunResult r = run_program(kTmux, {"-L", socket_, "has-session"}, {}, "", 10);
    if (r.exit_code != 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int TmuxSession::pane_pid() {
  RunResult r = run_program(kTmux, {"-L", socket_, "display-message", "-p", "-t", "0", "#{pane_pid}"}, {}, "", 10);
  return std::atoi(r.out.c_str());
}

void TmuxSession::resize(int width, int height) {
  run_program(kTmux, {"-L", socket_, "resize-window", "-t", "0", "-x", std::to_string(width), "-y", std::to_string(height)},
              {}, "", 10);
}

}  // namespace lantern::testing
