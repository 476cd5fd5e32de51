// Drives the real lantern binary inside a detached tmux server for end-to-end TUI tests.
//
// The one thing to know: each session uses its own tmux socket (-L lantern-test-PID-N) and the
// destructor kills that server, so tests never share or leak a tmux server. Wait with
// wait_for(text) (polls capture-pane against a deadline) rather than fixed sleeps.
#pragma once

#include <string>
#include <vector>

namespace lantern::testing {

class TmuxSession {
 public:
  // Starts `command` (run by sh) in a width x height window.
  TmuxSession(const std::string& command, int width, int height);
  ~TmuxSession();
  TmuxSession(const TmuxSession&) = delete;
  TmuxSession& operator=(const TmuxSession&) = delete;

  bool started() const { return started_; }
  // Keys as tmux names them ("Enter", "C-c", "F1", "PageUp") or literal text with literal = true.
  void send_keys(const std::vector<std::string>& keys);
  void type(const std::string& text);  // literal text
  // Pastes `text` as a terminal paste (bracketed when the program asked for it).
  void paste(const std::string& text);
  std::string capture();               // the visible screen, one line per row
  std::string capture_with_attributes();  // the same with SGR escape sequences (capture-pane -e)
  // Polls until the screen contains `text`; returns false after `timeout_ms`.
  bool wait_for(const std::string& text, int timeout_ms = 8000);
  bool wait_gone(const std::string& text, int timeout_ms = 8000);
  // True once the program in the window has exited (the tmux server goes away with it).
  bool wait_exit(int timeout_ms = 8000);
  void resize(int width, int height);
  // Process id of the program in the pane (start it with `exec` so it is not a shell's child).
  int pane_pid();

 private:
  std::vector<std::string> base() const;
  std::string socket_;
  bool started_ = false;
};

}  // namespace lantern::testing
