// `lantern bench`: measure load time, prompt and decode speed.
#include "command.h"

namespace lantern::app {
namespace {
int run_bench(Context& ctx) { return not_built_yet(ctx, "issue #5"); }
}  // namespace

extern const CommandSpec kCmdBench = {
    "bench",
    "measure load time, prompt and decode speed",
    "bench -m MODEL [-p 512] [-n 128] [-t T] [--json]",
    "",
    {},
    run_bench,
};

}  // namespace lantern::app
