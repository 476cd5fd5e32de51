// The plain chat REPL (`lantern chat --plain`, or when stdout is not a terminal): one question per
// line, the answer streamed to stdout, then its numbered sources; the same slash commands as the
// TUI. Reads with readline (history persisted) when stdin is a terminal, else plain lines.
//
// The one thing to know: the REPL is synchronous: after a question or a long command it waits for
// the backend's kDone/kError event. Ctrl-C (SIGINT) during the wait cancels the task instead of
// killing lantern.
#include <readline/history.h>
#include <readline/readline.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <clocale>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iostream>
#include <langinfo.h>
#include <mutex>

#include "chat_commands.h"
#include "lantern/ui/chat_ui.h"
#include "lantern/ui/sanitize.h"
#include "side_panes.h"

namespace lantern::ui {
namespace {

std::atomic<bool> g_interrupted{false};
void on_sigint(int) { g_interrupted = true; }

// Hides <think>...</think> from a streamed answer (tags may be split across pieces) and counts
// the hidden words so the REPL can say that reasoning happened.
class ThinkFilter {
 public:
  std::string push(std::string_view piece) {
    buf_.append(piece);
    std::string out;
    while (!buf_.empty()) {
      std::string_view tag = in_think_ ? "</think>" : "<think>";
      size_t at = buf_.find(tag);
      if (at != std::string::npos) {
        emit(buf_.substr(0, at), out);
        buf_.erase(0, at + tag.size());
        in_think_ = !in_think_;
        continue;
      }
      // Hold back a possible partial tag at the end.
      size_t keep = 0;
      for (size_t k = std::min(tag.size() - 1, buf_.size()); k > 0; --k) {
        if (buf_.compare(buf_.size() - k, k, tag.substr(0, k)) == 0) {
          keep = k;
          break;
        }
      }
      emit(buf_.substr(0, buf_.size() - keep), out);
      buf_.erase(0, buf_.size() - keep);
      break;
    }
    return out;
  }
  std::string finish() {
    std::string out;
    emit(buf_, out);
    buf_.clear();
    return out;
  }
  size_t hidden_words() const { return words_; }
  void reset() { *this = ThinkFilter(); }

 private:
  void emit(const std::string& s, std::string& out) {
    if (!in_think_) {
      out += s;
      return;
    }
    for (char c : s) {
      bool sp = c == ' ' || c == '\n' || c == '\t';
      if (!sp && !in_word_) ++words_;
      in_word_ = !sp;
    }
  }
  std::string buf_;
  bool in_think_ = false;
  bool in_word_ = false;
  size_t words_ = 0;
};

class Plain final : public EventSink, public CommandHost {
 public:
  Plain(Backend& backend, const ChatUiOptions& options) : backend_(backend), options_(options) {}
  int run();

  void post(Event event) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(event));
    cv_.notify_all();
  }

  void say(const std::string& text) override { std::printf("%s\n", sanitize(text).c_str()); }
  void show_help() override {
    std::printf("Type a question, or a command:\n");
    for (const CommandInfo& c : chat_commands()) {
      std::string head = std::string("  /") + c.name + (c.args[0] ? std::string(" ") + c.args : "");
      std::printf("%-26s %s\n", head.c_str(), c.help);
    }
  }
  void show_sources() override { print_sources(last_sources_, true); }
  void pick_model(const std::vector<ModelEntry>& models) override {
    if (models.empty()) {
      say("no GGUF models found: put .gguf files in the models/ folder of the data directory, or use /model PATH");
      return;
    }
    for (const ModelEntry& m : models) {
      std::string line = (m.loaded ? "* " : "  ") + m.name;
      if (!m.detail.empty()) line += "  " + m.detail;
      if (m.size_bytes) line += "  " + format_bytes(m.size_bytes);
      line += "  (" + m.origin + ")  " + m.path;
      say(line);
    }
    say("load one with /model NAME");
  }
  void pick_session(const std::vector<SessionEntry>& sessions) override {
    if (sessions.empty()) {
      say("no saved conversations yet");
      return;
    }
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
    for (const SessionEntry& s : sessions) {
      say("#" + std::to_string(s.id) + "  " + (s.title.empty() ? "(untitled)" : s.title) + "  · " +
          std::to_string(s.n_messages) + " msgs · " + format_time_ago(s.updated_ms, now));
    }
    say("resume one with /sessions ID");
  }
  void browse(const std::string&) override { say("/browse needs the full-screen TUI; use /import PATH here"); }
  void show_session(const SessionView& session) override {
    for (const MessageView& m : session.messages) {
      if (m.role == Role::kUser) say("> " + m.text);
      else if (m.role == Role::kAssistant) say(m.text);
    }
  }
  void clear_screen() override {}
  void regenerating() override { waiting_turn_ = true; }
  void quit() override { quit_ = true; }

 private:
  void wait_for(TaskKind task);
  void print_sources(const std::vector<SourceView>& sources, bool full);
  bool read_line(std::string& line);

  Backend& backend_;
  ChatUiOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Event> events_;
  std::vector<SourceView> last_sources_;
  bool quit_ = false;
  bool waiting_turn_ = false;
  bool tty_in_ = false;
};

