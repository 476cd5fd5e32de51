// Command-line parsing: global options, one subcommand, its options and positionals.
//
// The one thing to know: global options (--home, --config, -q, -v, -h) are accepted anywhere,
// before or after the subcommand; a command's own options only after it. Errors are usage errors
// (exit status 2) carrying one line that names the offending word.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lantern/status.h"

namespace lantern::app {

struct OptionSpec {
  std::string long_name;   // "temp" for --temp
  char short_name = 0;     // 't' for -t, 0 for none
  std::string value_name;  // "T" when the option takes a value; empty for a flag
  std::string help;        // one line for --help and the man page
  bool repeatable = false; // may be given more than once (values accumulate)
};

// The parsed command line. Values keep their text; typed getters validate on read.
class ParsedArgs {
 public:
  std::string command;                 // empty when none was given
  std::vector<std::string> positional; // after the command, in order ("--" ends options)
  std::map<std::string, std::vector<std::string>> values;  // long name -> values ("" for flags)

  bool has(const std::string& name) const { return values.count(name) != 0; }
  // Last value given for `name`, or nullopt.
  std::optional<std::string> get(const std::string& name) const;
  const std::vector<std::string>& get_all(const std::string& name) const;
  // Typed access: an error names the option and the bad value ("--ctx: 'abc' is not an integer").
  Result<int64_t> get_int(const std::string& name, int64_t fallback, int64_t min, int64_t max) const;
  Result<double> get_double(const std::string& name, double fallback, double min, double max) const;
};

// Options accepted by every command.
const std::vector<OptionSpec>& global_options();

// Finds the subcommand among `commands` and parses around it. `command_options` is consulted once
// the command is known; pass a function mapping a command name to its options (nullptr if the
// name is not a command, which makes the word an "unknown command" usage error).
using OptionsForCommand = const std::vector<OptionSpec>* (*)(const std::string& command);
Result<ParsedArgs> parse_command_line(const std::vector<std::string>& argv, OptionsForCommand options_for);

// Parses "key=value" integers and numbers the same way the option getters do.
Result<int64_t> parse_int(const std::string& what, const std::string& text, int64_t min, int64_t max);
Result<double> parse_double(const std::string& what, const std::string& text, double min, double max);

}  // namespace lantern::app
