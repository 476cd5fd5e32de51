// Entry points of the chat front-ends: the full-screen TUI and the line-oriented REPL.
//
// The one thing to know: both take over the process's terminal/stdio until the user quits and
// drive the backend only through lantern/ui/backend.h. The TUI needs stdin and stdout to be a
// terminal; the plain REPL works on any stdin/stdout (pipes included).
#pragma once

#include <string>

#include "lantern/ui/backend.h"

namespace lantern::ui {

struct ChatUiOptions {
  std::string history_path;  // readline history file (empty: not persisted)
  bool color = true;         // false: monochrome (NO_COLOR or --no-color)
};

// Runs the TUI; returns the process exit status (0 after /quit).
int run_tui(Backend& backend, const ChatUiOptions& options);
// Runs the plain REPL on stdin/stdout; returns the exit status.
int run_plain(Backend& backend, const ChatUiOptions& options);

}  // namespace lantern::ui
