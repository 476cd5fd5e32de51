// Slash commands; see chat_commands.h.
#include "chat_commands.h"

#include <cctype>
#include <cstdlib>
#include <ctime>
#include <sstream>

namespace lantern::ui {
namespace {

std::string trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

}  // namespace

const std::vector<CommandInfo>& chat_commands() {
  static const std::vector<CommandInfo> kCommands = {
      {"help", "", "list keys and commands"},
      {"model", "NAME|PATH", "load a model (GGUF path, models-dir name or Ollama name:tag)"},
      {"models", "", "list GGUF models; Enter loads one"},
      {"kb", "[NAME]", "switch knowledge base (no name: list them)"},
      {"import", "PATH...", "import files or folders into the knowledge base (background)"},
      {"browse", "[DIR]", "pick files and folders to import with a file browser"},
      {"sources", "", "show the sources of the selected answer"},
      {"set", "KEY=VALUE...", "set options: temp top_p top_k ctx k max_tokens threads seed"},
      {"system", "[TEXT]", "set the system prompt (no text: clear it)"},
      {"new", "", "start a new conversation"},
      {"sessions", "[ID]", "list saved conversations; with an id, resume it"},
      {"rename", "TITLE", "rename the current conversation"},
      {"export", "FILE.md", "export the conversation as Markdown"},
      {"regen", "", "answer the last question again"},
      {"clear", "", "clear the screen and the model's context"},
      {"quit", "", "leave lantern"},
  };
  return kCommands;
}

std::optional<ParsedCommand> parse_command(std::string_view line) {
  std::string t = trim(line);
  if (t.size() < 2 || t[0] != '/' || t[1] == '/' || std::isspace(static_cast<unsigned char>(t[1]))) {
    return std::nullopt;
  }
  size_t sp = 1;
  while (sp < t.size() && !std::isspace(static_cast<unsigned char>(t[sp]))) ++sp;
  ParsedCommand cmd;
  for (size_t i = 1; i < sp; ++i) cmd.name += static_cast<char>(std::tolower(static_cast<unsigned char>(t[i])));
  cmd.arg = trim(std::string_view(t).substr(sp));
  return cmd;
}

std::vector<std::string> complete_command(std::string_view prefix) {
  std::vector<std::string> out;
  for (const CommandInfo& c : chat_commands()) {
    std::string name = std::string("/") + c.name;
    if (name.compare(0, prefix.size(), prefix) == 0) out.push_back(name);
  }
  return out;
}

bool command_takes_path(std::string_view name) {
  return name == "import" || name == "export" || name == "model" || name == "browse";
}

std::string format_time_ago(int64_t unix_ms, int64_t now_ms) {
  int64_t s = (now_ms - unix_ms) / 1000;
  if (s < 0) s = 0;
  if (s < 60) return "just now";
  if (s < 3600) return std::to_string(s / 60) + " min ago";
  if (s < 86400) return std::to_string(s / 3600) + " h ago";
  std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

namespace {

// Splits "a b 'c d'" into words, honouring simple quotes so paths with spaces work.
std::vector<std::string> split_args(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  bool has = false;
  for (char c : s) {
    if (quote) {
      if (c == quote) quote = 0;
      else cur += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      has = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (has || !cur.empty()) out.push_back(cur);
      cur.clear();
      has = false;
    } else {
      cur += c;
    }
  }
  if (has || !cur.empty()) out.push_back(cur);
  return out;
}

std::string expand_home(const std::string& p) {
  if (p.size() >= 1 && p[0] == '~' && (p.size() == 1 || p[1] == '/')) {
    const char* home = std::getenv("HOME");
    if (home) return std::string(home) + p.substr(1);
  }
  return p;
}

}  // namespace

Status run_command(const ParsedCommand& cmd, Backend& backend, CommandHost& host) {
  const std::string& n = cmd.name;
  const std::string& arg = cmd.arg;
  if (n == "help" || n == "?") {
    host.show_help();
  } else if (n == "quit" || n == "exit" || n == "q") {
    host.quit();
  } else if (n == "model") {
    if (arg.empty()) return Status::invalid_argument("/model needs a NAME or PATH (see /models)");
    if (backend.busy(TaskKind::kTurn)) return Status::invalid_argument("wait for the answer to finish (Ctrl-C stops it)");
    backend.load_model(expand_home(arg));
    host.say("loading model " + arg + "…");
  } else if (n == "models") {
    auto models = backend.list_models();
    if (!models.ok()) return models.status();
    host.pick_model(*models);
  } else if (n == "kb") {
    if (arg.empty()) {
      auto kbs = backend.list_kbs();
      if (!kbs.ok()) return kbs.status();
      std::string line = "knowledge bases:";
      for (const auto& k : *kbs) line += " " + k;
      if (kbs->empty()) line += " (none yet)";
      host.say(line + " · current: " + backend.info().kb);
      return ok_status();
    }
    LT_RETURN_IF_ERROR(backend.use_kb(arg));
    host.say("knowledge base: " + arg);
  } else if (n == "import") {
    std::vector<std::string> paths = split_args(arg);
    if (paths.empty()) return Status::invalid_argument("/import needs a PATH (or use /browse)");
    if (backend.busy(TaskKind::kImport)) return Status::invalid_argument("an import is already running");
    for (auto& p : paths) p = expand_home(p);
    backend.import_paths(paths);
  } else if (n == "browse") {
    std::string dir = arg.empty() ? "." : expand_home(arg);
    host.browse(dir);
  } else if (n == "sources") {
    host.show_sources();
  } else if (n == "set") {
    std::vector<std::string> items = split_args(arg);
    if (items.empty()) {
      host.say("options: " + backend.describe_options());
      return ok_status();
    }
    for (const std::string& item : items) {
      size_t eq = item.find('=');
      if (eq == std::string::npos || eq == 0) {
        return Status::invalid_argument("/set: expected KEY=VALUE, got '" + item + "'");
      }
      LT_RETURN_IF_ERROR(backend.set_option(item.substr(0, eq), item.substr(eq + 1)));
    }
    host.say("options: " + backend.describe_options());
  } else if (n == "system") {
    LT_RETURN_IF_ERROR(backend.set_system_prompt(arg));
    host.say(arg.empty() ? "system prompt cleared" : "system prompt set");
  } else if (n == "new") {
    if (backend.busy(TaskKind::kTurn)) return Status::invalid_argument("wait for the answer to finish (Ctrl-C stops it)");
    LT_RETURN_IF_ERROR(backend.new_session());
    auto s = backend.current_session();
    if (!s.ok()) return s.status();
    host.show_session(*s);
    host.say("new conversation");
  } else if (n == "sessions") {
    if (!arg.empty()) {
      if (backend.busy(TaskKind::kTurn)) return Status::invalid_argument("wait for the answer to finish (Ctrl-C stops it)");
      char* end = nullptr;
      long long id = std::strtoll(arg.c_str(), &end, 10);
      if (arg.empty() || *end != '\0' || id <= 0) return Status::invalid_argument("/sessions: '" + arg + "' is not a session id");
      auto s = backend.resume_session(id);
      if (!s.ok()) return s.status();
      host.show_session(*s);
      host.say("resumed: " + s->info.title);
      return ok_status();
    }
    auto list = backend.list_sessions();
    if (!list.ok()) return list.status();
    host.pick_session(*list);
  } else if (n == "rename") {
    if (arg.empty()) return Status::invalid_argument("/rename needs a TITLE");
    LT_RETURN_IF_ERROR(backend.rename_session(arg));
    host.say("renamed to: " + arg);
  } else if (n == "export") {
    if (arg.empty()) return Status::invalid_argument("/export needs a FILE.md");
    std::string path = expand_home(arg);
    LT_RETURN_IF_ERROR(backend.export_session(path));
    host.say("exported to " + path);
  } else if (n == "regen") {
    if (backend.busy(TaskKind::kTurn)) return Status::invalid_argument("an answer is still being generated");
    auto s = backend.current_session();
    if (!s.ok()) return s.status();
    bool has_question = false;
    for (const auto& m : s->messages) has_question |= m.role == Role::kUser;
    if (!has_question) return Status::invalid_argument("/regen: nothing to answer again yet");
    host.regenerating();
    backend.regenerate();
  } else if (n == "clear") {
    LT_RETURN_IF_ERROR(backend.clear_context());
    host.clear_screen();
  } else {
    return Status::invalid_argument("unknown command '/" + n + "' (see /help)");
  }
  return ok_status();
}

}  // namespace lantern::ui
