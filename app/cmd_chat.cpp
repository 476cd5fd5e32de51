// `lantern chat`: open the chat TUI (default in a terminal).
#include "command.h"

namespace lantern::app {
namespace {
int run_chat(Context& ctx) { return not_built_yet(ctx, "issue #7"); }
}  // namespace

extern const CommandSpec kCmdChat = {
    "chat",
    "open the chat TUI (default in a terminal)",
    "chat [--kb NAME] [-m MODEL] [--plain]",
    "",
    {},
    run_chat,
};

}  // namespace lantern::app
