// The table of subcommands and the help text generated from it.
#include <sstream>

#include "command.h"
#include "lantern/ui/sanitize.h"

namespace lantern::app {

extern const CommandSpec kCmdChat;
extern const CommandSpec kCmdRun;
extern const CommandSpec kCmdTokenize;
extern const CommandSpec kCmdLogits;
extern const CommandSpec kCmdModels;
extern const CommandSpec kCmdBench;
extern const CommandSpec kCmdImport;
extern const CommandSpec kCmdSearch;
extern const CommandSpec kCmdKb;
extern const CommandSpec kCmdAsk;

const std::vector<const CommandSpec*>& all_commands() {
  static const std::vector<const CommandSpec*> kAll = {
      &kCmdChat, &kCmdAsk, &kCmdImport, &kCmdSearch, &kCmdKb, &kCmdRun,
      &kCmdModels, &kCmdTokenize, &kCmdLogits, &kCmdBench,
  };
  return kAll;
}

const CommandSpec* find_command(const std::string& name) {
  for (const CommandSpec* c : all_commands()) {
    if (c->name == name) return c;
  }
  return nullptr;
}

int runtime_error(const Context& ctx, const Status& status) {
  std::string line = "lantern: ";
  if (!ctx.args.command.empty()) line += ctx.args.command + ": ";
  line += status.message();
  std::fprintf(stderr, "%s\n", ui::sanitize(line).c_str());
  return kExitFailure;
}

int usage_error(const Context& ctx, const std::string& message) {
  std::string line = "lantern: ";
  if (!ctx.args.command.empty()) line += ctx.args.command + ": ";
  line += message;
  std::string hint = ctx.args.command.empty() ? "lantern --help" : "lantern help " + ctx.args.command;
  std::fprintf(stderr, "%s (see '%s')\n", ui::sanitize(line).c_str(), hint.c_str());
  return kExitUsage;
}

int not_built_yet(const Context& ctx, const char* issue) {
  std::fprintf(stderr, "lantern: %s: not built yet (%s)\n", ctx.args.command.c_str(), issue);
  return kExitFailure;
}

namespace {
void append_options(std::ostringstream& out, const std::vector<OptionSpec>& options) {
  for (const OptionSpec& o : options) {
    std::string flag = o.short_name ? std::string("-") + o.short_name : "    ";
    // A one-letter long name ("k" for -k) is the short option again: show only "-k".
    if (!(o.short_name && o.long_name.size() == 1)) flag += (o.short_name ? ", --" : "--") + o.long_name;
    if (!o.value_name.empty()) flag += " " + o.value_name;
    out << "  " << flag;
    out << (flag.size() < 26 ? std::string(26 - flag.size(), ' ') : std::string("\n") + std::string(28, ' '));
    out << o.help << "\n";
  }
}
}  // namespace

std::string general_help() {
  std::ostringstream out;
  out << "usage: lantern [OPTIONS] [COMMAND] [ARGS]\n\n"
         "lantern is an offline AI workstation: local GGUF models and a local knowledge base.\n"
         "With no command in a terminal, lantern opens the chat TUI.\n\ncommands:\n";
  for (const CommandSpec* c : all_commands()) {
    out << "  " << c->name << std::string(c->name.size() < 10 ? 10 - c->name.size() : 1, ' ') << c->summary << "\n";
  }
  out << "  help      show help for a command (lantern help COMMAND)\n\nglobal options:\n";
  append_options(out, global_options());
  out << "\nSee 'lantern help COMMAND' or man lantern for details.\n";
  return out.str();
}

std::string command_help(const CommandSpec& spec) {
  std::ostringstream out;
  out << "usage: lantern " << spec.usage << "\n\n" << spec.summary << "\n";
  if (!spec.description.empty()) out << "\n" << spec.description << "\n";
  if (!spec.options.empty()) {
    out << "\noptions:\n";
    append_options(out, spec.options);
  }
  out << "\nglobal options:\n";
  append_options(out, global_options());
  return out.str();
}

}  // namespace lantern::app
