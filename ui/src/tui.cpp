// The full-screen chat TUI: event loop, focus, layout, overlays and command handling.
//
// The one thing to know: everything here runs on one thread. Keys come from fd 0 (decoded by
// KeyDecoder, typing handed to readline), backend events arrive through post() into a locked queue
// plus a self-pipe that wakes poll(), and SIGWINCH also writes to that pipe. Each loop iteration
// handles all pending input and events, then draws one frame into a CellGrid and lets Terminal
// copy the changed cells. Nothing slow may run here: the backend does its work on its threads.
//
// Focus states: kInput (typing), kConversation (scroll, select an answer), kSources (select,
// open), kStats. Overlays (help, chunk viewer, pickers) sit above focus and take every key until
// closed. Ctrl-C: stops a running answer; otherwise clears the input; on an empty idle input it asks
// for confirmation, and a second Ctrl-C quits.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <clocale>
#include <cstring>
#include <deque>
#include <filesystem>
#include <langinfo.h>
#include <mutex>

#include "cell_grid.h"
#include "chat_commands.h"
#include "conversation.h"
#include "input_layout.h"
#include "key_decoder.h"
#include "lantern/ui/chat_ui.h"
#include "lantern/ui/sanitize.h"
#include "line_input.h"
#include "picker.h"
#include "side_panes.h"
#include "terminal.h"

namespace lantern::ui {
namespace {

using Clock = std::chrono::steady_clock;

int g_wake_write = -1;
std::atomic<bool> g_resized{false};
std::atomic<bool> g_terminate{false};

void on_sigwinch(int) {
  g_resized = true;
  if (g_wake_write >= 0) {
    char c = 'w';
    ssize_t r = write(g_wake_write, &c, 1);
    (void)r;
  }
}

void on_terminate(int) {
  g_terminate = true;
  if (g_wake_write >= 0) {
    char c = 't';
    ssize_t r = write(g_wake_write, &c, 1);
    (void)r;
  }
}

// Ensures a UTF-8 locale so readline edits CJK per character and ncurses draws wide glyphs.
void ensure_utf8_locale() {
  std::setlocale(LC_ALL, "");
  const char* cs = nl_langinfo(CODESET);
  if (cs && (std::strcmp(cs, "UTF-8") == 0 || std::strcmp(cs, "utf8") == 0)) return;
  if (!std::setlocale(LC_CTYPE, "C.UTF-8")) std::setlocale(LC_CTYPE, "en_US.UTF-8");
}

std::string one_line(const std::string& s) {
  return sanitize(s, {.keep_newlines = false, .keep_tabs = false});
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

enum class Focus { kInput, kConversation, kSources, kStats };
enum class Overlay { kNone, kHelp, kViewer, kPicker };

class Tui final : public EventSink, public CommandHost {
 public:
  Tui(Backend& backend, const ChatUiOptions& options) : backend_(backend), options_(options) {}

  int run();

  // EventSink: any thread.
  void post(Event event) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      events_.push_back(std::move(event));
    }
    if (wake_write_ >= 0) {
      char c = 'e';
      ssize_t r = write(wake_write_, &c, 1);
      (void)r;
    }
  }

  // CommandHost
  void say(const std::string& text) override { conv_.add_notice(text); conv_.scroll_end(); }
  void show_help() override { overlay_ = Overlay::kHelp; help_scroll_ = 0; }
  void show_sources() override {
    focus_ = Focus::kSources;
    if (sources_sel_ < 0) sources_sel_ = 0;
  }
  void pick_model(const std::vector<ModelEntry>& models) override;
  void pick_session(const std::vector<SessionEntry>& sessions) override;
  void browse(const std::string& start_dir) override;
  void show_session(const SessionView& session) override;
  void clear_screen() override { conv_.clear(); sources_sel_ = -1; }
  void regenerating() override {
    drain_events();  // the finished turn's last events belong to the answer being dropped
    conv_.drop_last_answer();
    conv_.begin_answer(info_.model);
    conv_.scroll_end();
  }
  void quit() override { quit_ = true; }

 private:
  void handle_key(const Key& key);
  void handle_overlay_key(const Key& key);
  void handle_picker_key(const Key& key);
  void run_picker_action(const Picker::Action& action);
  void handle_line(const std::string& line);
  void handle_event(const Event& e);
  void drain_events();
  void refresh_backend_state();
  void set_status(const std::string& text, Style style = Style::kStatus, int seconds = 4);
  void focus_next(int dir);
  bool wide() const { return width_ >= 100 && height_ >= 16; }
  void draw(CellGrid& grid, int& cx, int& cy);
  void draw_header(CellGrid& grid);
  void draw_status(CellGrid& grid);
  void draw_sources_pane(CellGrid& grid, const Rect& r, bool boxed);
  void draw_stats_pane(CellGrid& grid, const Rect& r, bool boxed);
  void draw_overlay(CellGrid& grid, const Rect& area);
  std::vector<std::string> help_lines() const;

