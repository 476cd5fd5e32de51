// ncurses output; see terminal.h. Colours come from the terminal's own palette (the 8 standard
// colours on the default background), so themes keep working; without colour support or with
// NO_COLOR, each style falls back to attributes (bold, dim, reverse, underline).
#include "terminal.h"

#include <curses.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cwchar>
#include <optional>

namespace lantern::ui {
namespace {

bool g_color = false;
std::optional<CellGrid> g_prev;
constexpr int kStyles = static_cast<int>(Style::kWarn) + 1;

struct Look {
  short fg, bg;
  attr_t color_attr;  // attributes with colour
  attr_t mono_attr;   // attributes without
};

Look look(Style s) {
  switch (s) {
    case Style::kNormal: return {-1, -1, A_NORMAL, A_NORMAL};
    case Style::kDim: return {-1, -1, A_DIM, A_DIM};
    case Style::kBold: return {-1, -1, A_BOLD, A_BOLD};
    case Style::kHeading: return {COLOR_YELLOW, -1, A_BOLD, A_BOLD | A_UNDERLINE};
    case Style::kCode: return {COLOR_GREEN, -1, A_NORMAL, A_DIM};
    case Style::kCitation: return {COLOR_CYAN, -1, A_BOLD, A_BOLD | A_UNDERLINE};
    case Style::kHighlight: return {COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_REVERSE};
    case Style::kUserLabel: return {COLOR_MAGENTA, -1, A_BOLD, A_BOLD};
    case Style::kBotLabel: return {COLOR_BLUE, -1, A_BOLD, A_BOLD};
    case Style::kNotice: return {COLOR_YELLOW, -1, A_DIM, A_DIM};
    case Style::kError: return {COLOR_RED, -1, A_BOLD, A_BOLD};
    case Style::kBorder: return {-1, -1, A_DIM, A_NORMAL};
    case Style::kTitle: return {COLOR_CYAN, -1, A_BOLD, A_BOLD};
    case Style::kSelected: return {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE};
    case Style::kStatus: return {COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_REVERSE};
    case Style::kStatusKey: return {COLOR_BLACK, COLOR_WHITE, A_BOLD, A_REVERSE | A_BOLD};
    case Style::kBarFill: return {COLOR_GREEN, -1, A_BOLD, A_BOLD};
    case Style::kWarn: return {COLOR_YELLOW, -1, A_BOLD, A_BOLD};
  }
  return {-1, -1, A_NORMAL, A_NORMAL};
}

std::wstring to_wide(const std::string& s) {
  std::wstring out;
  std::mbstate_t st{};
  const char* p = s.data();
  const char* end = s.data() + s.size();
  while (p < end) {
    wchar_t wc;
    size_t n = std::mbrtowc(&wc, p, static_cast<size_t>(end - p), &st);
    if (n == 0 || n == static_cast<size_t>(-1) || n == static_cast<size_t>(-2)) {
      out += L'?';
      st = std::mbstate_t{};
      ++p;
      continue;
    }
    out += wc;
    p += n;
  }
  return out;
}

bool same(const Cell& a, const Cell& b) { return a.width == b.width && a.style == b.style && a.text == b.text; }

}  // namespace

bool Terminal::start(bool color) {
  if (!initscr()) return false;
  raw();
  noecho();
  nonl();
  keypad(stdscr, FALSE);
  intrflush(stdscr, FALSE);
  scrollok(stdscr, FALSE);
  leaveok(stdscr, FALSE);
  g_color = color && has_colors();
  if (g_color) {
    start_color();
    use_default_colors();
    for (int i = 0; i < kStyles; ++i) {
      Look l = look(static_cast<Style>(i));
      init_pair(static_cast<short>(i + 1), l.fg, l.bg);
    }
  }
  // Bracketed paste: a pasted text arrives as one unit, newlines included.
  std::fputs("\x1b[?2004h", stdout);
  std::fflush(stdout);
  g_prev.reset();
  return true;
}

void Terminal::stop() {
  std::fputs("\x1b[?2004l", stdout);
  std::fflush(stdout);
  endwin();
  g_prev.reset();
}

void Terminal::size(int& width, int& height) {
  getmaxyx(stdscr, height, width);
}

void Terminal::resize() {
  struct winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
    resizeterm(ws.ws_row, ws.ws_col);
  }
  invalidate();
}

void Terminal::invalidate() {
  g_prev.reset();
  clearok(curscr, TRUE);
}

void Terminal::present(const CellGrid& grid, int cx, int cy) {
  bool full = !g_prev || g_prev->width() != grid.width() || g_prev->height() != grid.height();
  if (full) erase();
  for (int y = 0; y < grid.height(); ++y) {
    for (int x = 0; x < grid.width(); ++x) {
      const Cell& c = grid.at(x, y);
      if (c.width == 0) continue;
      if (!full && same(c, g_prev->at(x, y)) &&
          (c.width == 1 || x + 1 >= grid.width() || same(grid.at(x + 1, y), g_prev->at(x + 1, y)))) {
        continue;
      }
      Look l = look(c.style);
      attr_t attr = g_color ? l.color_attr : l.mono_attr;
      short pair = g_color ? static_cast<short>(static_cast<int>(c.style) + 1) : 0;
      std::wstring w = to_wide(c.text.empty() ? " " : c.text);
      if (w.size() > CCHARW_MAX) w.resize(CCHARW_MAX);
      cchar_t cc;
      setcchar(&cc, w.c_str(), attr, pair, nullptr);
      mvadd_wch(y, x, &cc);
    }
  }
  g_prev = grid;
  if (cx >= 0 && cy >= 0) {
    curs_set(1);
    move(cy, cx);
  } else {
    curs_set(0);
  }
  refresh();
}

}  // namespace lantern::ui
