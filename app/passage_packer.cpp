// Greedy packing in rank order. Greedy is right here: ranks are the relevance order the user will
// see, and a better passage must never be displaced by a shorter, worse one.
#include "passage_packer.h"

#include <algorithm>

#include "sentences.h"
#include "text_terms.h"

namespace lantern::app {
namespace {

std::string collapse_spaces(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    bool is_sp = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (is_sp) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string file_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string passage_label(const Passage& p) {
  std::string label = p.title.empty() ? file_name(p.doc) : p.title;
  if (p.page > 0) label += ", p. " + std::to_string(p.page);
  if (!p.heading.empty() && p.heading != p.title) label += ", " + p.heading;
  return label;
}

std::string render_passage(int n, const Passage& p, std::string_view text) {
  std::string out = "[" + std::to_string(n) + "] " + passage_label(p) + "\n";
  out += text;
  out += "\n\n";
  return out;
}

PackResult pack_passages(const std::vector<Passage>& ranked, const PackOptions& options, const TokenCounter& count) {
  PackResult r;
  std::vector<TermBag> kept_bags;
  std::vector<std::string> kept_norm;
  size_t omitted_budget = 0;
  for (const Passage& p : ranked) {
    std::string norm = collapse_spaces(p.text);
    if (norm.empty()) continue;
    TermBag bag = term_bag(norm, {.drop_stopwords = false});
    bool dup = false;
    for (size_t i = 0; i < kept_bags.size() && !dup; ++i) {
      dup = kept_norm[i] == norm || kept_norm[i].find(norm) != std::string::npos ||
            jaccard(kept_bags[i], bag) >= options.near_duplicate;
    }
    if (dup) {
      ++r.duplicates;
      continue;
    }
    const int n = static_cast<int>(r.passages.size()) + 1;
    const size_t remaining = options.budget_tokens > r.tokens ? options.budget_tokens - r.tokens : 0;
    size_t cost = count(render_passage(n, p, p.text));
    if (cost <= remaining) {
      r.passages.push_back({n, p, p.text, false, false});
      r.tokens += cost;
      kept_bags.push_back(std::move(bag));
      kept_norm.push_back(std::move(norm));
      continue;
    }
    // Does not fit whole: trim at sentence boundaries if a useful part fits.
    TrimResult t;
    if (remaining >= options.min_trimmed_tokens) {
      t = trim_to_fit(p.text, [&](std::string_view text) { return count(render_passage(n, p, text)) <= remaining; });
    }
    if (!t.text.empty() && count(t.text) >= options.min_trimmed_tokens / 2) {
      size_t trimmed_cost = count(render_passage(n, p, t.text));
      r.passages.push_back({n, p, t.text, true, false});
      r.tokens += trimmed_cost;
      kept_bags.push_back(std::move(bag));
      kept_norm.push_back(std::move(norm));
      r.notices.push_back("passage [" + std::to_string(n) + "] (" + passage_label(p) + ") trimmed to fit the context: " +
                          (t.mid_sentence ? std::string("cut inside its first sentence")
                                          : std::to_string(t.kept) + " of " + std::to_string(t.total) + " sentences kept"));
      continue;
    }
    r.left_out.push_back(p);
    ++omitted_budget;
  }
  if (omitted_budget > 0) {
    r.notices.push_back(std::to_string(omitted_budget) + " retrieved passage" + (omitted_budget == 1 ? "" : "s") +
                        " left out: the context has room for " + std::to_string(options.budget_tokens) +
                        " passage tokens (raise --ctx or lower -n)");
  }
  return r;
}

}  // namespace lantern::app