  Backend& backend_;
  ChatUiOptions options_;
  std::mutex mu_;
  std::deque<Event> events_;
  int wake_read_ = -1, wake_write_ = -1;

  Conversation conv_;
  KeyDecoder keys_;
  Focus focus_ = Focus::kInput;
  Overlay overlay_ = Overlay::kNone;
  BackendInfo info_;
  StatsView stats_;
  int width_ = 80, height_ = 24;
  int conv_page_ = 10;
  bool quit_ = false;
  bool confirm_quit_ = false;

  int sources_sel_ = -1;
  int sources_top_ = 0;
  int help_scroll_ = 0;
  SourceView viewer_;
  int viewer_scroll_ = 0;

  Picker picker_;

  std::string status_text_;
  Style status_style_ = Style::kStatus;
  Clock::time_point status_until_{};
  std::string import_progress_;
  std::string load_progress_;
  std::string completion_note_;
  std::vector<std::string> turn_notices_;  // notices of the running turn, added after it
  bool offered_docs_ = false;
};

// ---- commands that open pickers ------------------------------------------------------------

void Tui::pick_model(const std::vector<ModelEntry>& models) {
  if (models.empty()) {
    say("no GGUF models found: put .gguf files in the models/ folder of the data directory, "
        "or load one with /model PATH");
    return;
  }
  picker_.show_models(models);
  overlay_ = Overlay::kPicker;
}

void Tui::pick_session(const std::vector<SessionEntry>& sessions) {
  if (sessions.empty()) {
    say("no saved conversations yet");
    return;
  }
  picker_.show_sessions(sessions, info_.session_id, now_ms());
  overlay_ = Overlay::kPicker;
}

void Tui::browse(const std::string& start_dir) {
  std::string error;
  if (!picker_.browse(start_dir, error)) {
    say(error);
    return;
  }
  overlay_ = Overlay::kPicker;
}

void Tui::show_session(const SessionView& session) {
  conv_.clear();
  sources_sel_ = -1;
  for (const MessageView& m : session.messages) conv_.add(m);
  conv_.scroll_end();
  refresh_backend_state();
}

void Tui::run_picker_action(const Picker::Action& a) {
  using Type = Picker::Action::Type;
  switch (a.type) {
    case Type::kNone: return;
    case Type::kClose: overlay_ = Overlay::kNone; return;
    case Type::kLoadModel:
      overlay_ = Overlay::kNone;
      if (backend_.busy(TaskKind::kTurn)) {
        set_status("wait for the answer to finish (Ctrl-C stops it)", Style::kWarn);
        return;
      }
      backend_.load_model(a.model);
      load_progress_ = "loading " + one_line(a.label) + "…";
      return;
    case Type::kResumeSession: {
      overlay_ = Overlay::kNone;
      if (backend_.busy(TaskKind::kTurn)) {
        set_status("wait for the answer to finish (Ctrl-C stops it)", Style::kWarn);
        return;
      }
      auto view = backend_.resume_session(a.session_id);
      if (!view.ok()) {
        say("error: " + view.status().message());
        return;
      }
      show_session(*view);
      say("resumed: " + (view->info.title.empty() ? "#" + std::to_string(a.session_id) : view->info.title));
      return;
    }
    case Type::kImport:
      if (backend_.busy(TaskKind::kImport)) {
        set_status("an import is already running", Style::kWarn);
        return;
      }
      overlay_ = Overlay::kNone;
      backend_.import_paths(a.paths);
      import_progress_ = "import starting…";
      return;
  }
}

// ---- keys ------------------------------------------------------------------------------------

void Tui::focus_next(int dir) {
  static const Focus kOrder[] = {Focus::kInput, Focus::kConversation, Focus::kSources, Focus::kStats};
  int i = 0;
  for (int k = 0; k < 4; ++k) {
    if (kOrder[k] == focus_) i = k;
  }
  i = (i + dir + 4) % 4;
  focus_ = kOrder[i];
  if (focus_ == Focus::kSources && sources_sel_ < 0) sources_sel_ = 0;
}

void Tui::handle_picker_key(const Key& key) {
  run_picker_action(picker_.handle_key(key, std::max(1, height_ - 8)));
}

void Tui::handle_overlay_key(const Key& key) {
  if (overlay_ == Overlay::kHelp) {
    if (key.code == KeyCode::kDown) ++help_scroll_;
    else if (key.code == KeyCode::kUp) help_scroll_ = std::max(0, help_scroll_ - 1);
    else if (key.code == KeyCode::kPageDown) help_scroll_ += 10;
    else if (key.code == KeyCode::kPageUp) help_scroll_ = std::max(0, help_scroll_ - 10);
    else overlay_ = Overlay::kNone;
    return;
  }
  if (overlay_ == Overlay::kViewer) {
    int page = std::max(1, height_ - 8);
    switch (key.code) {
      case KeyCode::kDown: ++viewer_scroll_; break;
      case KeyCode::kUp: viewer_scroll_ = std::max(0, viewer_scroll_ - 1); break;
      case KeyCode::kPageDown: viewer_scroll_ += page; break;
      case KeyCode::kPageUp: viewer_scroll_ = std::max(0, viewer_scroll_ - page); break;
      case KeyCode::kHome: viewer_scroll_ = 0; break;
      case KeyCode::kEsc:
      case KeyCode::kEnter: overlay_ = Overlay::kNone; break;
      case KeyCode::kBytes:
        if (key.bytes == "q") overlay_ = Overlay::kNone;
        break;
      default: break;
    }
    return;
  }
  handle_picker_key(key);
}

void Tui::handle_key(const Key& key) {
  if (confirm_quit_) {
    confirm_quit_ = false;
    status_text_.clear();
    if (key.code == KeyCode::kCtrlC || (key.code == KeyCode::kBytes && (key.bytes == "y" || key.bytes == "Y"))) {
      quit_ = true;
    }
    return;
  }
  // Keys that work everywhere.
  switch (key.code) {
    case KeyCode::kCtrlL: Terminal::invalidate(); return;
    case KeyCode::kF1:
      overlay_ = overlay_ == Overlay::kHelp ? Overlay::kNone : Overlay::kHelp;
      help_scroll_ = 0;
      return;
    case KeyCode::kF2: conv_.toggle_reasoning(); return;
    case KeyCode::kCtrlC:
      if (backend_.busy(TaskKind::kTurn)) {
        backend_.cancel(TaskKind::kTurn);
        set_status("stopping the answer…");
        return;
      }
      if (overlay_ != Overlay::kNone) {
        overlay_ = Overlay::kNone;
        return;
      }
      if (!LineInput::text().empty()) {
        LineInput::set_text("");
        return;
      }
      if (backend_.busy(TaskKind::kModelLoad)) {
        backend_.cancel(TaskKind::kModelLoad);
        set_status("cancelling the model load…");
        return;
      }
      confirm_quit_ = true;
      status_text_ = backend_.busy(TaskKind::kImport)
                         ? "An import is running. Quit anyway? Ctrl-C again or y quits, any other key stays"
                         : "Quit lantern? Ctrl-C again or y quits, any other key stays";
      status_style_ = Style::kStatusKey;
      status_until_ = Clock::now() + std::chrono::hours(1);
      return;
    case KeyCode::kF5:
      if (info_.kb_chunks == 0 && !backend_.busy(TaskKind::kImport)) {
        auto docs = backend_.builtin_docs();
        if (docs.empty()) {
          say("lantern's documentation was not found next to the binary");
        } else {
          backend_.import_paths(docs);
          import_progress_ = "importing lantern's documentation…";
        }
      } else if (!backend_.busy(TaskKind::kImport)) {
        set_status("F5 imports lantern's documentation into an empty knowledge base; use /import PATH");
      }
      return;
    default: break;
  }
  if (overlay_ != Overlay::kNone) {
    handle_overlay_key(key);
    return;
  }
  switch (key.code) {
    case KeyCode::kPageUp:
      if (focus_ == Focus::kSources) sources_sel_ = std::max(0, sources_sel_ - 3);
      else conv_.scroll_by(conv_page_, conv_page_);
      return;
    case KeyCode::kPageDown:
      if (focus_ == Focus::kSources) sources_sel_ += 3;
      else conv_.scroll_by(-conv_page_, conv_page_);
      return;
    case KeyCode::kShiftTab: focus_next(-1); return;
    case KeyCode::kEsc:
      focus_ = Focus::kInput;
      completion_note_.clear();
      return;
    case KeyCode::kTab:
      if (focus_ == Focus::kInput && !LineInput::text().empty()) {
        LineInput::feed(key.bytes);
        completion_note_ = LineInput::take_completion_note();
        return;
      }
      focus_next(1);
      return;
    default: break;
  }
  bool printable = key.code == KeyCode::kBytes && !key.bytes.empty() &&
                   static_cast<unsigned char>(key.bytes[0]) >= 0x20 && key.bytes[0] != 0x7f;
  if (focus_ == Focus::kConversation) {
    switch (key.code) {
      case KeyCode::kUp: conv_.select_prev_answer(); sources_sel_ = 0; return;
      case KeyCode::kDown: conv_.select_next_answer(); sources_sel_ = 0; return;
      case KeyCode::kHome: conv_.scroll_home(); return;
      case KeyCode::kEnd: conv_.scroll_end(); return;
      case KeyCode::kEnter: show_sources(); return;
      default: break;
    }
    if (printable && key.bytes == "t") {
      conv_.toggle_reasoning();
      return;
    }
    if (printable && key.bytes == "?") {
      show_help();
      return;
    }
  } else if (focus_ == Focus::kSources) {
    const auto* sources = conv_.selected_sources();
    int n = sources ? static_cast<int>(sources->size()) : 0;
    switch (key.code) {
      case KeyCode::kUp: sources_sel_ = std::max(0, sources_sel_ - 1); return;
      case KeyCode::kDown: sources_sel_ = std::min(std::max(0, n - 1), sources_sel_ + 1); return;
      case KeyCode::kHome: sources_sel_ = 0; return;
      case KeyCode::kEnd: sources_sel_ = std::max(0, n - 1); return;
      case KeyCode::kEnter:
        if (sources && sources_sel_ >= 0 && sources_sel_ < n) {
          viewer_ = (*sources)[static_cast<size_t>(sources_sel_)];
          // Open with the passage itself near the top, a few lines of what precedes it above.
          int passage_line = 0;
          render_source_viewer(viewer_, std::max(10, std::min(width_, 96) - 4), &passage_line);
          viewer_scroll_ = passage_line > 8 ? passage_line - 3 : 0;
          overlay_ = Overlay::kViewer;
        }
        return;
      default: break;
    }
    if (printable && key.bytes == "?") {
      show_help();
      return;
    }
  } else if (focus_ == Focus::kStats) {
    if (printable && key.bytes == "?") {
      show_help();
      return;
    }
    if (key.code != KeyCode::kBytes) return;
  }
  // Everything else is typing: it goes to the input line, whatever had focus.
  if (focus_ != Focus::kInput) {
    if (!printable && key.code != KeyCode::kPaste) return;
    focus_ = Focus::kInput;
  }
  completion_note_.clear();
  switch (key.code) {
    case KeyCode::kEnter: {
      std::string text = LineInput::text();
      if (!text.empty() && text.back() == '\\' && LineInput::point() == text.size()) {
        LineInput::feed("\x08");  // drop the backslash, continue on a new line
        LineInput::insert("\n");
        return;
      }
      LineInput::feed("\r");
      return;
    }
    case KeyCode::kAltEnter: LineInput::insert("\n"); return;
    case KeyCode::kPaste: {
      std::string text = key.bytes;
      std::string clean;
      clean.reserve(text.size());
      for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r') {
          clean += '\n';
          if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        } else {
          clean += text[i];
        }
      }
      LineInput::insert(clean);
      return;
    }
    case KeyCode::kHome:
    case KeyCode::kEnd:
      if (LineInput::text().empty()) {
        if (key.code == KeyCode::kHome) conv_.scroll_home();
        else conv_.scroll_end();
        return;
      }
      LineInput::feed(key.bytes);
      return;
    case KeyCode::kCtrlD:
      if (LineInput::text().empty()) return;  // no EOF-quit from a stray Ctrl-D
      LineInput::feed(key.bytes);
      return;
    case KeyCode::kIgnored: return;
    default: break;
  }
  if (printable && key.bytes == "?" && LineInput::text().empty()) {
    show_help();
    return;
  }
  LineInput::feed(key.bytes);
}

