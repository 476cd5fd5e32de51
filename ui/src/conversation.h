// The conversation pane: the dialogue as styled lines, with streaming, reasoning folding and
// scrollback.
//
// Invariants: every text stored here is already sanitized (pieces go through a StreamSanitizer per
// message). `scroll_` counts lines above the bottom: 0 follows new output; when > 0, output that
// arrives sets `new_below_` until the view is back at the bottom. Rendered lines are cached per
// message and rebuilt only when the message or the width changes.
#pragma once

#include <string>
#include <vector>

#include "cell_grid.h"
#include "lantern/ui/sanitize.h"
#include "lantern/ui/views.h"

namespace lantern::ui {

class Conversation {
 public:
  // Adds a finished message (resumed sessions, notices). Text is sanitized here.
  void add(const MessageView& message);
  void add_notice(const std::string& text);
  // Starts a streaming assistant message; pieces follow.
  void begin_answer(const std::string& model);
  void append_answer(std::string_view piece);
  void append_reasoning(std::string_view piece);
  void set_sources(const std::vector<SourceView>& sources);  // of the streaming/last answer
  void finish_answer(const TurnStats& stats, bool cancelled, int64_t id);
  void fail_answer(const std::string& error);
  // Removes the last assistant message (regenerate).
  void drop_last_answer();
  void clear();

  bool streaming() const { return streaming_; }
  bool empty() const { return messages_.empty(); }

  // Sources of the selected answer (the last one unless the user moved the selection).
  const std::vector<SourceView>* selected_sources() const;
  void select_prev_answer();
  void select_next_answer();

  // Reasoning blocks: folded to one dim line unless expanded (one switch for all).
  void toggle_reasoning() { expand_reasoning_ = !expand_reasoning_; invalidate(); }

  void scroll_by(int lines, int page_height);  // + = up (older)
  void scroll_home() { scroll_ = 1 << 30; }
  void scroll_end() { scroll_ = 0; new_below_ = false; }
  bool new_below() const { return new_below_; }

  void draw(CellGrid& grid, const Rect& r);
  // All lines at `width` (for tests and the plain export).
  std::vector<Line> lines(int width);

 private:
  struct Item {
    MessageView view;             // sanitized text
    StreamSanitizer answer_sink;  // for streamed pieces
    StreamSanitizer reasoning_sink;
    bool streaming = false;
    bool failed = false;
    bool cancelled = false;
    std::string error;
    int cached_width = -1;
    bool cached_expand = false;
    bool cached_selected = false;
    std::vector<Line> cached;
  };
  void invalidate() { for (Item& i : messages_) i.cached_width = -1; }
  void touched();  // new output arrived
  const std::vector<Line>& item_lines(size_t index, int width);
  int selected_index() const;

  std::vector<Item> messages_;
  bool streaming_ = false;
  size_t live_ = static_cast<size_t>(-1);  // index of the streaming answer
  bool expand_reasoning_ = false;
  int scroll_ = 0;
  int last_total_ = 0;   // lines at the last draw, to hold a scrolled-up view still
  int last_width_ = -1;
  bool new_below_ = false;
  int selected_ = -1;  // index into messages_ of the selected answer; -1 = last
};

}  // namespace lantern::ui
