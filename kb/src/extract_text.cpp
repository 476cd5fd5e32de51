// Extractors for the text formats: plain text, Markdown, source code, CSV, JSON.
//
// All of them decode first (decode_text: BOM, UTF-16, GB18030, replacement), then normalize, then
// cut blocks. Markdown keeps its source text (the viewer shows it); only headings are recognized
// (ATX "# x", setext underlines, with fenced code and front matter skipped over).
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "extract.h"
#include "lantern/json.h"
#include "normalize.h"
#include "text_decode.h"

namespace lantern::kb {
namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t p = 0;
  while (p <= text.size()) {
    size_t e = text.find('\n', p);
    if (e == std::string_view::npos) e = text.size();
    lines.push_back(text.substr(p, e - p));
    p = e + 1;
  }
  return lines;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string join_lines(const std::vector<std::string_view>& lines) {
  std::string out;
  for (std::string_view l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

// "## Title ##" -> level 2, "Title"; 0 when not an ATX heading.
int atx_heading(std::string_view line, std::string& title) {
  size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ') ++i;
  size_t hashes = 0;
  while (i + hashes < line.size() && line[i + hashes] == '#') ++hashes;
  if (hashes == 0 || hashes > 6) return 0;
  size_t rest = i + hashes;
  if (rest < line.size() && line[rest] != ' ' && line[rest] != '\t') return 0;
  std::string_view t = trim(line.substr(rest));
  while (!t.empty() && t.back() == '#') t.remove_suffix(1);
  title = std::string(trim(t));
  return static_cast<int>(hashes);
}

bool is_fence(std::string_view line, std::string_view* marker) {
  std::string_view t = line;
  size_t i = 0;
  while (i < t.size() && i < 3 && t[i] == ' ') ++i;
  t.remove_prefix(i);
  if (t.substr(0, 3) == "```" || t.substr(0, 3) == "~~~") {
    if (marker) *marker = t.substr(0, 3);
    return true;
  }
  return false;
}

bool all_of_char(std::string_view s, char c) {
  s = trim(s);
  if (s.empty()) return false;
  for (char x : s) {
    if (x != c) return false;
  }
  return true;
}

Block content_block(std::string text, bool line_units) {
  Block b;
  b.text = std::move(text);
  b.line_units = line_units;
  return b;
}

void flatten_json(const json::Value& v, const std::string& path, std::string& out) {
  switch (v.type()) {
    case json::Type::kObject:
      if (v.size() == 0 && !path.empty()) out += path + ": {}\n";
      for (const auto& [k, m] : v.members()) flatten_json(m, path.empty() ? k : path + "." + k, out);
      break;
    case json::Type::kArray:
      if (v.size() == 0 && !path.empty()) out += path + ": []\n";
      for (size_t i = 0; i < v.items().size(); ++i) {
        flatten_json(v.items()[i], path + "[" + std::to_string(i) + "]", out);
      }
      break;
    case json::Type::kString:
      out += (path.empty() ? std::string() : path + ": ") + v.as_string() + "\n";
      break;
    default:
      out += (path.empty() ? std::string() : path + ": ") + v.dump() + "\n";
      break;
  }
}

// One block per top-level record (array element or object member) so records chunk apart.
void json_blocks(const json::Value& root, const std::string& prefix, std::vector<Block>& out) {
  auto add = [&](const json::Value& v, const std::string& path) {
    std::string flat;
    flatten_json(v, path, flat);
    std::string text = normalize_text(flat, Spacing::kProse);
    if (!text.empty()) out.push_back(content_block(std::move(text), true));
  };
  if (root.is_array()) {
    for (size_t i = 0; i < root.items().size(); ++i) add(root.items()[i], prefix + "[" + std::to_string(i) + "]");
  } else if (root.is_object()) {
    for (const auto& [k, m] : root.members()) add(m, prefix.empty() ? k : prefix + "." + k);
  } else {
    add(root, prefix);
  }
}

}  // namespace

Result<Extracted> extract_plain_text(std::string_view bytes) {
  DecodedText d = decode_text(bytes);
  Extracted out;
  out.n_replaced = d.n_replaced;
  append_paragraphs(normalize_text(d.text, Spacing::kProse), 0, out.blocks);
  return out;
}

Result<Extracted> extract_code(std::string_view bytes) {
  DecodedText d = decode_text(bytes);
  Extracted out;
  out.n_replaced = d.n_replaced;
  append_paragraphs(normalize_text(d.text, Spacing::kPreserve), 0, out.blocks);
  for (Block& b : out.blocks) b.line_units = true;
  return out;
}

Result<Extracted> extract_markdown(std::string_view bytes) {
  DecodedText d = decode_text(bytes);
  Extracted out;
  out.n_replaced = d.n_replaced;
  std::string text = normalize_text(d.text, Spacing::kPreserve);
  std::vector<std::string_view> lines = split_lines(text);
  std::vector<std::string_view> para;
  auto flush = [&]() {
    if (!para.empty()) out.blocks.push_back(content_block(join_lines(para), false));
    para.clear();
  };
  size_t i = 0;
  // Front matter: "---" on the first line up to the next "---" or "...".
  if (!lines.empty() && trim(lines[0]) == "---") {
    for (size_t k = 1; k < lines.size(); ++k) {
      if (trim(lines[k]) == "---" || trim(lines[k]) == "...") {
        std::vector<std::string_view> fm(lines.begin(), lines.begin() + static_cast<long>(k) + 1);
        out.blocks.push_back(content_block(join_lines(fm), true));
        for (size_t m = 1; m < k; ++m) {
          std::string_view l = trim(lines[m]);
          if (l.substr(0, 6) == "title:") {
            std::string_view t = trim(l.substr(6));
            if (t.size() >= 2 && (t.front() == '"' || t.front() == '\'') && t.back() == t.front()) {
              t = t.substr(1, t.size() - 2);
            }
            out.title = std::string(t);
          }
        }
        i = k + 1;
        break;
      }
    }
  }
  std::string first_h1;
  for (; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    std::string_view marker;
    if (is_fence(line, &marker)) {
      flush();
      std::vector<std::string_view> code{line};
      size_t k = i + 1;
      for (; k < lines.size(); ++k) {
        code.push_back(lines[k]);
        std::string_view m2;
        if (is_fence(lines[k], &m2) && m2 == marker) break;
      }
      out.blocks.push_back(content_block(join_lines(code), true));
      i = k;
      continue;
    }
    std::string title;
    if (int level = atx_heading(line, title)) {
      flush();
      Block b;
      b.text = std::string(trim(line));
      b.heading = title;
      b.heading_level = level;
      if (level == 1 && first_h1.empty()) first_h1 = title;
      if (!title.empty()) out.blocks.push_back(std::move(b));
      continue;
    }
    if (!para.empty() && (all_of_char(line, '=') || all_of_char(line, '-')) && line.find_first_not_of(" ") < 4) {
      int level = all_of_char(line, '=') ? 1 : 2;
      std::string_view heading_line = para.back();
      para.pop_back();
      flush();
      Block b;
      b.heading = std::string(trim(heading_line));
      b.text = b.heading + "\n" + std::string(trim(line));
      b.heading_level = level;
      if (level == 1 && first_h1.empty()) first_h1 = b.heading;
      out.blocks.push_back(std::move(b));
      continue;
    }
    if (trim(line).empty()) {
      flush();
      continue;
    }
    para.push_back(line);
  }
  flush();
  if (out.title.empty()) out.title = first_h1;
  return out;
}

Result<Extracted> extract_csv(std::string_view bytes) {
  DecodedText d = decode_text(bytes);
  std::string text = std::move(d.text);
  // Delimiter: the most frequent of , ; \t on the first line.
  std::string_view first_line = std::string_view(text).substr(0, text.find('\n'));
  char delim = ',';
  size_t best = 0;
  for (char c : {',', ';', '\t', '|'}) {
    size_t n = static_cast<size_t>(std::count(first_line.begin(), first_line.end(), c));
    if (n > best) {
      best = n;
      delim = c;
    }
  }
  // RFC 4180 records: quoted fields may hold delimiters, doubled quotes and newlines.
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, field_started = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += (c == '\n' || c == '\r') ? ' ' : c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == delim) {
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
      rows.push_back(std::move(row));
      row.clear();
    } else {
      field += c;
      field_started = true;
    }
  }
  if (field_started || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  Extracted out;
  out.n_replaced = d.n_replaced;
  if (rows.empty()) return out;
  std::vector<std::string> header;
  for (std::string& h : rows[0]) header.push_back(std::string(trim(h)));
  std::string body;
  std::string head_line;
  for (const std::string& h : header) {
    if (!head_line.empty()) head_line += ", ";
    head_line += h;
  }
  body += head_line + "\n";
  for (size_t r = 1; r < rows.size(); ++r) {
    std::string line;
    for (size_t c = 0; c < rows[r].size(); ++c) {
      std::string_view v = trim(rows[r][c]);
      if (v.empty()) continue;
      if (!line.empty()) line += "; ";
      std::string name = c < header.size() && !header[c].empty() ? header[c] : "column " + std::to_string(c + 1);
      line += name + ": ";
      line += v;
    }
    if (!line.empty()) body += line + "\n";
  }
  std::string norm = normalize_text(body, Spacing::kProse);
  // Blank lines cannot occur (empty rows are dropped), so this is one block of rows.
  if (!norm.empty()) out.blocks.push_back(content_block(std::move(norm), true));
  return out;
}

Result<Extracted> extract_json(std::string_view bytes, const ImportLimits& limits) {
  DecodedText d = decode_text(bytes);
  Extracted out;
  out.n_replaced = d.n_replaced;
  Result<json::Value> whole = json::parse(d.text, limits.max_depth);
  if (whole.ok()) {
    json_blocks(*whole, "", out.blocks);
    if (whole->is_object()) out.title = whole->get_string("title");
    return out;
  }
  // JSON Lines: every non-empty line one value.
  std::vector<std::string_view> lines = split_lines(d.text);
  size_t n_values = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (trim(lines[i]).empty()) continue;
    Result<json::Value> v = json::parse(lines[i], limits.max_depth);
    if (!v.ok()) {
      if (n_values == 0) return whole.status().with_context("JSON");
      return v.status().with_context("JSON Lines, line " + std::to_string(i + 1));
    }
    ++n_values;
    std::string flat;
    flatten_json(*v, "", flat);
    std::string text = normalize_text(flat, Spacing::kProse);
    if (!text.empty()) out.blocks.push_back(content_block(std::move(text), true));
  }
  if (n_values < 2) return whole.status().with_context("JSON");
  return out;
}

}  // namespace lantern::kb
