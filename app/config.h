// The configuration file: a small TOML subset, read once at start-up.
//
// Supported: comments (#), [section] and [section.sub] headers, `key = value` with basic
// "strings" (with \" \\ \n \t \uXXXX escapes), 'literal strings', integers, floats, true/false,
// and one-line arrays of those. Keys are addressed as "section.key". A missing file is an empty
// config; a malformed one is an error naming the file and line. Unknown keys are kept and
// reported by `unknown_keys()` so the caller can warn. Every key the program reads must be listed
// in known_config_keys() (config.cpp), or using it in a config file draws a warning.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "lantern/status.h"

namespace lantern::app {

struct ConfigValue {
  std::variant<std::string, int64_t, double, bool, std::vector<std::string>> value;
  int line = 0;  // where it was set, for error messages
};

class Config {
 public:
  // Parses `text`; `origin` names the source in errors ("config.toml:3: ...").
  static Result<Config> parse(const std::string& text, const std::string& origin);
  // Reads and parses `path`. A missing file gives an empty config when `missing_ok`.
  static Result<Config> load(const std::string& path, bool missing_ok);

  bool has(const std::string& key) const { return values_.count(key) != 0; }
  // Typed getters: nullopt when absent; an error when present with another type.
  Result<std::optional<std::string>> get_string(const std::string& key) const;
  Result<std::optional<int64_t>> get_int(const std::string& key) const;
  Result<std::optional<double>> get_double(const std::string& key) const;  // ints convert
  Result<std::optional<bool>> get_bool(const std::string& key) const;

  // Keys set in the file that known_config_keys() does not list, in file order (with their lines).
  std::vector<std::pair<std::string, int>> unknown_keys() const;

  const std::map<std::string, ConfigValue>& values() const { return values_; }
  const std::string& origin() const { return origin_; }
  void set(const std::string& key, ConfigValue v) { values_[key] = std::move(v); }

 private:
  std::string origin_;
  std::map<std::string, ConfigValue> values_;
};

// The configuration keys lantern reads ("section.key"); the one list, documented in man/lantern.1
// (CONFIGURATION). Add a key here when code starts reading it with ctx.config.get_*().
const std::vector<std::string>& known_config_keys();

}  // namespace lantern::app
