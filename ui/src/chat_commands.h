// The slash commands of the chat UI, shared by the TUI and the plain REPL: the table (for /help,
// the help overlay and Tab completion), parsing, and the execution of everything that is the same
// in both front-ends. What differs (pickers, overlays, printing) goes through CommandHost.
//
// The one thing to know: commands that start long work (/model, /import, /regen) only start it;
// progress and results arrive later as backend events.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lantern/ui/backend.h"

namespace lantern::ui {

struct CommandInfo {
  const char* name;  // without the slash
  const char* args;  // "NAME|PATH", "" for none
  const char* help;  // one line
};

const std::vector<CommandInfo>& chat_commands();

struct ParsedCommand {
  std::string name;  // without the slash, lower case
  std::string arg;   // the rest of the line, trimmed
};

// nullopt when `line` is not a command (does not start with '/'). "//text" is not a command either
// (it lets a question start with a slash).
std::optional<ParsedCommand> parse_command(std::string_view line);
// Command names (with the slash) starting with `prefix` (which includes the slash).
std::vector<std::string> complete_command(std::string_view prefix);
// Commands whose argument is a file path (for completion).
bool command_takes_path(std::string_view name);

// Front-end specific parts of commands.
class CommandHost {
 public:
  virtual ~CommandHost() = default;
  virtual void say(const std::string& text) = 0;    // a notice line
  virtual void show_help() = 0;
  virtual void show_sources() = 0;
  virtual void pick_model(const std::vector<ModelEntry>& models) = 0;
  virtual void pick_session(const std::vector<SessionEntry>& sessions) = 0;
  virtual void browse(const std::string& start_dir) = 0;
  virtual void show_session(const SessionView& session) = 0;  // replaces the conversation
  virtual void clear_screen() = 0;
  virtual void regenerating() = 0;  // the last answer is being replaced
  virtual void quit() = 0;
};

// Runs one command. Unknown commands and bad arguments are errors shown by the caller.
Status run_command(const ParsedCommand& cmd, Backend& backend, CommandHost& host);

// "3 minutes ago", "2026-11-23 06:55" — for session lists.
std::string format_time_ago(int64_t unix_ms, int64_t now_ms);

}  // namespace lantern::ui
