// `lantern run`: generate text with a model, streaming to stdout.
#include "command.h"

namespace lantern::app {
namespace {
int run_run(Context& ctx) { return not_built_yet(ctx, "issue #4"); }
}  // namespace

extern const CommandSpec kCmdRun = {
    "run",
    "generate text with a model, streaming to stdout",
    "run -m MODEL [-p TEXT | -f FILE] [-n N] [OPTIONS]",
    "",
    {},
    run_run,
};

}  // namespace lantern::app
