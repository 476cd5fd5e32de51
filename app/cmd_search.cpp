// `lantern search`: ranked chunks of a knowledge base for a query, for people or as JSON.
//
// The one thing to know: every piece of document text is sanitized on its own before the match
// markers (bold on a terminal, [ ] otherwise) go around it, so a marker can never be produced or
// swallowed by the text. --json prints raw text (JSON-escaped), never sanitized or marked.
#include <cstdio>
#include <string>

#include "command.h"
#include "kb_access.h"
#include "lantern/json.h"
#include "lantern/kb/search.h"
#include "lantern/ui/sanitize.h"

namespace lantern::app {
namespace {

std::string clean(std::string_view s) { return ui::sanitize(s, {false, false}); }

// `text` with its byte ranges `marks` wrapped in open/close markers, each piece sanitized.
std::string marked_text(const std::string& text, const std::vector<kb::ByteRange>& marks, const char* open,
                        const char* close) {
  std::string out;
  size_t pos = 0;
  for (auto [b, e] : marks) {
    if (b < pos || e > text.size() || b >= e) continue;
    out += clean(std::string_view(text).substr(pos, b - pos));
    out += open;
    out += clean(std::string_view(text).substr(b, e - b));
    out += close;
    pos = e;
  }
  out += clean(std::string_view(text).substr(pos));
  return out;
}

json::Value hit_json(const kb::SearchHit& h) {
  json::Value o = json::Value::object();
  o.set("rank", h.rank);
  o.set("score", h.score);
  o.set("path", h.path);
  o.set("title", h.title);
  o.set("page", h.page ? json::Value(*h.page) : json::Value());
  o.set("heading", h.heading);
  o.set("kb", h.kb);
  o.set("chunk_id", h.chunk_id);
  o.set("doc_id", h.doc_id);
  o.set("start", h.start);
  o.set("end", h.end);
  o.set("text", h.text);
  o.set("snippet", h.snippet);
  json::Value marks = json::Value::array();
  for (auto [b, e] : h.highlights) {
    json::Value r = json::Value::array();
    r.push(static_cast<int64_t>(b));
    r.push(static_cast<int64_t>(e));
    marks.push(std::move(r));
  }
  o.set("highlights", std::move(marks));
  return o;
}

void print_hit(const Context& ctx, const kb::SearchHit& h) {
  const bool tty = ctx.stdout_tty;
  const char* bold = tty ? "\033[1m" : "";
  const char* reset = tty ? "\033[0m" : "";
  std::string title = h.title.empty() ? h.path : h.title;
  std::printf("%d. %s%s%s  (score %.2f)\n", h.rank, bold, clean(title).c_str(), reset, h.score);
  std::string where = h.path;
  if (h.page) where += "  p. " + std::to_string(*h.page);
  if (!h.heading.empty()) where += "  " + h.heading;
  std::printf("   %s\n", clean(where).c_str());
  std::string snippet = tty ? marked_text(h.snippet, h.snippet_highlights, "\033[1;33m", "\033[0m")
                            : marked_text(h.snippet, h.snippet_highlights, "[", "]");
  std::printf("   %s\n", snippet.c_str());
}

int run_search(Context& ctx) {
  if (ctx.args.positional.empty()) return usage_error(ctx, "no QUERY given");
  std::string query;
  for (const auto& word : ctx.args.positional) {
    if (!query.empty()) query += ' ';
    query += word;
  }
  if (query.find_first_not_of(" \t\r\n\f\v") == std::string::npos) return usage_error(ctx, "empty QUERY");
  auto name = kb_name_from(ctx);
  if (!name.ok()) return usage_error(ctx, name.status().message());
  auto k = ctx.args.get_int("k", 10, 1, 1000);
  if (!k.ok()) return usage_error(ctx, k.status().message());
  const bool as_json = ctx.args.has("json");

  auto store = open_knowledge_base(ctx);
  if (!store.ok()) return runtime_error(ctx, store.status());
  kb::SearchOptions opt;
  opt.kb = *name;
  opt.k = static_cast<int>(*k);
  auto hits = kb::search_chunks((*store)->handle(), query, opt);
  if (!hits.ok()) {
    // Nothing imported yet: the default knowledge base does not exist; that is "no hits".
    if (hits.status().code() == StatusCode::kNotFound && *name == kb::kDefaultKb) {
      hits = std::vector<kb::SearchHit>{};
      if (!as_json && !ctx.quiet) std::fprintf(stderr, "lantern: search: nothing imported yet (lantern import PATH)\n");
    } else if (hits.status().code() == StatusCode::kNotFound) {
      return runtime_error(ctx, kb_not_found(*name));
    } else {
      return runtime_error(ctx, hits.status());
    }
  }
  if (as_json) {
    json::Value arr = json::Value::array();
    for (const auto& h : *hits) arr.push(hit_json(h));
    std::printf("%s\n", arr.dump(2).c_str());
    return kExitOk;
  }
  if (hits->empty()) {
    if (!ctx.quiet) std::printf("no matches\n");
    return kExitOk;
  }
  for (size_t i = 0; i < hits->size(); ++i) {
    if (i > 0) std::printf("\n");
    print_hit(ctx, (*hits)[i]);
  }
  return kExitOk;
}

}  // namespace

extern const CommandSpec kCmdSearch = {
    "search",
    "search a knowledge base",
    "search QUERY... [--kb NAME] [-k K] [--json]",
    "Prints the chunks of a knowledge base that best match QUERY (words given separately are\n"
    "joined), best first: rank, document title and score, path with page and heading, and a\n"
    "snippet with the matched words marked (bold on a terminal, [ ] otherwise). Ranking is BM25\n"
    "over an index that folds case and width, stems English words and splits Chinese, Japanese\n"
    "and Korean text into character pairs, so no word segmentation is needed; matches in a\n"
    "document's title count more. The query is plain text: quotes and operators have no special\n"
    "meaning. --json prints an array of objects with rank, score, path, title, page, heading,\n"
    "kb, chunk_id, doc_id, start and end (character offsets of the chunk in the document's text),\n"
    "text, snippet and highlights (byte ranges of the matches in text).",
    {
        {"kb", 0, "NAME", "knowledge base to search (default: default)"},
        {"k", 'k', "K", "number of results, 1-1000 (default 10)"},
        {"json", 0, "", "print the results as a JSON array"},
    },
    run_search,
};

}  // namespace lantern::app
