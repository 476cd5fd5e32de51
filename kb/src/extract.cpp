// Format detection, the extract() dispatcher, and assembly of blocks into the stored text.
#include "extract.h"

#include <algorithm>
#include <cctype>

#include "text_decode.h"

namespace lantern::kb {
namespace {

std::string lower_extension(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return "";
  std::string ext(name.substr(dot + 1));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

bool one_of(const std::string& ext, std::initializer_list<const char*> list) {
  return std::any_of(list.begin(), list.end(), [&](const char* e) { return ext == e; });
}

}  // namespace

const char* format_name(Format f) {
  switch (f) {
    case Format::kTxt: return "txt";
    case Format::kMarkdown: return "md";
    case Format::kHtml: return "html";
    case Format::kPdf: return "pdf";
    case Format::kDocx: return "docx";
    case Format::kCsv: return "csv";
    case Format::kJson: return "json";
    case Format::kCode: return "code";
    case Format::kText: return "text";
    case Format::kRoff: return "man";
  }
  return "?";
}

Detection detect_format(std::string_view path, std::string_view head) {
  std::string ext = lower_extension(path);
  Detection d;
  d.supported = true;
  if (one_of(ext, {"txt", "text", "log", "rst", "org", "adoc", "tex"})) {
    d.format = Format::kTxt;
  } else if (one_of(ext, {"md", "markdown", "mdown", "mkd"})) {
    d.format = Format::kMarkdown;
  } else if (one_of(ext, {"html", "htm", "xhtml"})) {
    d.format = Format::kHtml;
  } else if (one_of(ext, {"man", "roff", "mdoc"}) ||
             (ext.size() == 1 && ext[0] >= '1' && ext[0] <= '9' && looks_like_roff(head))) {
    d.format = Format::kRoff;  // "syslog.1" without roff requests stays plain text below
  } else if (ext == "pdf") {
    d.format = Format::kPdf;
  } else if (ext == "docx") {
    d.format = Format::kDocx;
  } else if (one_of(ext, {"csv", "tsv"})) {
    d.format = Format::kCsv;
  } else if (one_of(ext, {"json", "jsonl", "ndjson"})) {
    d.format = Format::kJson;
  } else if (one_of(ext, {"c", "h", "cc", "cpp", "cxx", "hpp", "hh", "hxx", "py", "js", "mjs", "ts", "tsx",
                          "jsx", "go", "rs", "java", "kt", "scala", "rb", "php", "pl", "pm", "lua", "r", "m",
                          "swift", "cs", "fs", "sh", "bash", "zsh", "fish", "ps1", "bat", "sql", "css",
                          "scss", "less", "xml", "yaml", "yml", "toml", "ini", "cfg", "conf", "cmake",
                          "mk", "make", "gradle", "hs", "ml", "ex", "exs", "erl", "clj", "el", "vim",
                          "dart", "jl", "zig", "nim", "v", "proto", "graphql", "dockerfile"})) {
    d.format = Format::kCode;
  } else if (one_of(ext, {"doc", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "epub", "png", "jpg",
                          "jpeg", "gif", "bmp", "tif", "tiff", "webp", "svgz", "ico", "mp3", "mp4", "wav",
                          "flac", "ogg", "avi", "mkv", "mov", "zip", "gz", "tgz", "bz2", "xz", "zst", "7z",
                          "rar", "tar", "exe", "dll", "so", "o", "a", "class", "jar", "pyc", "gguf", "bin",
                          "db", "sqlite", "iso", "dmg", "woff", "woff2", "ttf", "otf"})) {
    d.supported = false;
    d.reason = "unsupported format '." + ext + "'";
  } else {
    // Unknown or no extension: by content.
    if (head.substr(0, 5) == "%PDF-") {
      d.format = Format::kPdf;
    } else if (head.substr(0, 2) == "#!" && !looks_binary(head)) {
      d.format = Format::kCode;  // a script
    } else if (!looks_binary(head) && looks_like_roff(head)) {
      d.format = Format::kRoff;
    } else if (looks_binary(head)) {
      d.supported = false;
      d.reason = ext.empty() ? "binary file" : "binary file ('." + ext + "')";
    } else {
      d.format = Format::kText;
    }
  }
  return d;
}

Result<Extracted> extract(Format format, std::string_view bytes, const ImportLimits& limits) {
  bool text_format = format != Format::kPdf && format != Format::kDocx;
  if (text_format && looks_binary(bytes)) {
    return Status::corruption(std::string("binary content in a ") + format_name(format) + " file (not text)");
  }
  switch (format) {
    case Format::kTxt:
    case Format::kText: return extract_plain_text(bytes);
    case Format::kMarkdown: return extract_markdown(bytes);
    case Format::kCode: return extract_code(bytes);
    case Format::kCsv: return extract_csv(bytes);
    case Format::kJson: return extract_json(bytes, limits);
    case Format::kHtml: return extract_html(bytes, limits);
    case Format::kDocx: return extract_docx(bytes, limits);
    case Format::kPdf: return extract_pdf(bytes, limits);
    case Format::kRoff: return extract_roff(bytes);
  }
  return Status::internal("unknown format");
}

void append_paragraphs(std::string_view text, int64_t page, std::vector<Block>& out) {
  size_t p = 0;
  while (p < text.size()) {
    size_t e = text.find("\n\n", p);
    if (e == std::string_view::npos) e = text.size();
    size_t s = p;
    while (s < e && text[s] == '\n') ++s;
    if (e > s) {
      Block b;
      b.text.assign(text.substr(s, e - s));
      b.page = page;
      out.push_back(std::move(b));
    }
    p = e + 2;
  }
}

Assembled assemble(const Extracted& doc) {
  Assembled out;
  size_t total = 0;
  for (const Block& b : doc.blocks) total += b.text.size() + 2;
  out.text.reserve(total);
  std::vector<std::pair<int, std::string>> stack;  // (level, title) of the open headings
  std::string path;
  for (const Block& b : doc.blocks) {
    if (b.text.empty()) continue;
    if (b.heading_level > 0) {
      while (!stack.empty() && stack.back().first >= b.heading_level) stack.pop_back();
      stack.emplace_back(b.heading_level, b.heading.empty() ? b.text : b.heading);
      path.clear();
      for (const auto& [level, title] : stack) {
        if (!path.empty()) path += " > ";
        path += title;
      }
    }
    if (!out.text.empty()) out.text += "\n\n";
    AssembledBlock ab;
    ab.start = out.text.size();
    out.text += b.text;
    ab.end = out.text.size();
    ab.heading_path = path;
    ab.page = b.page;
    ab.heading_level = b.heading_level;
    ab.line_units = b.line_units;
    out.blocks.push_back(std::move(ab));
  }
  return out;
}

}  // namespace lantern::kb