void Plain::print_sources(const std::vector<SourceView>& sources, bool full) {
  if (sources.empty()) {
    if (full) say("no sources");
    return;
  }
  std::printf("\nSources:\n");
  for (const SourceView& s : sources) {
    std::string line = "[" + std::to_string(s.n) + "] " + (s.title.empty() ? s.path : s.title);
    if (!s.location.empty()) line += " · " + s.location;
    if (!s.path.empty() && s.path != s.title) line += " (" + s.path + ")";
    std::printf("%s\n", sanitize(line, {.keep_newlines = false, .keep_tabs = false}).c_str());
    if (full && !s.snippet.empty()) {
      std::printf("    %s\n", sanitize(s.snippet, {.keep_newlines = false, .keep_tabs = false}).c_str());
    }
  }
}

void Plain::wait_for(TaskKind task) {
  StreamSanitizer answer_sink;
  ThinkFilter think;
  bool any_text = false;
  bool ends_with_newline = true;
  auto out = [&](const std::string& s) {
    if (s.empty()) return;
    std::fputs(s.c_str(), stdout);
    std::fflush(stdout);
    any_text = true;
    ends_with_newline = s.back() == '\n';
  };
  while (true) {
    Event e;
    {
      std::unique_lock<std::mutex> lock(mu_);
      while (events_.empty()) {
        cv_.wait_for(lock, std::chrono::milliseconds(100));
        if (g_interrupted.exchange(false)) backend_.cancel(task);
      }
      e = std::move(events_.front());
      events_.pop_front();
    }
    if (e.task != task) {
      // Another task's events (a background import) are reported as lines.
      if (e.kind == EventKind::kDone) say(e.text);
      else if (e.kind == EventKind::kError) say("error: " + e.text);
      continue;
    }
    switch (e.kind) {
      case EventKind::kSources: last_sources_ = e.sources; break;
      case EventKind::kReasoning: break;  // folded in the plain REPL: counted below
      case EventKind::kAnswer: out(answer_sink.push(think.push(e.text))); break;
      case EventKind::kNotice:
        if (!ends_with_newline) out("\n");
        std::fprintf(stderr, "note: %s\n", sanitize(e.text, {.keep_newlines = false}).c_str());
        break;
      case EventKind::kProgress:
        if (!options_.history_path.empty() && isatty(STDERR_FILENO)) {
          std::fprintf(stderr, "\r%s%s\x1b[K", e.fraction >= 0 ? (std::to_string(static_cast<int>(e.fraction * 100)) + "% ").c_str() : "",
                       sanitize(e.text, {.keep_newlines = false, .keep_tabs = false}).c_str());
        }
        break;
      case EventKind::kDone:
      case EventKind::kError: {
        out(answer_sink.push(think.finish()));
        out(answer_sink.finish());
        if (any_text && !ends_with_newline) out("\n");
        if (!options_.history_path.empty() && isatty(STDERR_FILENO) && task != TaskKind::kTurn) std::fputs("\r\x1b[K", stderr);
        if (think.hidden_words() > 0) say("(reasoning: " + std::to_string(think.hidden_words()) + " words, hidden)");
        if (e.kind == EventKind::kError) {
          std::fprintf(stderr, "error: %s\n", sanitize(e.text, {.keep_newlines = false}).c_str());
        } else if (e.cancelled) {
          say("[stopped]");
        } else if (task == TaskKind::kTurn) {
          print_sources(last_sources_, false);
        } else if (!e.text.empty()) {
          say(e.text);
        }
        return;
      }
    }
  }
}

bool Plain::read_line(std::string& line) {
  if (tty_in_) {
    char* l = readline("> ");
    if (!l) return false;
    line = l;
    std::free(l);
    if (!line.empty()) {
      add_history(line.c_str());
      if (!options_.history_path.empty()) append_history(1, options_.history_path.c_str());
    }
    return true;
  }
  return static_cast<bool>(std::getline(std::cin, line));
}

int Plain::run() {
  std::setlocale(LC_ALL, "");
  tty_in_ = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
  backend_.set_sink(this);
  if (tty_in_) {
    rl_readline_name = "lantern";
    using_history();
    if (!options_.history_path.empty() && read_history(options_.history_path.c_str()) != 0) {
      if (FILE* f = std::fopen(options_.history_path.c_str(), "a")) std::fclose(f);
    }
    BackendInfo info = backend_.info();
    say("lantern chat: kb " + info.kb + ", " + (info.model.empty() ? "no model (extractive answers)" : "model " + info.model) +
        ". /help lists commands, /quit leaves.");
  }
  struct sigaction sa{}, old{};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  std::string line;
  int status = 0;
  while (!quit_ && read_line(line)) {
    size_t a = line.find_first_not_of(" \t\r");
    if (a == std::string::npos) continue;
    line = line.substr(a);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t')) line.pop_back();
    sigaction(SIGINT, &sa, &old);
    g_interrupted = false;
    if (auto cmd = parse_command(line)) {
      waiting_turn_ = false;
      Status st = run_command(*cmd, backend_, *this);
      if (!st.ok()) {
        std::fprintf(stderr, "error: %s\n", sanitize(st.message(), {.keep_newlines = false}).c_str());
        status = 1;
      } else if (waiting_turn_) {
        wait_for(TaskKind::kTurn);
      } else if (cmd->name == "model") {
        wait_for(TaskKind::kModelLoad);
      } else if (cmd->name == "import") {
        wait_for(TaskKind::kImport);
      }
    } else {
      if (line.rfind("//", 0) == 0) line = line.substr(1);
      backend_.ask(line);
      wait_for(TaskKind::kTurn);
    }
    sigaction(SIGINT, &old, nullptr);
  }
  backend_.set_sink(nullptr);
  (void)status;
  return 0;
}

}  // namespace

int run_plain(Backend& backend, const ChatUiOptions& options) {
  Plain plain(backend, options);
  return plain.run();
}

}  // namespace lantern::ui