void Tui::handle_line(const std::string& line) {
  std::string trimmed = line;
  while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\n')) trimmed.pop_back();
  size_t a = trimmed.find_first_not_of(" \n");
  if (a == std::string::npos) return;
  trimmed = trimmed.substr(a);
  if (auto cmd = parse_command(trimmed)) {
    Status st = run_command(*cmd, backend_, *this);
    if (!st.ok()) {
      MessageView m;
      m.role = Role::kNotice;
      m.text = "error: " + st.message();
      conv_.add(m);
      conv_.scroll_end();
    }
    refresh_backend_state();
    return;
  }
  if (trimmed.rfind("//", 0) == 0) trimmed = trimmed.substr(1);
  if (backend_.busy(TaskKind::kTurn)) {
    set_status("still answering: Ctrl-C stops it", Style::kWarn);
    LineInput::set_text(trimmed);
    return;
  }
  MessageView q;
  q.role = Role::kUser;
  q.text = trimmed;
  conv_.add(q);
  conv_.begin_answer(info_.model);
  conv_.scroll_end();
  sources_sel_ = 0;
  backend_.ask(trimmed);
}

// ---- events ----------------------------------------------------------------------------------

void Tui::handle_event(const Event& e) {
  if (e.task == TaskKind::kTurn) {
    switch (e.kind) {
      case EventKind::kSources: conv_.set_sources(e.sources); sources_sel_ = 0; break;
      case EventKind::kReasoning: conv_.append_reasoning(e.text); break;
      case EventKind::kAnswer: conv_.append_answer(e.text); break;
      case EventKind::kNotice:
        // Shown now on the status line, and kept under the answer once it is done (a cut
        // passage or a citation to nothing must not scroll away unseen).
        set_status(one_line(e.text), Style::kWarn, 6);
        turn_notices_.push_back(e.text);
        break;
      case EventKind::kProgress: set_status(one_line(e.text), Style::kStatus, 2); break;
      case EventKind::kDone:
        conv_.finish_answer(e.stats, e.cancelled, e.message_id);
        for (const std::string& n : turn_notices_) conv_.add_notice(n);
        turn_notices_.clear();
        if (e.cancelled) set_status("answer stopped", Style::kStatus, 3);
        refresh_backend_state();
        stats_ = backend_.stats();  // the turn's tokens/s and context now, not at the next tick
        break;
      case EventKind::kError:
        conv_.fail_answer(e.text);
        for (const std::string& n : turn_notices_) conv_.add_notice(n);
        turn_notices_.clear();
        refresh_backend_state();
        break;
    }
    return;
  }
  std::string& progress = e.task == TaskKind::kImport ? import_progress_ : load_progress_;
  switch (e.kind) {
    case EventKind::kProgress: {
      std::string label = one_line(e.text);
      if (e.fraction >= 0) {
        int pct = static_cast<int>(e.fraction * 100 + 0.5);
        label = std::to_string(std::clamp(pct, 0, 100)) + "% " + label;
      }
      progress = (e.task == TaskKind::kImport ? "import " : "model ") + label;
      break;
    }
    case EventKind::kNotice: say(e.text); break;
    case EventKind::kDone:
      progress.clear();
      say(e.cancelled ? (e.task == TaskKind::kImport ? "import cancelled" : "model load cancelled") : e.text);
      refresh_backend_state();
      break;
    case EventKind::kError:
      progress.clear();
      say("error: " + e.text);
      refresh_backend_state();
      break;
    default: break;
  }
}

