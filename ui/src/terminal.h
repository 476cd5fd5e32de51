// The ncurses side: start/stop full-screen mode, map Styles to colours, and copy a CellGrid to the
// screen, touching only the cells that changed since the last frame.
//
// The one thing to know: ncurses is used for output only. Keys are read from fd 0 by the TUI's
// own loop (see key_decoder.h), so keypad mode stays off and ncurses' getch is never called.
#pragma once

#include <memory>

#include "cell_grid.h"

namespace lantern::ui {

class Terminal {
 public:
  // Enters full-screen mode. `color` false forces monochrome (attributes only).
  static bool start(bool color);
  static void stop();
  static void size(int& width, int& height);
  // Re-reads the window size after SIGWINCH and resizes ncurses' idea of it.
  static void resize();
  // Draws the grid and places the cursor at (cx, cy) (hidden when cx < 0).
  static void present(const CellGrid& grid, int cx, int cy);
  // Forces a full repaint on the next present (Ctrl-L, resize).
  static void invalidate();
};

}  // namespace lantern::ui
