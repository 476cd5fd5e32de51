// Turns the raw bytes read from the terminal into keys: the special keys the TUI handles itself
// (PgUp, F1, Shift-Tab, Esc, Ctrl-C, bracketed paste, ...) and everything else as the raw bytes
// to hand to readline (letters, UTF-8 characters, Ctrl and Alt combinations readline knows).
//
// The one thing to know: a lone ESC is ambiguous (the Esc key, or the start of a sequence still
// arriving). next() keeps it pending until more bytes come or the caller says the short wait is
// over (flush_escape), so Esc works and arrow keys are never split.
#pragma once

#include <string>

namespace lantern::ui {

enum class KeyCode {
  kBytes,     // pass `bytes` to readline
  kEnter,
  kAltEnter,
  kTab,
  kShiftTab,
  kEsc,
  kCtrlC,
  kCtrlL,
  kCtrlD,
  kPageUp,
  kPageDown,
  kHome,
  kEnd,
  kUp,
  kDown,
  kLeft,
  kRight,
  kBackspace,
  kF1,
  kF2,
  kF5,
  kPaste,     // bracketed paste: `bytes` is the pasted text
  kIgnored,   // an unknown sequence, swallowed whole
};

struct Key {
  KeyCode code = KeyCode::kBytes;
  std::string bytes;  // the raw bytes (or the pasted text)
};

class KeyDecoder {
 public:
  void feed(std::string_view bytes) { buf_.append(bytes); }
  // Next complete key; false when none is complete yet.
  bool next(Key& key);
  // True when a lone ESC (or an unfinished sequence) waits for more bytes.
  bool pending() const { return !buf_.empty(); }
  // Called after the short wait: a pending lone ESC becomes the Esc key (or its bytes pass).
  bool flush_escape(Key& key);

 private:
  std::string buf_;
  bool in_paste_ = false;
  std::string paste_;
};

}  // namespace lantern::ui
