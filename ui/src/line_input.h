// The input line: GNU readline's callback interface driven from the TUI's own key loop.
//
// The one thing to know: readline is a process-wide singleton, so this is too. Readline never
// touches the terminal here: bytes are fed to it through rl_getc_function, its redisplay only
// marks the line dirty (the TUI draws rl_line_buffer itself), and its output stream is /dev/null.
// Completed lines are queued and taken with take_line(). Emacs keys, history (persisted to a file),
// Ctrl-R search, multi-byte (CJK) editing and Tab completion all come from readline itself.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace lantern::ui {

class LineInput {
 public:
  // Starts readline in callback mode; history is read from (and appended to) `history_path`.
  static void start(const std::string& history_path);
  static void stop();

  static void feed(const std::string& bytes);   // key bytes
  static void insert(const std::string& text);  // literal text (paste, Alt-Enter newline)
  static void set_text(const std::string& text);

  static bool take_line(std::string& line);     // a line the user entered, if any
  static bool eof();                            // Ctrl-D on an empty line was pressed

  static std::string text();     // the buffer as typed
  static size_t point();         // cursor, a byte offset into text()
  static std::string prompt();   // current prompt (changes during Ctrl-R search)
  static bool searching();       // Ctrl-R incremental search is active
  static bool consume_dirty();   // true once after readline changed what it shows

  // Completion candidates shown last (readline would have printed them); empty when none.
  static std::string take_completion_note();
};

}  // namespace lantern::ui
