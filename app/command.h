// The subcommand table. Each command lives in its own app/cmd_<name>.cpp, defines one
// `extern const CommandSpec kCmd<Name>` and is listed in commands.cpp; help text, the parser and
// `lantern help CMD` are generated from these specs, and man/lantern.1 must say the same.
//
// Exit status: 0 success, 1 runtime error, 2 usage error (unknown command/option, bad value).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"
#include "config.h"
#include "lantern/status.h"

namespace lantern::app {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Everything a command gets: resolved paths, config and the parsed command line.
struct Context {
  std::string home;         // data dir, resolved; create with ensure_dir() before writing
  std::string config_path;  // may not exist
  Config config;
  ParsedArgs args;
  bool quiet = false;
  bool verbose = false;
  bool stdin_tty = false;
  bool stdout_tty = false;
  bool stderr_tty = false;
  // Model output and document text are sanitized (lantern/ui/sanitize.h) on stdout whether or not it
  // is a terminal (a pipe may end in `less -R` or a terminal too); --raw-output writes them unchanged.
  bool raw_output = false;
};

struct CommandSpec {
  std::string name;
  std::string summary;      // one line, for `lantern --help`
  std::string usage;        // "import PATH... [--kb NAME] [--exclude GLOB] [--prune]"
  std::string description;  // a paragraph for `lantern help CMD`
  std::vector<OptionSpec> options;
  int (*run)(Context& ctx);
};

const std::vector<const CommandSpec*>& all_commands();
const CommandSpec* find_command(const std::string& name);

// Prints "lantern: CMD: message" on stderr (sanitized) and returns kExitFailure / kExitUsage.
int runtime_error(const Context& ctx, const Status& status);
int usage_error(const Context& ctx, const std::string& message);
// For commands whose issue has not landed yet: says so and returns kExitFailure.
int not_built_yet(const Context& ctx, const char* issue);

// Help text for lantern as a whole, and for one command.
std::string general_help();
std::string command_help(const CommandSpec& spec);

}  // namespace lantern::app
