// Sources, viewer and stats rendering; see side_panes.h.
#include "side_panes.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "lantern/ui/sanitize.h"
#include "markdown.h"

namespace lantern::ui {
namespace {

std::string one_line(const std::string& s) {
  std::string out = sanitize(s, {.keep_newlines = true, .keep_tabs = false});
  for (char& c : out) {
    if (c == '\n') c = ' ';
  }
  return out;
}

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

}  // namespace

std::string format_bytes(uint64_t bytes) {
  char buf[32];
  double v = static_cast<double>(bytes);
  if (v >= 1024.0 * 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f GiB", v / (1024.0 * 1024 * 1024));
  else if (v >= 1024.0 * 1024) std::snprintf(buf, sizeof buf, "%.0f MiB", v / (1024.0 * 1024));
  else if (v >= 1024.0) std::snprintf(buf, sizeof buf, "%.0f KiB", v / 1024.0);
  else std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  return buf;
}

GlyphRun highlight_terms(std::string_view text, const std::vector<std::string>& terms, Style base) {
  // Mark matched byte ranges, then emit runs of equal style.
  std::vector<char> hit(text.size(), 0);
  for (const std::string& term : terms) {
    if (term.empty() || term.size() > text.size()) continue;
    for (size_t i = 0; i + term.size() <= text.size(); ++i) {
      bool eq = true;
      for (size_t k = 0; k < term.size() && eq; ++k) eq = lower(text[i + k]) == lower(term[k]);
      if (eq) std::fill(hit.begin() + static_cast<long>(i), hit.begin() + static_cast<long>(i + term.size()), 1);
    }
  }
  GlyphRun out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i;
    while (j < text.size() && hit[j] == hit[i]) ++j;
    // Do not end a run inside a UTF-8 sequence (a term could match a partial character).
    while (j < text.size() && (static_cast<unsigned char>(text[j]) & 0xC0) == 0x80) ++j;
    append_glyphs(out, text.substr(i, j - i), hit[i] ? Style::kHighlight : base);
    i = j;
  }
  return out;
}

std::vector<Line> render_sources(const std::vector<SourceView>& sources, int width, int selected,
                                 std::vector<int>* first_line_of) {
  std::vector<Line> lines;
  if (first_line_of) first_line_of->clear();
  if (sources.empty()) {
    Line l;
    l.glyphs = to_glyphs("No sources for this answer.", Style::kDim);
    lines.push_back(std::move(l));
    return lines;
  }
  for (size_t i = 0; i < sources.size(); ++i) {
    const SourceView& s = sources[i];
    if (first_line_of) first_line_of->push_back(static_cast<int>(lines.size()));
    bool sel = static_cast<int>(i) == selected;
    char score[32];
    std::snprintf(score, sizeof score, " %.2f", s.score);
    std::string title = one_line(s.title.empty() ? s.path : s.title);
    std::string loc = one_line(s.location);
    GlyphRun head = to_glyphs("[" + std::to_string(s.n) + "] ", sel ? Style::kSelected : Style::kCitation);
    append_glyphs(head, title + (loc.empty() ? "" : " · " + loc), sel ? Style::kSelected : Style::kBold);
    int score_w = display_width(score);
    Line h;
    h.glyphs = fit(head, std::max(1, width - score_w));
    int pad = width - h.width() - score_w;
    if (pad > 0) append_glyphs(h.glyphs, std::string(static_cast<size_t>(pad), ' '), sel ? Style::kSelected : Style::kNormal);
    append_glyphs(h.glyphs, score, sel ? Style::kSelected : Style::kDim);
    if (sel) h.fill = Style::kSelected;
    lines.push_back(std::move(h));
    std::vector<std::string> terms;
    for (const auto& t : s.highlights) terms.push_back(sanitize(t));
    std::vector<Line> body = wrap(highlight_terms(one_line(s.snippet), terms, Style::kNormal), width, 4, 4);
    if (body.size() > 3) {
      body.resize(3);
      body.back().glyphs = fit(body.back().glyphs, std::max(1, width - 4 - 1));
      if (body.back().width() < width) body.back().glyphs.push_back({"…", 1, Style::kDim});
    }
    for (Line& l : body) lines.push_back(std::move(l));
  }
  return lines;
}

std::vector<Line> render_source_viewer(const SourceView& s, int width, int* passage_line) {
  std::vector<Line> lines;
  auto add = [&](std::vector<Line> ls) {
    for (Line& l : ls) lines.push_back(std::move(l));
  };
  std::string title = one_line(s.title.empty() ? s.path : s.title);
  add(wrap(to_glyphs("[" + std::to_string(s.n) + "] " + title, Style::kHeading), width));
  if (!s.path.empty()) add(wrap(to_glyphs(one_line(s.path), Style::kDim), width));
  char score[48];
  std::snprintf(score, sizeof score, "score %.3f", s.score);
  std::string meta = (s.location.empty() ? "" : one_line(s.location) + " · ") + score;
  add(wrap(to_glyphs(meta, Style::kDim), width));
  lines.push_back(Line{});
  if (!s.context_before.empty()) {
    add(render_plain(sanitize(s.context_before), width, Style::kDim));
    Line sep;
    sep.glyphs = to_glyphs(std::string("── passage ") + "──", Style::kBorder);
    lines.push_back(std::move(sep));
  }
  if (passage_line) *passage_line = static_cast<int>(lines.size());
  std::vector<std::string> terms;
  for (const auto& t : s.highlights) terms.push_back(sanitize(t));
  std::string text = sanitize(s.text.empty() ? s.snippet : s.text);
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view para = std::string_view(text).substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    add(wrap(highlight_terms(para, terms, Style::kNormal), width));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  if (!s.context_after.empty()) {
    Line sep;
    sep.glyphs = to_glyphs("──────────", Style::kBorder);
    lines.push_back(std::move(sep));
    add(render_plain(sanitize(s.context_after), width, Style::kDim));
  }
  return lines;
}

std::vector<Line> render_stats(const StatsView& st, int width) {
  std::vector<Line> lines;
  auto text_line = [&](const std::string& label, const std::string& value, Style vs = Style::kNormal) {
    GlyphRun run = to_glyphs(label, Style::kDim);
    append_glyphs(run, sanitize(value, {.keep_newlines = false, .keep_tabs = false}), vs);
    Line l;
    l.glyphs = fit(run, width);
    lines.push_back(std::move(l));
  };
  // CPU meters: "0 [|||||     ] 45%" — two per row when there are many cores and room.
  size_t n = st.cpu_per_core.size();
  int per_row = (n > 4 && width >= 40) ? 2 : 1;
  int cell_w = width / per_row;
  for (size_t i = 0; i < n; i += static_cast<size_t>(per_row)) {
    Line l;
    for (int k = 0; k < per_row && i + static_cast<size_t>(k) < n; ++k) {
      size_t c = i + static_cast<size_t>(k);
      double pct = std::clamp(st.cpu_per_core[c], 0.0, 100.0);
      char num[16];
      std::snprintf(num, sizeof num, "%3.0f%%", pct);
      std::string label = std::to_string(c);
      if (label.size() < 2) label = " " + label;
      int bar_w = std::max(1, cell_w - static_cast<int>(label.size()) - 3 - 4 - 1);
      int filled = static_cast<int>(pct / 100.0 * bar_w + 0.5);
      append_glyphs(l.glyphs, label + "[", Style::kDim);
      append_glyphs(l.glyphs, std::string(static_cast<size_t>(filled), '|'), Style::kBarFill);
      append_glyphs(l.glyphs, std::string(static_cast<size_t>(bar_w - filled), ' '), Style::kNormal);
      append_glyphs(l.glyphs, "]", Style::kDim);
      append_glyphs(l.glyphs, num, Style::kNormal);
      if (k + 1 < per_row) append_glyphs(l.glyphs, " ", Style::kNormal);
    }
    l.glyphs = fit(l.glyphs, width);
    lines.push_back(std::move(l));
  }
  char buf[128];
  std::snprintf(buf, sizeof buf, "%.0f%%  RSS %s", st.process_cpu, format_bytes(st.rss_bytes).c_str());
  text_line("lantern ", buf);
  if (st.model_name.empty()) {
    text_line("model   ", "none (extractive)", Style::kWarn);
  } else {
    text_line("model   ", st.model_name, Style::kBold);
    std::string detail = st.model_arch;
    if (!st.model_quant.empty()) detail += (detail.empty() ? "" : " · ") + st.model_quant;
    if (st.threads > 0) detail += (detail.empty() ? "" : " · ") + std::to_string(st.threads) + " threads";
    if (!detail.empty()) text_line("        ", detail);
    std::snprintf(buf, sizeof buf, "%lld / %lld", static_cast<long long>(st.ctx_used), static_cast<long long>(st.ctx_size));
    text_line("context ", buf);
  }
  if (st.prompt_tps > 0 || st.decode_tps > 0) {
    std::snprintf(buf, sizeof buf, "prompt %.1f  decode %.1f tok/s", st.prompt_tps, st.decode_tps);
    text_line("speed   ", buf);
  }
  std::string kb = st.kb_name.empty() ? "default" : st.kb_name;
  if (st.kb_docs >= 0) {
    int64_t chunks = std::max<int64_t>(st.kb_chunks, 0);
    kb += " · " + std::to_string(st.kb_docs) + (st.kb_docs == 1 ? " doc · " : " docs · ") + std::to_string(chunks) +
          (chunks == 1 ? " chunk" : " chunks");
  }
  text_line("kb      ", kb);
  if (!st.gpu_present) {
    text_line("GPU: ", "none");
  } else {
    text_line("GPU     ", st.gpu_name);
    std::snprintf(buf, sizeof buf, "%.0f%%  %s / %s", st.gpu_util, format_bytes(st.gpu_mem_used).c_str(),
                  format_bytes(st.gpu_mem_total).c_str());
    text_line("        ", buf);
  }
  return lines;
}

}  // namespace lantern::ui