void Tui::drain_events() {
  std::deque<Event> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(events_);
  }
  for (const Event& e : batch) handle_event(e);
}

void Tui::refresh_backend_state() {
  info_ = backend_.info();
  if (info_.kb_chunks == 0 && !offered_docs_ && !backend_.busy(TaskKind::kImport)) {
    offered_docs_ = true;
    say("The knowledge base '" + info_.kb + "' is empty. Press F5 to import lantern's own documentation "
        "(README, man page, docs/) and ask about lantern right away, or use /import PATH or /browse.");
  }
}

void Tui::set_status(const std::string& text, Style style, int seconds) {
  status_text_ = text;
  status_style_ = style;
  status_until_ = Clock::now() + std::chrono::seconds(seconds);
}

// ---- drawing ---------------------------------------------------------------------------------

std::vector<std::string> Tui::help_lines() const {
  std::vector<std::string> lines = {
      "Keys",
      "  Enter            send the question or command",
      "  Alt-Enter, \\ at end of line   new line in the input",
      "  Tab / Shift-Tab  move focus: input, conversation, sources, stats",
      "                   (Tab completes commands and paths while typing)",
      "  Esc              back to the input",
      "  PgUp / PgDn      scroll the conversation",
      "  Home / End       top / bottom of the conversation (empty input)",
      "  ↑ / ↓            history (input), answers (conversation), sources",
      "  Enter on source  open the passage with its surrounding text",
      "  F2 or t          expand / fold reasoning (<think>) blocks",
      "  Ctrl-R           search the input history",
      "  Ctrl-C           stop the answer, clear the line; on an empty prompt, quit (asks)",
      "  Ctrl-L           redraw the screen",
      "  F5               import lantern's own docs (when the knowledge base is empty)",
      "  F1 or ?          this help",
      "",
      "Commands",
  };
  for (const CommandInfo& c : chat_commands()) {
    std::string head = std::string("  /") + c.name + (c.args[0] ? std::string(" ") + c.args : "");
    if (head.size() < 26) head += std::string(26 - head.size(), ' ');
    else head += "  ";
    lines.push_back(head + c.help);
  }
  lines.push_back("");
  lines.push_back("A question that starts with / is written //question.");
  return lines;
}

