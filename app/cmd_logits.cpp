// `lantern logits`: write float32 logits for a token sequence.
#include "command.h"

namespace lantern::app {
namespace {
int run_logits(Context& ctx) { return not_built_yet(ctx, "issue #4"); }
}  // namespace

extern const CommandSpec kCmdLogits = {
    "logits",
    "write float32 logits for a token sequence",
    "logits -m MODEL --tokens ID,ID,... --out FILE",
    "",
    {},
    run_logits,
};

}  // namespace lantern::app
