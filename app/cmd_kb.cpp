// `lantern kb`: manage knowledge bases (list, info, docs, rm, forget, audit).
//
// Output is plain aligned text for people; every string that came from a file (paths, titles,
// errors) passes ui::sanitize() before it reaches the terminal.
#include <cstdio>
#include <ctime>

#include "command.h"
#include "kb_access.h"
#include "lantern/ui/sanitize.h"

namespace lantern::app {
namespace {

std::string clean(const std::string& s) { return ui::sanitize(s, {false, false}); }

std::string date_text(int64_t ms) {
  if (ms <= 0) return "-";
  time_t t = static_cast<time_t>(ms / 1000);
  struct tm tm {};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

int kb_list(Context& ctx, kb::KnowledgeBase& store) {
  auto kbs = store.list_kbs();
  if (!kbs.ok()) return runtime_error(ctx, kbs.status());
  if (kbs->empty()) {
    if (!ctx.quiet) std::printf("no knowledge bases yet (lantern import PATH creates 'default')\n");
    return kExitOk;
  }
  std::printf("%-24s %9s %9s %10s  %s\n", "NAME", "DOCUMENTS", "CHUNKS", "SIZE", "CREATED");
  for (const kb::KbInfo& k : *kbs) {
    std::printf("%-24s %9lld %9lld %10s  %s\n", clean(k.name).c_str(), static_cast<long long>(k.n_documents),
                static_cast<long long>(k.n_chunks), human_bytes(k.total_bytes).c_str(), date_text(k.created_ms).c_str());
  }
  return kExitOk;
}

int kb_info(Context& ctx, kb::KnowledgeBase& store, const std::string& name) {
  Status exists = require_kb(store, name);
  if (!exists.ok()) return runtime_error(ctx, exists);
  auto info = store.kb_info(name);
  if (!info.ok() && info.status().code() == StatusCode::kNotFound) {
    info = kb::KbInfo{};  // the default knowledge base before anything was imported: empty
    info->name = name;
  }
  if (!info.ok()) return runtime_error(ctx, info.status());
  std::printf("name:        %s\n", clean(info->name).c_str());
  std::printf("created:     %s\n", date_text(info->created_ms).c_str());
  std::printf("documents:   %lld (%lld failed)\n", static_cast<long long>(info->n_documents),
              static_cast<long long>(info->n_failed));
  std::printf("chunks:      %lld\n", static_cast<long long>(info->n_chunks));
  std::printf("file bytes:  %s\n", human_bytes(info->total_bytes).c_str());
  std::printf("text chars:  %lld\n", static_cast<long long>(info->text_chars));
  std::printf("database:    %s (schema %d)\n", clean(store.path()).c_str(), kb::KnowledgeBase::schema_version());
  return kExitOk;
}

int kb_docs(Context& ctx, kb::KnowledgeBase& store, const std::string& name) {
  Status exists = require_kb(store, name);
  if (!exists.ok()) return runtime_error(ctx, exists);
  auto docs = store.list_documents(name);
  if (!docs.ok() && docs.status().code() == StatusCode::kNotFound) docs = std::vector<kb::DocumentInfo>{};
  if (!docs.ok()) return runtime_error(ctx, docs.status());
  if (docs->empty()) {
    if (!ctx.quiet) std::printf("no documents in '%s'\n", clean(name).c_str());
    return kExitOk;
  }
  std::printf("%-6s %-5s %7s %10s  %-19s  %s\n", "STATUS", "TYPE", "CHUNKS", "SIZE", "IMPORTED", "PATH");
  for (const kb::DocumentInfo& d : *docs) {
    std::printf("%-6s %-5s %7lld %10s  %-19s  %s\n", d.status.c_str(), d.format.c_str(),
                static_cast<long long>(d.n_chunks), human_bytes(d.size).c_str(), date_text(d.imported_ms).c_str(),
                clean(d.path).c_str());
    if (ctx.verbose && !d.title.empty()) std::printf("%50s title: %s\n", "", clean(d.title).c_str());
    if (!d.error.empty()) std::printf("%50s error: %s\n", "", clean(d.error).c_str());
  }
  return kExitOk;
}

int kb_audit(Context& ctx, kb::KnowledgeBase& store) {
  auto limit = ctx.args.get_int("limit", 50, 1, 1000000);
  if (!limit.ok()) return usage_error(ctx, limit.status().message());
  auto entries = store.list_audit(*limit);
  if (!entries.ok()) return runtime_error(ctx, entries.status());
  if (entries->empty()) {
    if (!ctx.quiet) std::printf("the audit log is empty\n");
    return kExitOk;
  }
  std::printf("%-19s %-12s %-12s %-24s %8s  %-12s %s\n", "TIME", "USER", "KB", "MODEL", "LATENCY", "QUESTION", "SOURCES");
  for (const kb::AuditEntry& e : *entries) {
    std::printf("%-19s %-12s %-12s %-24s %6lldms  %-12s %s\n", date_text(e.time_ms).c_str(), clean(e.os_user).c_str(),
                clean(e.kb).c_str(), clean(e.model).c_str(), static_cast<long long>(e.latency_ms),
                clean(e.question_sha256.substr(0, 12)).c_str(), clean(e.sources_json).c_str());
  }
  return kExitOk;
}

int run_kb(Context& ctx) {
  const auto& pos = ctx.args.positional;
  if (pos.empty()) return usage_error(ctx, "missing subcommand (list, info, docs, rm, forget, audit)");
  const std::string& sub = pos[0];
  auto default_name = kb_name_from(ctx);
  if (!default_name.ok()) return usage_error(ctx, default_name.status().message());
  auto want_args = [&](size_t min, size_t max) { return pos.size() - 1 >= min && pos.size() - 1 <= max; };
  bool known = sub == "list" || sub == "info" || sub == "docs" || sub == "rm" || sub == "forget" || sub == "audit";
  if (!known) return usage_error(ctx, "unknown subcommand '" + sub + "' (list, info, docs, rm, forget, audit)");
  if ((sub == "list" || sub == "audit") && !want_args(0, 0)) return usage_error(ctx, "kb " + sub + " takes no arguments");
  if ((sub == "info" || sub == "docs") && !want_args(0, 1)) return usage_error(ctx, "kb " + sub + " takes one NAME");
  if (sub == "rm" && !want_args(1, 1)) return usage_error(ctx, "kb rm takes one NAME");
  if (sub == "forget" && !want_args(1, 1)) return usage_error(ctx, "kb forget takes one PATH");
  std::string name = pos.size() > 1 ? pos[1] : *default_name;
  if (sub == "info" || sub == "docs" || sub == "rm") {
    Status s = kb::KnowledgeBase::check_kb_name(name);
    if (!s.ok()) return usage_error(ctx, s.message());
  }

  auto opened = open_knowledge_base(ctx);
  if (!opened.ok()) return runtime_error(ctx, opened.status());
  kb::KnowledgeBase& store = **opened;
  if (sub == "list") return kb_list(ctx, store);
  if (sub == "info") return kb_info(ctx, store, name);
  if (sub == "docs") return kb_docs(ctx, store, name);
  if (sub == "audit") return kb_audit(ctx, store);
  if (sub == "rm") {
    auto info = store.kb_info(name);
    if (!info.ok() && info.status().code() == StatusCode::kNotFound) return runtime_error(ctx, kb_not_found(name));
    if (!info.ok()) return runtime_error(ctx, info.status());
    Status s = store.remove_kb(name);
    if (!s.ok()) return runtime_error(ctx, s);
    if (!ctx.quiet) {
      std::printf("removed knowledge base '%s' (%lld documents)\n", clean(name).c_str(),
                  static_cast<long long>(info->n_documents));
    }
    return kExitOk;
  }
  // forget PATH
  Status exists = require_kb(store, *default_name);
  if (!exists.ok()) return runtime_error(ctx, exists);
  auto n = store.forget(*default_name, pos[1]);
  if (!n.ok()) return runtime_error(ctx, n.status());
  if (*n == 0) {
    return runtime_error(ctx, Status::not_found("no document at or under '" + pos[1] + "' in knowledge base '" +
                                                *default_name + "'"));
  }
  if (!ctx.quiet) std::printf("forgot %lld document%s\n", static_cast<long long>(*n), *n == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace

extern const CommandSpec kCmdKb = {
    "kb",
    "manage knowledge bases (list, info, docs, rm, forget, audit)",
    "kb (list | info [NAME] | docs [NAME] | rm NAME | forget PATH | audit) [--kb NAME]",
    "list: every knowledge base with its document and chunk counts. info NAME: counts and sizes.\n"
    "docs NAME: the documents, with status and errors (-v adds titles). rm NAME: delete a knowledge\n"
    "base and its documents. forget PATH: forget a document, or every document under a folder, in\n"
    "the --kb knowledge base. audit: the audit log of answered questions, newest first.\n"
    "NAME defaults to --kb, else 'default'.",
    {
        {"kb", 0, "NAME", "knowledge base for info, docs and forget (default: default)"},
        {"limit", 'n', "N", "audit: show at most N entries (default 50)"},
    },
    run_kb,
};

}  // namespace lantern::app
