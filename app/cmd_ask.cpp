// `lantern ask`: answer a question from the knowledge base, citing sources.
#include "command.h"

namespace lantern::app {
namespace {
int run_ask(Context& ctx) { return not_built_yet(ctx, "issue #8"); }
}  // namespace

extern const CommandSpec kCmdAsk = {
    "ask",
    "answer a question from the knowledge base, citing sources",
    "ask QUESTION [--kb NAME] [-m MODEL] [-k K] [--json] [--no-kb]",
    "",
    {},
    run_ask,
};

}  // namespace lantern::app
