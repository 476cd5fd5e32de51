// `lantern import`: import files and folders into a knowledge base.
#include "command.h"

namespace lantern::app {
namespace {
int run_import(Context& ctx) { return not_built_yet(ctx, "issue #6"); }
}  // namespace

extern const CommandSpec kCmdImport = {
    "import",
    "import files and folders into a knowledge base",
    "import PATH... [--kb NAME] [--exclude GLOB] [--prune]",
    "",
    {},
    run_import,
};

}  // namespace lantern::app
