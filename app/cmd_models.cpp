// `lantern models`: list GGUF models (models dir, paths, Ollama store).
#include "command.h"

namespace lantern::app {
namespace {
int run_models(Context& ctx) { return not_built_yet(ctx, "issue #3"); }
}  // namespace

extern const CommandSpec kCmdModels = {
    "models",
    "list GGUF models (models dir, paths, Ollama store)",
    "models [PATH...]",
    "",
    {},
    run_models,
};

}  // namespace lantern::app
