// Where lantern keeps its data and looks for its configuration.
//
// Data dir precedence: --home DIR, $LANTERN_HOME, $XDG_DATA_HOME/lantern, $HOME/.local/share/lantern.
// Config precedence: --config FILE, $LANTERN_CONFIG, $XDG_CONFIG_HOME/lantern/config.toml,
// $HOME/.config/lantern/config.toml. Only an explicitly named config file must exist.
// Resolution is pure (environment passed in) so tests need not touch the real environment.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "lantern/status.h"

namespace lantern::app {

using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
EnvLookup process_env();  // getenv; an empty variable counts as unset

Result<std::string> resolve_home(const std::optional<std::string>& flag, const EnvLookup& env);

struct ConfigLocation {
  std::string path;
  bool explicit_path = false;  // named by --config or $LANTERN_CONFIG: must exist
};
Result<ConfigLocation> resolve_config(const std::optional<std::string>& flag, const EnvLookup& env);

// Creates `dir` and its parents (mode 0700 for the ones created). Error names the path.
Status ensure_dir(const std::string& dir);

}  // namespace lantern::app
