// `lantern chat`: the chat TUI in a terminal, or the plain line REPL when stdout is not a terminal
// or with --plain. Builds the ChatBackend from the engine and kb services available and hands it
// to the front-end (lantern/ui/chat_ui.h).
//
// The one thing to know: the services are wired here and only here; ChatBackend sees them as
// ChatServices functions, and the ui/ library sees only the abstract Backend.
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>

#include "chat_backend.h"
#include "chat_services.h"
#include "command.h"
#include "kb_access.h"
#include "lantern/ui/chat_ui.h"
#include "paths.h"

namespace lantern::app {
namespace {

// lantern's own documentation for the first-run import: from the source tree it was built from,
// or from an installed share/ next to the binary.
std::vector<std::string> find_builtin_docs() {
  namespace fs = std::filesystem;
  std::vector<fs::path> roots;
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    fs::path bin = fs::path(exe).parent_path();
    roots.push_back(bin.parent_path());  // build/lantern -> the source tree
    roots.push_back(bin.parent_path() / "share" / "doc" / "lantern");
  }
#ifdef LANTERN_SOURCE_DIR
  roots.push_back(LANTERN_SOURCE_DIR);
#endif
  for (const fs::path& root : roots) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const char* rel : {"README.md", "man/lantern.1"}) {
      fs::path p = root / rel;
      if (fs::exists(p, ec)) out.push_back(p.string());
    }
    // The Markdown guides in docs/ (not the screen captures kept there: they would answer
    // questions with pictures of earlier answers).
    std::vector<std::string> guides;
    for (auto it = fs::directory_iterator(root / "docs", ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      if (it->path().extension() == ".md") guides.push_back(it->path().string());
    }
    std::sort(guides.begin(), guides.end());
    out.insert(out.end(), guides.begin(), guides.end());
    if (!out.empty() && fs::exists(root / "README.md", ec)) {
      if (n > 0) {
        fs::path man = fs::path(exe).parent_path().parent_path() / "share" / "man" / "man1" / "lantern.1";
        if (fs::exists(man, ec) && std::find(out.begin(), out.end(), man.string()) == out.end()) {
          out.push_back(man.string());
        }
      }
      return out;
    }
  }
  return {};
}

int run_chat(Context& ctx) {
  if (!ctx.args.positional.empty()) return usage_error(ctx, "unexpected argument '" + ctx.args.positional[0] + "'");
  Status st = ensure_dir(ctx.home);
  if (!st.ok()) return runtime_error(ctx, st);

  ChatSettings settings;
  if (auto kb = ctx.args.get("kb")) settings.kb = *kb;
  auto store = ConversationStore::open(ctx.home + "/conversations.db");
  if (!store.ok()) return runtime_error(ctx, store.status());

  ChatServices services = make_chat_services(ctx);
  services.builtin_docs = find_builtin_docs();
  ChatBackend backend(std::move(services), std::move(store).value(), settings);
  if (auto kb = ctx.args.get("kb")) {
    Status kb_st = backend.use_kb(*kb);
    if (!kb_st.ok()) return usage_error(ctx, "--kb: " + kb_st.message());
    // A named knowledge base must exist (the default one may still be empty).
    auto kbs = open_knowledge_base(ctx);
    if (!kbs.ok()) return runtime_error(ctx, kbs.status());
    Status exists = require_kb(**kbs, *kb);
    if (!exists.ok()) return runtime_error(ctx, exists);
  }
  if (auto model = ctx.args.get("model")) {
    Status load = backend.load_model_now(*model);
    if (!load.ok()) return runtime_error(ctx, load);
  }

  ui::ChatUiOptions options;
  options.history_path = ctx.home + "/history";
  const char* no_color = std::getenv("NO_COLOR");
  options.color = !(no_color && *no_color) && !ctx.args.has("no-color");
  bool tui = ctx.stdout_tty && ctx.stdin_tty && !ctx.args.has("plain");
  return tui ? ui::run_tui(backend, options) : ui::run_plain(backend, options);
}

}  // namespace

extern const CommandSpec kCmdChat = {
    "chat",
    "open the chat TUI (default in a terminal)",
    "chat [--kb NAME] [-m MODEL] [--plain] [--no-color]",
    "Opens the full-screen chat: conversation, sources and stats panes, an input line with history and "
    "completion, and slash commands (/help lists them). Without a model, questions are answered with "
    "the best passages of the knowledge base (extractive mode). When stdout is not a terminal, or with "
    "--plain, it is a line-oriented REPL with the same commands. Conversations are saved in "
    "<home>/conversations.db as they happen (/sessions resumes one).",
    {
        {"kb", 0, "NAME", "knowledge base to answer from (default: default)"},
        {"model", 'm', "MODEL", "model to load at start: GGUF path, models-dir name or Ollama name:tag"},
        {"plain", 0, "", "line-oriented REPL instead of the full-screen TUI"},
        {"no-color", 0, "", "monochrome TUI (also when $NO_COLOR is set)"},
    },
    run_chat,
};

}  // namespace lantern::app
