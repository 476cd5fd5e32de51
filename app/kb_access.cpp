// See kb_access.h.
#include "kb_access.h"

#include <cstdio>

#include "paths.h"

namespace lantern::app {

Result<std::unique_ptr<kb::KnowledgeBase>> open_knowledge_base(const Context& ctx) {
  LT_RETURN_IF_ERROR(ensure_dir(ctx.home));
  return kb::KnowledgeBase::open(ctx.home);
}

Result<std::string> kb_name_from(const Context& ctx) {
  std::string name = ctx.args.get("kb").value_or(kb::kDefaultKb);
  LT_RETURN_IF_ERROR(kb::KnowledgeBase::check_kb_name(name));
  return name;
}

Status kb_not_found(const std::string& name) {
  return Status::not_found("no knowledge base named '" + name + "' (see 'lantern kb list')");
}

Status require_kb(kb::KnowledgeBase& store, const std::string& name) {
  auto info = store.kb_info(name);
  if (info.ok()) return Status();
  if (info.status().code() != StatusCode::kNotFound) return info.status();
  if (name == kb::kDefaultKb) return Status();
  return kb_not_found(name);
}

std::string human_bytes(int64_t bytes) {
  char buf[32];
  double b = static_cast<double>(bytes);
  if (b < 1e3) {
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  } else if (b < 1e6) {
    std::snprintf(buf, sizeof buf, "%.1f kB", b / 1e3);
  } else if (b < 1e9) {
    std::snprintf(buf, sizeof buf, "%.1f MB", b / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f GB", b / 1e9);
  }
  return buf;
}

}  // namespace lantern::app
