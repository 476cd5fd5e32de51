// Command-line parsing. Accepts --name VALUE, --name=VALUE, -x VALUE, -xVALUE, clustered short
// flags (-qv), and "--" to end options. Kept independent of any command's meaning.
#include "cli.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace lantern::app {
namespace {

const OptionSpec* find_long(const std::vector<OptionSpec>& specs, const std::string& name) {
  for (const auto& s : specs) if (s.long_name == name) return &s;
  return nullptr;
}
const OptionSpec* find_short(const std::vector<OptionSpec>& specs, char c) {
  for (const auto& s : specs) if (s.short_name == c) return &s;
  return nullptr;
}

std::string where(const std::string& command) {
  return command.empty() ? std::string() : command + ": ";
}

}  // namespace

const std::vector<OptionSpec>& global_options() {
  static const std::vector<OptionSpec> kGlobal = {
      {"home", 0, "DIR", "data directory (default $LANTERN_HOME, $XDG_DATA_HOME/lantern, ~/.local/share/lantern)"},
      {"config", 0, "FILE", "configuration file (default $XDG_CONFIG_HOME/lantern/config.toml)"},
      {"quiet", 'q', "", "print only results and errors"},
      {"verbose", 'v', "", "print more detail (timings, decisions) to stderr"},
      {"help", 'h', "", "show help for lantern or the command"},
      {"version", 0, "", "print the version and exit"},
      {"raw-output", 0, "", "write model output and document text unchanged (no escaping of control characters)"},
  };
  return kGlobal;
}

std::optional<std::string> ParsedArgs::get(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

const std::vector<std::string>& ParsedArgs::get_all(const std::string& name) const {
  static const std::vector<std::string> kEmpty;
  auto it = values.find(name);
  return it == values.end() ? kEmpty : it->second;
}

Result<int64_t> parse_int(const std::string& what, const std::string& text, int64_t min, int64_t max) {
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE) {
    return Status::invalid_argument(what + ": '" + text + "' is not an integer");
  }
  if (v < min || v > max) {
    return Status::invalid_argument(what + ": " + text + " is out of range [" + std::to_string(min) + ", " +
                                    std::to_string(max) + "]");
  }
  return static_cast<int64_t>(v);
}

Result<double> parse_double(const std::string& what, const std::string& text, double min, double max) {
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v)) {
    return Status::invalid_argument(what + ": '" + text + "' is not a number");
  }
  if (v < min || v > max) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%s: %s is out of range [%g, %g]", what.c_str(), text.c_str(), min, max);
    return Status::invalid_argument(buf);
  }
  return v;
}

namespace {
// How errors name an option: "-k" for the one-letter ones (whose long form "--k" is accepted but
// never shown), "--temp" otherwise.
std::string option_label(const std::string& name) { return (name.size() == 1 ? "-" : "--") + name; }
}  // namespace

Result<int64_t> ParsedArgs::get_int(const std::string& name, int64_t fallback, int64_t min, int64_t max) const {
  auto v = get(name);
  if (!v) return fallback;
  return parse_int(option_label(name), *v, min, max);
}

Result<double> ParsedArgs::get_double(const std::string& name, double fallback, double min, double max) const {
  auto v = get(name);
  if (!v) return fallback;
  return parse_double(option_label(name), *v, min, max);
}

Result<ParsedArgs> parse_command_line(const std::vector<std::string>& argv, OptionsForCommand options_for) {
  ParsedArgs out;
  const std::vector<OptionSpec>& globals = global_options();
  const std::vector<OptionSpec>* cmd_opts = nullptr;
  bool options_done = false;

  // Looks an option up among the globals, then the command's.
  auto lookup_long = [&](const std::string& name) -> const OptionSpec* {
    if (const OptionSpec* s = find_long(globals, name)) return s;
    return cmd_opts ? find_long(*cmd_opts, name) : nullptr;
  };
  auto lookup_short = [&](char c) -> const OptionSpec* {
    if (const OptionSpec* s = find_short(globals, c)) return s;
    return cmd_opts ? find_short(*cmd_opts, c) : nullptr;
  };
  auto store = [&](const OptionSpec& spec, std::string value) -> Status {
    auto& slot = out.values[spec.long_name];
    if (!slot.empty() && !spec.repeatable && !spec.value_name.empty() && slot.back() != value) {
      // Last one wins, like most tools; but keep a record so getters see the final value.
      slot.clear();
    }
    slot.push_back(std::move(value));
    return ok_status();
  };

  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (options_done || arg.size() < 2 || arg[0] != '-') {
      if (out.command.empty() && !options_done) {
        cmd_opts = options_for(arg);
        if (!cmd_opts) return Status::invalid_argument("unknown command '" + arg + "'");
        out.command = arg;
      } else {
        out.positional.push_back(arg);
      }
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg[1] == '-') {  // --name or --name=value
      std::string body = arg.substr(2);
      std::optional<std::string> inline_value;
      if (auto eq = body.find('='); eq != std::string::npos) {
        inline_value = body.substr(eq + 1);
        body.resize(eq);
      }
      const OptionSpec* spec = lookup_long(body);
      if (!spec) return Status::invalid_argument(where(out.command) + "unknown option '--" + body + "'");
      if (spec->value_name.empty()) {
        if (inline_value) return Status::invalid_argument(where(out.command) + "option '--" + body + "' takes no value");
        LT_RETURN_IF_ERROR(store(*spec, ""));
      } else if (inline_value) {
        LT_RETURN_IF_ERROR(store(*spec, *inline_value));
      } else {
        if (i + 1 >= argv.size()) {
          return Status::invalid_argument(where(out.command) + "option '--" + body + "' needs a value (" +
                                          spec->value_name + ")");
        }
        LT_RETURN_IF_ERROR(store(*spec, argv[++i]));
      }
      continue;
    }
    // Short options, possibly clustered: -qv, -n5, -n 5.
    for (size_t k = 1; k < arg.size(); ++k) {
      char c = arg[k];
      const OptionSpec* spec = lookup_short(c);
      if (!spec) return Status::invalid_argument(where(out.command) + "unknown option '-" + std::string(1, c) + "'");
      if (spec->value_name.empty()) {
        LT_RETURN_IF_ERROR(store(*spec, ""));
        continue;
      }
      if (k + 1 < arg.size()) {
        LT_RETURN_IF_ERROR(store(*spec, arg.substr(k + 1)));
      } else if (i + 1 < argv.size()) {
        LT_RETURN_IF_ERROR(store(*spec, argv[++i]));
      } else {
        return Status::invalid_argument(where(out.command) + "option '-" + std::string(1, c) + "' needs a value (" +
                                        spec->value_name + ")");
      }
      break;
    }
  }
  return out;
}

}  // namespace lantern::app