void Tui::draw_header(CellGrid& grid) {
  grid.fill({0, 0, width_, 1}, Style::kStatus);
  std::string left = " lantern │ kb " + one_line(info_.kb.empty() ? "default" : info_.kb);
  if (info_.kb_chunks >= 0) left += " (" + std::to_string(info_.kb_chunks) + (info_.kb_chunks == 1 ? " chunk)" : " chunks)");
  left += " │ " + (info_.model.empty() ? std::string("no model: extractive") : "model " + one_line(info_.model));
  if (!info_.session_title.empty()) left += " │ " + one_line(info_.session_title);
  int right_w = 0;
  if (!wide()) {
    // Tabs for the folded side panes.
    struct Tab { const char* name; bool on; };
    Tab tabs[] = {{"Chat", focus_ == Focus::kInput || focus_ == Focus::kConversation},
                  {"Sources", focus_ == Focus::kSources},
                  {"Stats", focus_ == Focus::kStats}};
    GlyphRun run;
    for (const Tab& t : tabs) {
      append_glyphs(run, std::string(" ") + t.name + " ", t.on ? Style::kSelected : Style::kStatus);
    }
    right_w = 0;
    for (const Glyph& g : run) right_w += g.width;
    grid.draw(std::max(0, width_ - right_w), 0, run, right_w);
  }
  grid.text(0, 0, left, Style::kStatus, std::max(0, width_ - right_w - 1));
}

