// Readline glue; see line_input.h. All state is file-static because readline's hooks are plain
// function pointers.
#include "line_input.h"

#include <readline/history.h>
#include <readline/readline.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>

#include "chat_commands.h"

namespace lantern::ui {
namespace {

std::deque<unsigned char> g_bytes;
std::deque<std::string> g_lines;
std::string g_history_path;
std::string g_completion_note;
bool g_dirty = true;
bool g_eof = false;
bool g_started = false;
FILE* g_null = nullptr;
const char* kPrompt = "› ";

int getc_hook(FILE*) {
  if (g_bytes.empty()) return EOF;  // never happens: we only call readline with bytes queued
  unsigned char c = g_bytes.front();
  g_bytes.pop_front();
  return c;
}

int input_available_hook() { return g_bytes.empty() ? 0 : 1; }

void redisplay_hook() { g_dirty = true; }
void prep_term_noop(int) {}
void deprep_term_noop() {}

void line_handler(char* line) {
  if (!line) {
    g_eof = true;
    g_dirty = true;
    return;
  }
  std::string s(line);
  std::free(line);
  if (!s.empty()) {
    add_history(s.c_str());
    if (!g_history_path.empty()) {
      append_history(1, g_history_path.c_str());
      history_truncate_file(g_history_path.c_str(), 2000);
    }
  }
  g_lines.push_back(std::move(s));
  g_dirty = true;
}

char* command_generator(const char* text, int state) {
  static std::vector<std::string> matches;
  static size_t index;
  if (state == 0) {
    matches = complete_command(text);
    index = 0;
  }
  if (index >= matches.size()) return nullptr;
  return strdup(matches[index++].c_str());
}

char** completion_hook(const char* text, int start, int end) {
  (void)end;
  std::string line(rl_line_buffer);
  if (start == 0 && text[0] == '/') {
    rl_attempted_completion_over = 1;
    return rl_completion_matches(text, command_generator);
  }
  auto cmd = parse_command(line);
  if (cmd) {
    std::string name = cmd->name;
    if (command_takes_path(name)) return nullptr;  // readline's file-name completion
  }
  rl_attempted_completion_over = 1;
  return nullptr;
}

void display_matches_hook(char** matches, int n, int max_len) {
  (void)max_len;
  std::string note;
  for (int i = 1; i <= n && i <= 40; ++i) {
    if (!note.empty()) note += "  ";
    note += matches[i];
  }
  if (n > 40) note += "  …";
  g_completion_note = note;
  g_dirty = true;
}

}  // namespace

void LineInput::start(const std::string& history_path) {
  if (g_started) return;
  g_started = true;
  g_history_path = history_path;
  g_null = std::fopen("/dev/null", "w");
  rl_readline_name = "lantern";
  rl_catch_signals = 0;
  rl_catch_sigwinch = 0;
  rl_change_environment = 0;
  rl_getc_function = getc_hook;
  rl_input_available_hook = input_available_hook;
  rl_redisplay_function = redisplay_hook;
  rl_prep_term_function = prep_term_noop;
  rl_deprep_term_function = deprep_term_noop;
  rl_outstream = g_null ? g_null : stdout;
  rl_instream = stdin;
  rl_attempted_completion_function = completion_hook;
  rl_completion_display_matches_hook = display_matches_hook;
  rl_variable_bind("bell-style", "none");
  rl_variable_bind("horizontal-scroll-mode", "off");
  rl_variable_bind("enable-bracketed-paste", "off");  // the TUI decodes pastes itself
  using_history();
  if (!history_path.empty()) {
    if (read_history(history_path.c_str()) != 0) {
      // No file yet: create it so append_history has something to append to.
      if (FILE* f = std::fopen(history_path.c_str(), "a")) std::fclose(f);
    }
  }
  rl_callback_handler_install(kPrompt, line_handler);
}

void LineInput::stop() {
  if (!g_started) return;
  rl_callback_handler_remove();
  g_started = false;
  if (g_null) {
    std::fclose(g_null);
    g_null = nullptr;
  }
}

void LineInput::feed(const std::string& bytes) {
  for (char c : bytes) g_bytes.push_back(static_cast<unsigned char>(c));
  while (!g_bytes.empty()) rl_callback_read_char();
}

void LineInput::insert(const std::string& text) {
  rl_insert_text(text.c_str());
  g_dirty = true;
}

void LineInput::set_text(const std::string& text) {
  rl_replace_line(text.c_str(), 0);
  rl_point = rl_end;
  g_dirty = true;
}

bool LineInput::take_line(std::string& line) {
  if (g_lines.empty()) return false;
  line = std::move(g_lines.front());
  g_lines.pop_front();
  return true;
}

bool LineInput::eof() {
  bool e = g_eof;
  g_eof = false;
  return e;
}

std::string LineInput::text() { return rl_line_buffer ? std::string(rl_line_buffer, static_cast<size_t>(rl_end)) : ""; }
size_t LineInput::point() { return static_cast<size_t>(rl_point < 0 ? 0 : rl_point); }
std::string LineInput::prompt() { return rl_display_prompt ? rl_display_prompt : kPrompt; }
bool LineInput::searching() { return (RL_ISSTATE(RL_STATE_ISEARCH)) != 0; }

bool LineInput::consume_dirty() {
  bool d = g_dirty;
  g_dirty = false;
  return d;
}

std::string LineInput::take_completion_note() {
  std::string n = std::move(g_completion_note);
  g_completion_note.clear();
  return n;
}

}  // namespace lantern::ui
