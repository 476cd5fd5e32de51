// Key decoding; see key_decoder.h. Knows the xterm/VT sequences tmux, xterm, VTE and the Linux
// console send for the keys the TUI uses.
#include "key_decoder.h"

namespace lantern::ui {
namespace {

constexpr std::string_view kPasteStart = "\x1b[200~";
constexpr std::string_view kPasteEnd = "\x1b[201~";

// Length of the UTF-8 sequence starting with byte b (1 for anything unexpected).
size_t utf8_len(unsigned char b) {
  if ((b & 0xE0) == 0xC0) return 2;
  if ((b & 0xF0) == 0xE0) return 3;
  if ((b & 0xF8) == 0xF0) return 4;
  return 1;
}

KeyCode csi_key(std::string_view params, char final) {
  switch (final) {
    case 'A': return KeyCode::kUp;
    case 'B': return KeyCode::kDown;
    case 'C': return KeyCode::kRight;
    case 'D': return KeyCode::kLeft;
    case 'H': return KeyCode::kHome;
    case 'F': return KeyCode::kEnd;
    case 'Z': return KeyCode::kShiftTab;
    case 'P': return KeyCode::kF1;  // CSI 1;mod P
    case '~':
      if (params == "5") return KeyCode::kPageUp;
      if (params == "6") return KeyCode::kPageDown;
      if (params == "1" || params == "7") return KeyCode::kHome;
      if (params == "4" || params == "8") return KeyCode::kEnd;
      if (params == "11") return KeyCode::kF1;
      if (params == "12") return KeyCode::kF2;
      if (params == "15") return KeyCode::kF5;
      if (params == "3") return KeyCode::kBytes;  // Delete: readline knows it
      return KeyCode::kIgnored;
    default: return KeyCode::kIgnored;
  }
}

}  // namespace

bool KeyDecoder::next(Key& key) {
  if (in_paste_) {
    size_t end = buf_.find(kPasteEnd);
    if (end == std::string::npos) {
      // Keep a possible partial end marker in the buffer; move the rest to the paste.
      size_t keep = buf_.size() < kPasteEnd.size() ? buf_.size() : kPasteEnd.size() - 1;
      paste_.append(buf_, 0, buf_.size() - keep);
      buf_.erase(0, buf_.size() - keep);
      return false;
    }
    paste_.append(buf_, 0, end);
    buf_.erase(0, end + kPasteEnd.size());
    in_paste_ = false;
    key = Key{KeyCode::kPaste, std::move(paste_)};
    paste_.clear();
    return true;
  }
  if (buf_.empty()) return false;
  auto b = static_cast<unsigned char>(buf_[0]);
  auto take = [&](size_t n, KeyCode code) {
    key = Key{code, buf_.substr(0, n)};
    buf_.erase(0, n);
    return true;
  };
  if (b == 0x1b) {
    if (buf_.size() == 1) return false;  // wait: Esc key or a sequence
    char c1 = buf_[1];
    if (c1 == '[') {
      if (buf_.compare(0, kPasteStart.size(), kPasteStart) == 0) {
        buf_.erase(0, kPasteStart.size());
        in_paste_ = true;
        paste_.clear();
        return next(key);
      }
      // CSI: parameters 0x30-0x3F, intermediates 0x20-0x2F, final 0x40-0x7E.
      size_t i = 2;
      while (i < buf_.size() && buf_[i] >= 0x20 && buf_[i] <= 0x3F) ++i;
      if (i >= buf_.size()) return false;
      char final = buf_[i];
      if (final < 0x40 || final > 0x7E) return take(i, KeyCode::kIgnored);
      std::string params = buf_.substr(2, i - 2);
      // Modified keys ("1;5A"): keep the key, drop the modifier.
      if (auto semi = params.find(';'); semi != std::string::npos) params.resize(semi);
      KeyCode code = csi_key(params, final);
      return take(i + 1, code);
    }
    if (c1 == 'O') {
      if (buf_.size() < 3) return false;
      switch (buf_[2]) {
        case 'A': return take(3, KeyCode::kUp);
        case 'B': return take(3, KeyCode::kDown);
        case 'C': return take(3, KeyCode::kRight);
        case 'D': return take(3, KeyCode::kLeft);
        case 'H': return take(3, KeyCode::kHome);
        case 'F': return take(3, KeyCode::kEnd);
        case 'P': return take(3, KeyCode::kF1);
        case 'Q': return take(3, KeyCode::kF2);
        default: return take(3, KeyCode::kIgnored);
      }
    }
    if (c1 == '\r' || c1 == '\n') return take(2, KeyCode::kAltEnter);
    // ESC then another control key (Tab, Backspace, Ctrl-C, ESC): two keys pressed in a row, not
    // an Alt combination anyone means.
    // (Alt-Backspace stays a readline key: ESC DEL / ESC ^H kill the previous word.)
    if (c1 == 0x1b || (static_cast<unsigned char>(c1) < 0x20 && c1 != 0x08)) return take(1, KeyCode::kEsc);
    // Alt+key: readline has meaning for many (M-b, M-f, M-d, M-.).
    size_t n = 1 + utf8_len(static_cast<unsigned char>(c1));
    if (buf_.size() < n) return false;
    return take(n, KeyCode::kBytes);
  }
  switch (b) {
    case '\r':
    case '\n': return take(1, KeyCode::kEnter);
    case '\t': return take(1, KeyCode::kTab);
    case 0x03: return take(1, KeyCode::kCtrlC);
    case 0x0c: return take(1, KeyCode::kCtrlL);
    case 0x04: return take(1, KeyCode::kCtrlD);
    case 0x7f:
    case 0x08: return take(1, KeyCode::kBackspace);
    default: break;
  }
  size_t n = utf8_len(b);
  if (buf_.size() < n) return false;  // the rest of the character is still coming
  return take(n, KeyCode::kBytes);
}

bool KeyDecoder::flush_escape(Key& key) {
  if (buf_.empty() || in_paste_) return false;
  if (buf_ == "\x1b") {
    buf_.clear();
    key = Key{KeyCode::kEsc, "\x1b"};
    return true;
  }
  // An unfinished sequence that never completed: drop it rather than type garbage.
  key = Key{KeyCode::kIgnored, buf_};
  buf_.clear();
  return true;
}

}  // namespace lantern::ui