void Tui::draw_status(CellGrid& grid) {
  int y = height_ - 1;
  grid.fill({0, y, width_, 1}, Style::kStatus);
  const char* mode = "INPUT";
  if (overlay_ == Overlay::kHelp) mode = "HELP";
  else if (overlay_ == Overlay::kViewer) mode = "VIEWER";
  else if (overlay_ == Overlay::kPicker) mode = picker_.kind() == Picker::Kind::kBrowser ? "BROWSE" : "PICK";
  else if (focus_ == Focus::kConversation) mode = "CHAT";
  else if (focus_ == Focus::kSources) mode = "SOURCES";
  else if (focus_ == Focus::kStats) mode = "STATS";
  if (LineInput::searching()) mode = "SEARCH";
  bool generating = conv_.streaming();
  std::string left = std::string(" ") + (generating ? "GENERATING" : mode) + " ";
  int x = grid.text(0, y, left, Style::kStatusKey, width_);

  std::string hints;
  if (overlay_ == Overlay::kPicker && picker_.kind() == Picker::Kind::kBrowser) {
    hints = "↑↓ move · Enter open/mark · Space mark · i import · ⌫ up · Esc close";
  } else if (overlay_ != Overlay::kNone) {
    hints = "↑↓ PgUp PgDn scroll · Esc close";
  } else if (generating) {
    hints = "Ctrl-C stop · PgUp/PgDn scroll · F1 help";
  } else if (focus_ == Focus::kSources) {
    hints = "↑↓ select · Enter open · Esc input · F1 help";
  } else if (focus_ == Focus::kConversation) {
    hints = "↑↓ answer · PgUp/PgDn · F2 reasoning · Esc input";
  } else {
    hints = "Enter send · Tab focus · F1 help · /quit";
  }
  std::string msg;
  Style msg_style = Style::kStatus;
  if (!status_text_.empty() && Clock::now() < status_until_) {
    msg = status_text_;
    msg_style = status_style_;
  } else if (!completion_note_.empty()) {
    msg = completion_note_;
  } else if (!import_progress_.empty() || !load_progress_.empty()) {
    msg = load_progress_;
    if (!import_progress_.empty()) msg += (msg.empty() ? "" : " · ") + import_progress_;
  } else if (!info_.hint.empty() && !generating) {
    msg = info_.hint;
  }
  int hints_w = display_width(hints);
  int room = width_ - x - 1;
  bool urgent = !status_text_.empty() && Clock::now() < status_until_;
  if (!msg.empty()) {
    int msg_full = display_width(msg);
    bool with_hints = !urgent ? room - hints_w > 20 : msg_full + hints_w + 2 <= room;
    if (!with_hints) hints_w = 1 << 20;  // no room: the message wins
    int msg_w = std::min(msg_full, room - (with_hints ? hints_w + 2 : 0));
    if (msg_w > 0) x += 1 + grid.text(x + 1, y, msg, msg_style == Style::kStatusKey ? Style::kStatusKey : msg_style == Style::kWarn ? Style::kStatusKey : Style::kStatus, msg_w);
  }
  if (width_ - x - 2 >= hints_w) grid.text(width_ - hints_w - 1, y, hints, Style::kStatus, hints_w);
}

void Tui::draw_sources_pane(CellGrid& grid, const Rect& r, bool boxed) {
  Rect in = r;
  if (boxed) {
    grid.box(r, focus_ == Focus::kSources ? Style::kTitle : Style::kBorder, "Sources");
    in = {r.x + 1, r.y + 1, r.w - 2, r.h - 2};
  }
  if (in.w <= 0 || in.h <= 0) return;
  static const std::vector<SourceView> kNone;
  const auto* sources = conv_.selected_sources();
  const auto& list = sources ? *sources : kNone;
  if (sources_sel_ >= static_cast<int>(list.size())) sources_sel_ = static_cast<int>(list.size()) - 1;
  std::vector<int> first;
  std::vector<Line> lines = render_sources(list, in.w, focus_ == Focus::kSources ? sources_sel_ : -1, &first);
  // Keep the selected source in view.
  if (sources_sel_ >= 0 && sources_sel_ < static_cast<int>(first.size())) {
    int top_needed = first[static_cast<size_t>(sources_sel_)];
    int end_needed = sources_sel_ + 1 < static_cast<int>(first.size()) ? first[static_cast<size_t>(sources_sel_ + 1)]
                                                                       : static_cast<int>(lines.size());
    if (top_needed < sources_top_) sources_top_ = top_needed;
    if (end_needed > sources_top_ + in.h) sources_top_ = std::max(0, std::min(top_needed, end_needed - in.h));
  } else {
    sources_top_ = 0;
  }
  for (int row = 0; row < in.h && sources_top_ + row < static_cast<int>(lines.size()); ++row) {
    grid.line(in.x, in.y + row, lines[static_cast<size_t>(sources_top_ + row)], in.w);
  }
}

