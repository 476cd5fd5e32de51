// Opening the knowledge base for a command: the data dir is created if needed, then
// <home>/lantern.db is opened (and migrated). Shared by import, kb, search, ask and chat.
#pragma once

#include <memory>
#include <string>

#include "command.h"
#include "lantern/kb/knowledge_base.h"

namespace lantern::app {

Result<std::unique_ptr<kb::KnowledgeBase>> open_knowledge_base(const Context& ctx);

// The knowledge base a command works on: --kb NAME, else "default" (checked for a valid name).
Result<std::string> kb_name_from(const Context& ctx);

// ok when knowledge base `name` exists, and for the default one even before anything was imported
// (a fresh home's default knowledge base is simply empty); otherwise not_found with the one message
// every command uses: "no knowledge base named 'NAME' (see 'lantern kb list')".
Status require_kb(kb::KnowledgeBase& store, const std::string& name);
Status kb_not_found(const std::string& name);

// "12.3 MB" style sizes (decimal units, as the progress bar shows them).
std::string human_bytes(int64_t bytes);

}  // namespace lantern::app
