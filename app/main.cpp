// lantern's entry point: parse the command line, resolve the data dir and config, dispatch.
#include <unistd.h>

#include <cstdio>

#include "command.h"
#include "lantern_version.h"
#include "lantern/ui/sanitize.h"
#include "paths.h"

using namespace lantern;
using namespace lantern::app;

namespace {

const std::vector<OptionSpec>* options_for(const std::string& name) {
  static const std::vector<OptionSpec> kNone;
  if (name == "help") return &kNone;
  const CommandSpec* spec = find_command(name);
  return spec ? &spec->options : nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  Context ctx;
  ctx.stdin_tty = isatty(STDIN_FILENO);
  ctx.stdout_tty = isatty(STDOUT_FILENO);
  ctx.stderr_tty = isatty(STDERR_FILENO);

  auto parsed = parse_command_line(args, options_for);
  if (!parsed.ok()) {
    // Name the command in the hint when one was recognised before the bad word.
    for (size_t i = 1; i < args.size(); ++i) {
      if (find_command(args[i])) { ctx.args.command = args[i]; break; }
    }
    std::string msg = parsed.status().message();
    if (!ctx.args.command.empty() && msg.rfind(ctx.args.command + ": ", 0) == 0) {
      msg = msg.substr(ctx.args.command.size() + 2);
    }
    return usage_error(ctx, msg);
  }
  ctx.args = std::move(parsed).value();
  ctx.quiet = ctx.args.has("quiet");
  ctx.verbose = ctx.args.has("verbose");
  ctx.raw_output = ctx.args.has("raw-output");

  if (ctx.args.has("version")) {
    std::printf("lantern %s\n", LANTERN_VERSION);
    return kExitOk;
  }
  if (ctx.args.command == "help") {
    // `lantern help help` is a request for help too: the general help says how help works.
    if (ctx.args.positional.empty() || ctx.args.positional[0] == "help") {
      std::fputs(general_help().c_str(), stdout);
      return kExitOk;
    }
    const CommandSpec* spec = find_command(ctx.args.positional[0]);
    if (!spec) {
      ctx.args.command.clear();
      return usage_error(ctx, "unknown command '" + ctx.args.positional[0] + "'");
    }
    std::fputs(command_help(*spec).c_str(), stdout);
    return kExitOk;
  }
  if (ctx.args.has("help")) {
    const CommandSpec* spec = ctx.args.command.empty() ? nullptr : find_command(ctx.args.command);
    std::fputs(spec ? command_help(*spec).c_str() : general_help().c_str(), stdout);
    return kExitOk;
  }
  if (ctx.args.command.empty()) {
    if (!(ctx.stdin_tty && ctx.stdout_tty)) {
      std::fputs("usage: lantern [OPTIONS] COMMAND [ARGS] (see 'lantern --help'; with no command, "
                 "lantern opens the chat TUI in a terminal)\n", stderr);
      return kExitUsage;
    }
    ctx.args.command = "chat";
  }

  auto env = process_env();
  auto home = resolve_home(ctx.args.get("home"), env);
  if (!home.ok()) return runtime_error(ctx, home.status());
  ctx.home = *home;
  auto cfg_loc = resolve_config(ctx.args.get("config"), env);
  if (!cfg_loc.ok()) return runtime_error(ctx, cfg_loc.status());
  ctx.config_path = cfg_loc->path;
  if (!ctx.config_path.empty()) {
    auto cfg = Config::load(ctx.config_path, !cfg_loc->explicit_path);
    if (!cfg.ok()) return runtime_error(ctx, cfg.status());
    ctx.config = std::move(cfg).value();
    // A misspelt key would otherwise be silently ignored: warn once per key (a key set twice is
    // one entry, so one warning).
    if (!ctx.quiet) {
      for (const auto& [key, line] : ctx.config.unknown_keys()) {
        std::string msg = ctx.config.origin() + ":" + std::to_string(line) + ": unknown config key '" + key + "' (ignored)";
        std::fprintf(stderr, "lantern: warning: %s\n", ui::sanitize(msg, {false, false}).c_str());
      }
    }
  }

  const CommandSpec* spec = find_command(ctx.args.command);
  return spec->run(ctx);
}
