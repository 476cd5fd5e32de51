// `lantern tokenize`: print the token ids of a text.
#include "command.h"

namespace lantern::app {
namespace {
int run_tokenize(Context& ctx) { return not_built_yet(ctx, "issue #3"); }
}  // namespace

extern const CommandSpec kCmdTokenize = {
    "tokenize",
    "print the token ids of a text",
    "tokenize -m MODEL (--text T | -f FILE) [--no-bos] [--special] [--pieces]",
    "",
    {},
    run_tokenize,
};

}  // namespace lantern::app