void Tui::draw_stats_pane(CellGrid& grid, const Rect& r, bool boxed) {
  Rect in = r;
  if (boxed) {
    grid.box(r, focus_ == Focus::kStats ? Style::kTitle : Style::kBorder, "Stats");
    in = {r.x + 1, r.y + 1, r.w - 2, r.h - 2};
  }
  if (in.w <= 0 || in.h <= 0) return;
  std::vector<Line> lines = render_stats(stats_, in.w);
  for (int row = 0; row < in.h && row < static_cast<int>(lines.size()); ++row) {
    grid.line(in.x, in.y + row, lines[static_cast<size_t>(row)], in.w);
  }
}

void Tui::draw_overlay(CellGrid& grid, const Rect& area) {
  if (overlay_ == Overlay::kPicker) {
    picker_.draw(grid, area);
    return;
  }
  int w = std::min(area.w, overlay_ == Overlay::kHelp ? 78 : 96);
  int h = area.h;
  Rect box{area.x + (area.w - w) / 2, area.y, w, h};
  if (w < 10 || h < 4) return;
  grid.fill(box, Style::kNormal);
  Rect in{box.x + 2, box.y + 1, box.w - 4, box.h - 2};
  if (overlay_ == Overlay::kHelp) {
    grid.box(box, Style::kTitle, "Help (any key closes)");
    std::vector<std::string> lines = help_lines();
    help_scroll_ = std::min(help_scroll_, std::max(0, static_cast<int>(lines.size()) - in.h));
    for (int row = 0; row < in.h && help_scroll_ + row < static_cast<int>(lines.size()); ++row) {
      const std::string& l = lines[static_cast<size_t>(help_scroll_ + row)];
      bool title = !l.empty() && l[0] != ' ' && row + help_scroll_ != static_cast<int>(lines.size()) - 1;
      grid.text(in.x, in.y + row, l, title ? Style::kHeading : Style::kNormal, in.w);
    }
    if (help_scroll_ + in.h < static_cast<int>(lines.size())) {
      grid.text(box.x + box.w - 12, box.y + box.h - 1, " ↓ PgDn ", Style::kTitle, 8);
    }
    return;
  }
  if (overlay_ == Overlay::kViewer) {
    grid.box(box, Style::kTitle, "Passage [" + std::to_string(viewer_.n) + "] (Esc closes)");
    std::vector<Line> lines = render_source_viewer(viewer_, in.w);
    viewer_scroll_ = std::min(viewer_scroll_, std::max(0, static_cast<int>(lines.size()) - in.h));
    for (int row = 0; row < in.h && viewer_scroll_ + row < static_cast<int>(lines.size()); ++row) {
      grid.line(in.x, in.y + row, lines[static_cast<size_t>(viewer_scroll_ + row)], in.w);
    }
    if (viewer_scroll_ + in.h < static_cast<int>(lines.size())) {
      grid.text(box.x + box.w - 12, box.y + box.h - 1, " ↓ PgDn ", Style::kTitle, 8);
    }
    return;
  }
}

void Tui::draw(CellGrid& grid, int& cx, int& cy) {
  grid.clear();
  cx = cy = -1;
  if (width_ < 20 || height_ < 6) {
    grid.text(0, 0, "terminal too small", Style::kWarn, width_);
    return;
  }
  draw_header(grid);
  draw_status(grid);

  // Input area: grows with its content up to a quarter of the screen, showing the cursor row.
  InputLayout in = layout_input(LineInput::prompt(), LineInput::text(), LineInput::point(), width_);
  int max_in = std::max(1, height_ / 4);
  int n_in = std::min(static_cast<int>(in.lines.size()), max_in);
  int first_in = std::clamp(in.cursor_y - n_in + 1, 0, std::max(0, static_cast<int>(in.lines.size()) - n_in));
  int in_y = height_ - 1 - n_in;
  for (int row = 0; row < n_in; ++row) grid.line(0, in_y + row, in.lines[static_cast<size_t>(first_in + row)], width_);
  int sep_y = in_y - 1;
  grid.hline(0, sep_y, width_, focus_ == Focus::kInput ? Style::kTitle : Style::kBorder);
  if (focus_ == Focus::kInput && overlay_ == Overlay::kNone && !confirm_quit_) {
    cx = in.cursor_x;
    cy = in_y + in.cursor_y - first_in;
  }

  Rect panes{0, 1, width_, sep_y - 1};
  if (panes.h < 1) return;
  conv_page_ = std::max(1, panes.h - 2);
  if (wide()) {
    int side_w = std::clamp(width_ * 34 / 100, 34, 60);
    int conv_w = width_ - side_w - 1;
    conv_.draw(grid, {0, panes.y, conv_w, panes.h});
    for (int y = panes.y; y < panes.y + panes.h; ++y) {
      grid.put(conv_w, y, {"│", 1, focus_ == Focus::kConversation ? Style::kTitle : Style::kBorder});
    }
    size_t cores = stats_.cpu_per_core.size();
    int stats_lines = static_cast<int>(cores > 4 ? (cores + 1) / 2 : cores) + 8;
    int stats_h = std::min(panes.h / 2, stats_lines + 2);
    Rect src{conv_w + 1, panes.y, side_w, panes.h - stats_h};
    Rect st{conv_w + 1, panes.y + panes.h - stats_h, side_w, stats_h};
    draw_sources_pane(grid, src, true);
    draw_stats_pane(grid, st, true);
  } else if (focus_ == Focus::kSources) {
    draw_sources_pane(grid, panes, false);
  } else if (focus_ == Focus::kStats) {
    draw_stats_pane(grid, panes, false);
  } else {
    conv_.draw(grid, panes);
  }
  if (overlay_ != Overlay::kNone) draw_overlay(grid, panes);
}

