// Conversation pane; see conversation.h for the scroll and caching invariants.
#include "conversation.h"

#include <algorithm>
#include <cstdio>

#include "markdown.h"

namespace lantern::ui {
namespace {

std::string word_count(const std::string& s) {
  size_t words = 0;
  bool in = false;
  for (char c : s) {
    bool sp = c == ' ' || c == '\n' || c == '\t';
    if (!sp && !in) ++words;
    in = !sp;
  }
  return std::to_string(words) + (words == 1 ? " word" : " words");
}

}  // namespace

void Conversation::add(const MessageView& message) {
  Item item;
  item.view = message;
  item.view.text = sanitize(message.text);
  item.view.reasoning = sanitize(message.reasoning);
  item.view.model = sanitize(message.model, {.keep_newlines = false, .keep_tabs = false});
  messages_.push_back(std::move(item));
  touched();
}

void Conversation::add_notice(const std::string& text) {
  MessageView m;
  m.role = Role::kNotice;
  m.text = text;
  add(m);
}

void Conversation::begin_answer(const std::string& model) {
  Item item;
  item.view.role = Role::kAssistant;
  item.view.model = sanitize(model, {.keep_newlines = false, .keep_tabs = false});
  item.streaming = true;
  messages_.push_back(std::move(item));
  live_ = messages_.size() - 1;
  streaming_ = true;
  selected_ = -1;
  touched();
}

void Conversation::append_answer(std::string_view piece) {
  if (!streaming_ || live_ >= messages_.size()) return;
  Item& it = messages_[live_];
  it.view.text += it.answer_sink.push(piece);
  it.cached_width = -1;
  touched();
}

void Conversation::append_reasoning(std::string_view piece) {
  if (!streaming_ || live_ >= messages_.size()) return;
  Item& it = messages_[live_];
  it.view.reasoning += it.reasoning_sink.push(piece);
  it.cached_width = -1;
  touched();
}

void Conversation::set_sources(const std::vector<SourceView>& sources) {
  if (streaming_ && live_ < messages_.size()) {
    messages_[live_].view.sources = sources;
    messages_[live_].cached_width = -1;
    return;
  }
  for (auto it = messages_.rbegin(); it != messages_.rend(); ++it) {
    if (it->view.role == Role::kAssistant) {
      it->view.sources = sources;
      it->cached_width = -1;
      return;
    }
  }
}

void Conversation::finish_answer(const TurnStats& stats, bool cancelled, int64_t id) {
  if (!streaming_ || live_ >= messages_.size()) return;
  Item& it = messages_[live_];
  it.view.text += it.answer_sink.finish();
  it.view.reasoning += it.reasoning_sink.finish();
  it.view.stats = stats;
  it.view.id = id;
  it.streaming = false;
  it.cancelled = cancelled;
  it.cached_width = -1;
  streaming_ = false;
  touched();
}

void Conversation::fail_answer(const std::string& error) {
  if (!streaming_ || live_ >= messages_.size()) {
    MessageView m;
    m.role = Role::kNotice;
    m.text = "error: " + error;
    add(m);
    return;
  }
  Item& it = messages_[live_];
  it.view.text += it.answer_sink.finish();
  it.streaming = false;
  it.failed = true;
  it.error = sanitize(error, {.keep_newlines = false, .keep_tabs = false});
  it.cached_width = -1;
  streaming_ = false;
  touched();
}

void Conversation::drop_last_answer() {
  if (streaming_) return;
  for (size_t i = messages_.size(); i-- > 0;) {
    if (messages_[i].view.role == Role::kAssistant) {
      messages_.erase(messages_.begin() + static_cast<long>(i));
      break;
    }
    if (messages_[i].view.role == Role::kUser) break;
  }
  selected_ = -1;
}

void Conversation::clear() {
  messages_.clear();
  streaming_ = false;
  live_ = static_cast<size_t>(-1);
  scroll_ = 0;
  new_below_ = false;
  selected_ = -1;
}

void Conversation::touched() {
  if (scroll_ > 0) new_below_ = true;
}

int Conversation::selected_index() const {
  if (selected_ >= 0 && selected_ < static_cast<int>(messages_.size())) return selected_;
  for (size_t i = messages_.size(); i-- > 0;) {
    if (messages_[i].view.role == Role::kAssistant) return static_cast<int>(i);
  }
  return -1;
}

const std::vector<SourceView>* Conversation::selected_sources() const {
  int i = selected_index();
  return i < 0 ? nullptr : &messages_[static_cast<size_t>(i)].view.sources;
}

void Conversation::select_prev_answer() {
  int cur = selected_index();
  for (int i = cur - 1; i >= 0; --i) {
    if (messages_[static_cast<size_t>(i)].view.role == Role::kAssistant) {
      selected_ = i;
      invalidate();
      return;
    }
  }
}

void Conversation::select_next_answer() {
  int cur = selected_index();
  for (int i = cur + 1; i < static_cast<int>(messages_.size()); ++i) {
    if (messages_[static_cast<size_t>(i)].view.role == Role::kAssistant) {
      selected_ = i;
      invalidate();
      return;
    }
  }
}

const std::vector<Line>& Conversation::item_lines(size_t index, int width) {
  Item& it = messages_[index];
  bool selected = static_cast<int>(index) == selected_;
  if (it.cached_width == width && it.cached_expand == expand_reasoning_ && it.cached_selected == selected) {
    return it.cached;
  }
  std::vector<Line> out;
  const MessageView& m = it.view;
  if (m.role == Role::kNotice) {
    for (Line& l : render_plain("· " + m.text, width, Style::kNotice, 0)) out.push_back(std::move(l));
  } else if (m.role == Role::kUser) {
    Line label;
    label.glyphs = to_glyphs(selected ? "▶ You" : "You", Style::kUserLabel);
    out.push_back(std::move(label));
    for (Line& l : render_plain(m.text, width, Style::kNormal, 2)) out.push_back(std::move(l));
  } else {
    std::string head = m.model.empty() ? "lantern (extractive)" : m.model;
    Line label;
    label.glyphs = to_glyphs(selected ? "▶ " + head : head, Style::kBotLabel);
    if (!it.streaming && (m.stats.decode_tps > 0 || m.stats.seconds > 0)) {
      char buf[96];
      if (m.stats.decode_tps > 0) {
        std::snprintf(buf, sizeof buf, "  %.1f tok/s · %.1f s", m.stats.decode_tps, m.stats.seconds);
      } else {
        std::snprintf(buf, sizeof buf, "  %.2f s", m.stats.seconds);
      }
      append_glyphs(label.glyphs, buf, Style::kDim);
    }
    if (!m.sources.empty()) {
      append_glyphs(label.glyphs, "  " + std::to_string(m.sources.size()) + (m.sources.size() == 1 ? " source" : " sources"),
                    Style::kDim);
    }
    out.push_back(std::move(label));
    ThinkSplit split = split_think(m.text);
    std::string reasoning = m.reasoning;
    if (!split.reasoning.empty()) reasoning += (reasoning.empty() ? "" : "\n") + split.reasoning;
    bool thinking = split.thinking || (it.streaming && split.answer.empty() && !reasoning.empty());
    if (!reasoning.empty() || split.thinking) {
      if (expand_reasoning_) {
        Line h;
        h.indent = 2;
        h.glyphs = to_glyphs("▾ reasoning (F2 folds)", Style::kDim);
        out.push_back(std::move(h));
        for (Line& l : render_plain(reasoning, width, Style::kDim, 4)) out.push_back(std::move(l));
      } else {
        Line h;
        h.indent = 2;
        std::string what = thinking ? "▸ thinking… " : "▸ reasoning ";
        h.glyphs = fit(to_glyphs(what + "(" + word_count(reasoning) + ", F2 expands)", Style::kDim), width - 2);
        out.push_back(std::move(h));
      }
    }
    for (Line& l : render_markdown(split.answer, width, 2)) out.push_back(std::move(l));
    if (it.streaming && split.answer.empty() && reasoning.empty()) {
      Line l;
      l.indent = 2;
      l.glyphs = to_glyphs("…", Style::kDim);
      out.push_back(std::move(l));
    }
    if (it.cancelled) {
      Line l;
      l.indent = 2;
      l.glyphs = to_glyphs("[stopped]", Style::kWarn);
      out.push_back(std::move(l));
    }
    if (it.failed) {
      for (Line& l : render_plain("error: " + it.error, width, Style::kError, 2)) out.push_back(std::move(l));
    }
  }
  out.push_back(Line{});  // blank line between messages
  it.cached = std::move(out);
  it.cached_width = width;
  it.cached_expand = expand_reasoning_;
  it.cached_selected = selected;
  return it.cached;
}

std::vector<Line> Conversation::lines(int width) {
  std::vector<Line> all;
  for (size_t i = 0; i < messages_.size(); ++i) {
    const auto& ls = item_lines(i, width);
    all.insert(all.end(), ls.begin(), ls.end());
  }
  return all;
}

void Conversation::scroll_by(int lines, int page_height) {
  scroll_ = std::max(0, scroll_ + lines);
  if (scroll_ == 0) new_below_ = false;
  (void)page_height;
}

void Conversation::draw(CellGrid& grid, const Rect& r) {
  if (r.w <= 0 || r.h <= 0) return;
  int width = r.w - 1;  // one column of margin on the right keeps text off the border
  if (width < 4) width = r.w;
  // Only the lines that can be visible are needed, but rendering is cached per message, so
  // building the full list is cheap (pointers into caches would save copying; not needed yet).
  std::vector<const Line*> view;
  for (size_t i = 0; i < messages_.size(); ++i) {
    for (const Line& l : item_lines(i, width)) view.push_back(&l);
  }
  int total = static_cast<int>(view.size());
  // Scrolled up: keep the same lines in view while output grows below them.
  if (scroll_ > 0 && width == last_width_ && total > last_total_) scroll_ += total - last_total_;
  last_width_ = width;
  int max_scroll = std::max(0, total - r.h);
  if (scroll_ > max_scroll) scroll_ = max_scroll;
  if (scroll_ == 0) new_below_ = false;
  int first = std::max(0, total - r.h - scroll_);
  for (int row = 0; row < r.h; ++row) {
    int idx = first + row;
    if (idx >= total) break;
    grid.line(r.x, r.y + row, *view[static_cast<size_t>(idx)], width);
  }
  if (new_below_ && scroll_ > 0) {
    std::string marker = " ↓ new output below (End) ";
    int w = display_width(marker);
    grid.text(r.x + std::max(0, (r.w - w) / 2), r.y + r.h - 1, marker, Style::kStatusKey, r.w);
  } else if (scroll_ > 0) {
    std::string marker = " ↑" + std::to_string(scroll_) + " ";
    int w = display_width(marker);
    grid.text(r.x + std::max(0, r.w - w - 1), r.y + r.h - 1, marker, Style::kDim, r.w);
  }
  last_total_ = total;
}

}  // namespace lantern::ui
