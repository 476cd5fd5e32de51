// The sources pane, the chunk viewer and the stats pane: pure functions from view structs to
// styled lines, so each can be tested headless.
//
// The one thing to know: every string from a view struct is untrusted and goes through sanitize()
// here, at render time.
#pragma once

#include <string>
#include <vector>

#include "cell_grid.h"
#include "lantern/ui/views.h"

namespace lantern::ui {

// `text` with each occurrence of any of `terms` (ASCII case-insensitive) in Style::kHighlight.
GlyphRun highlight_terms(std::string_view text, const std::vector<std::string>& terms, Style base);

// Lines of the sources list; `selected` (index, -1 none) is drawn in kSelected. `first_line_of`
// receives, per source, the index of its first line (for scrolling to the selection).
std::vector<Line> render_sources(const std::vector<SourceView>& sources, int width, int selected,
                                 std::vector<int>* first_line_of = nullptr);
// The full chunk with its surrounding text, for the viewer overlay. `passage_line` receives the
// index of the first line of the chunk itself (the viewer opens scrolled near it).
std::vector<Line> render_source_viewer(const SourceView& source, int width, int* passage_line = nullptr);
// The stats pane.
std::vector<Line> render_stats(const StatsView& stats, int width);

std::string format_bytes(uint64_t bytes);

}  // namespace lantern::ui