// ---- main loop -------------------------------------------------------------------------------

int Tui::run() {
  ensure_utf8_locale();
  int fds[2];
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return 1;
  wake_read_ = fds[0];
  wake_write_ = fds[1];
  g_wake_write = wake_write_;
  backend_.set_sink(this);

  LineInput::start(options_.history_path);
  if (!Terminal::start(options_.color)) {
    LineInput::stop();
    std::fputs("lantern: chat: cannot start the terminal UI (try --plain)\n", stderr);
    return 1;
  }
  struct sigaction sa{}, old_winch{}, old_term{}, old_hup{};
  sa.sa_handler = on_sigwinch;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGWINCH, &sa, &old_winch);
  sa.sa_handler = on_terminate;
  sigaction(SIGTERM, &sa, &old_term);
  sigaction(SIGHUP, &sa, &old_hup);

  Terminal::size(width_, height_);
  conv_.add_notice("Welcome to lantern. Ask a question about your documents; F1 or /help lists keys and "
                   "commands, /sessions resumes an earlier conversation.");
  refresh_backend_state();
  stats_ = backend_.stats();
  auto next_stats = Clock::now() + std::chrono::seconds(1);

  while (!quit_ && !g_terminate) {
    int cx = -1, cy = -1;
    CellGrid grid(width_, height_);
    draw(grid, cx, cy);
    Terminal::present(grid, cx, cy);

    auto now = Clock::now();
    int timeout = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(next_stats - now).count());
    if (keys_.pending()) timeout = std::min(timeout, 30);
    if (status_until_ > now && !status_text_.empty()) {
      timeout = std::min(timeout, static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(status_until_ - now).count()) + 5);
    }
    timeout = std::max(timeout, 0);
    pollfd pfd[2] = {{STDIN_FILENO, POLLIN, 0}, {wake_read_, POLLIN, 0}};
    int r = poll(pfd, 2, timeout);
    if (r < 0 && errno != EINTR) break;
    if (r > 0 && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      char buf[4096];
      ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
      if (n <= 0) break;  // the terminal went away
      keys_.feed(std::string_view(buf, static_cast<size_t>(n)));
      Key key;
      while (keys_.next(key)) handle_key(key);
    } else if (r == 0 && keys_.pending()) {
      Key key;
      if (keys_.flush_escape(key)) handle_key(key);
      while (keys_.next(key)) handle_key(key);
    }
    std::string line;
    while (LineInput::take_line(line)) handle_line(line);
    if (r > 0 && (pfd[1].revents & POLLIN)) {
      char buf[256];
      while (read(wake_read_, buf, sizeof buf) > 0) {
      }
    }
    drain_events();
    if (g_resized.exchange(false)) {
      Terminal::resize();
      Terminal::size(width_, height_);
    }
    if (Clock::now() >= next_stats) {
      stats_ = backend_.stats();
      info_ = backend_.info();
      next_stats = Clock::now() + std::chrono::seconds(1);
    }
  }

  backend_.cancel(TaskKind::kTurn);
  backend_.cancel(TaskKind::kImport);
  backend_.cancel(TaskKind::kModelLoad);
  Terminal::stop();
  LineInput::stop();
  sigaction(SIGWINCH, &old_winch, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  sigaction(SIGHUP, &old_hup, nullptr);
  g_wake_write = -1;
  backend_.set_sink(nullptr);
  close(wake_read_);
  close(wake_write_);
  wake_write_ = -1;
  return 0;
}

}  // namespace

int run_tui(Backend& backend, const ChatUiOptions& options) {
  Tui tui(backend, options);
  return tui.run();
}

}  // namespace lantern::ui
