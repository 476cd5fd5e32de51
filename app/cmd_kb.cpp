// `lantern kb`: manage knowledge bases (list, info, docs, rm, forget, audit).
#include "command.h"

namespace lantern::app {
namespace {
int run_kb(Context& ctx) { return not_built_yet(ctx, "issue #6"); }
}  // namespace

extern const CommandSpec kCmdKb = {
    "kb",
    "manage knowledge bases (list, info, docs, rm, forget, audit)",
    "kb (list | info NAME | docs NAME | rm NAME | forget PATH | audit)",
    "",
    {},
    run_kb,
};

}  // namespace lantern::app
