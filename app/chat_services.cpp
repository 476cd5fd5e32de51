// ChatServices over what engine/ and kb/ provide; see chat_services.h.
#include "chat_services.h"

#include <algorithm>
#include <filesystem>

namespace lantern::app {

ChatServices make_chat_services(const Context& ctx) {
  ChatServices s;
  std::string models_dir = ctx.home + "/models";
  s.list_models = [models_dir]() -> Result<std::vector<ui::ModelEntry>> {
    // GGUF files in <home>/models (the full model store with Ollama lands with `lantern models`).
    namespace fs = std::filesystem;
    std::vector<ui::ModelEntry> out;
    std::error_code ec;
    for (auto it = fs::directory_iterator(models_dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      if (it->path().extension() != ".gguf") continue;
      ui::ModelEntry m;
      m.name = it->path().filename().string();
      m.path = it->path().string();
      m.origin = "models dir";
      std::error_code e2;
      m.size_bytes = fs::file_size(it->path(), e2);
      out.push_back(std::move(m));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
  };
  return s;
}

}  // namespace lantern::app
