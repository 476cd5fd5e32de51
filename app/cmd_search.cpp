// `lantern search`: search a knowledge base.
#include "command.h"

namespace lantern::app {
namespace {
int run_search(Context& ctx) { return not_built_yet(ctx, "issue #6"); }
}  // namespace

extern const CommandSpec kCmdSearch = {
    "search",
    "search a knowledge base",
    "search QUERY [--kb NAME] [-k K] [--json]",
    "",
    {},
    run_search,
};

}  // namespace lantern::app
