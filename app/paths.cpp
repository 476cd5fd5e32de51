// Data-dir and config resolution; see paths.h for the precedence rules.
#include "paths.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>

namespace lantern::app {

EnvLookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (!v || !*v) return std::nullopt;
    return std::string(v);
  };
}

Result<std::string> resolve_home(const std::optional<std::string>& flag, const EnvLookup& env) {
  if (flag) {
    if (flag->empty()) return Status::invalid_argument("--home: empty directory name");
    return *flag;
  }
  if (auto v = env("LANTERN_HOME")) return *v;
  if (auto v = env("XDG_DATA_HOME")) return *v + "/lantern";
  if (auto v = env("HOME")) return *v + "/.local/share/lantern";
  return Status::not_found("cannot find a data directory: set $HOME or $LANTERN_HOME, or pass --home DIR");
}

Result<ConfigLocation> resolve_config(const std::optional<std::string>& flag, const EnvLookup& env) {
  if (flag) {
    if (flag->empty()) return Status::invalid_argument("--config: empty file name");
    return ConfigLocation{*flag, true};
  }
  if (auto v = env("LANTERN_CONFIG")) return ConfigLocation{*v, true};
  if (auto v = env("XDG_CONFIG_HOME")) return ConfigLocation{*v + "/lantern/config.toml", false};
  if (auto v = env("HOME")) return ConfigLocation{*v + "/.config/lantern/config.toml", false};
  return ConfigLocation{"", false};
}

Status ensure_dir(const std::string& dir) {
  if (dir.empty()) return Status::invalid_argument("empty directory name");
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return Status::io_error("'" + dir + "' exists and is not a directory");
    return ok_status();
  }
  auto slash = dir.find_last_of('/');
  if (slash != std::string::npos && slash > 0) LT_RETURN_IF_ERROR(ensure_dir(dir.substr(0, slash)));
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::from_errno("cannot create directory '" + dir + "'", errno);
  }
  return ok_status();
}

}  // namespace lantern::app
