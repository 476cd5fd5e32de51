// DOCX: the zip is opened from memory with libzip, word/document.xml (and styles.xml, core.xml
// for heading styles and the title) is inflated under caps, and WordprocessingML paragraphs
// become blocks: heading styles and outline levels become headings, table rows one line each.
//
// The one thing to know: everything read from the zip is bounded before it is trusted. The entry
// count, and each inflated size (counted while reading, never taken from the header) are capped
// by ImportLimits; XML with a DTD is refused outright (DOCX never needs one, and it is how entity
// expansion attacks start); libxml2 runs with NONET and without entity substitution.
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zip.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>

#include "extract.h"
#include "normalize.h"

namespace lantern::kb {
namespace {

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct DocFreer {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

// Inflates entry `name` into `out`, failing when it exceeds `budget` bytes (decremented).
Status read_entry(zip_t* za, const char* name, int64_t& budget, std::string& out, bool required) {
  zip_int64_t idx = zip_name_locate(za, name, 0);
  if (idx < 0) {
    if (required) return Status::corruption(std::string("not a Word document: no ") + name + " in the zip");
    out.clear();
    return ok_status();
  }
  zip_file_t* f = zip_fopen_index(za, static_cast<zip_uint64_t>(idx), 0);
  if (!f) return Status::corruption(std::string("cannot open ") + name + ": " + zip_strerror(za));
  out.clear();
  char buf[65536];
  while (true) {
    zip_int64_t n = zip_fread(f, buf, sizeof buf);
    if (n < 0) {
      std::string err = zip_file_strerror(f);
      zip_fclose(f);
      return Status::corruption(std::string("cannot inflate ") + name + ": " + err);
    }
    if (n == 0) break;
    if (n > budget) {
      zip_fclose(f);
      return Status::resource_limit(std::string("DOCX inflates past the limit of ") +
                                    std::to_string(budget + static_cast<int64_t>(out.size())) + " bytes (at " + name +
                                    "; a zip bomb?)");
    }
    budget -= n;
    out.append(buf, static_cast<size_t>(n));
  }
  zip_fclose(f);
  return ok_status();
}

Result<std::unique_ptr<xmlDoc, DocFreer>> parse_xml(const std::string& xml, const char* name, int max_depth) {
  if (xml.find("<!DOCTYPE") != std::string::npos || xml.find("<!ENTITY") != std::string::npos) {
    return Status::corruption(std::string(name) + " has a DTD (refused: DOCX XML never needs one)");
  }
  if (xml.size() > static_cast<size_t>(INT32_MAX)) return Status::resource_limit(std::string(name) + " too large");
  xmlDoc* d = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), name, nullptr,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!d) {
    const xmlError* e = xmlGetLastError();
    std::string why = e && e->message ? e->message : "malformed XML";
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return Status::corruption(std::string(name) + ": " + why);
  }
  (void)max_depth;  // libxml2 caps element depth at 256 unless XML_PARSE_HUGE is given
  return std::unique_ptr<xmlDoc, DocFreer>(d);
}

bool named(const xmlNode* n, const char* local) {
  return n->type == XML_ELEMENT_NODE && n->name && std::strcmp(reinterpret_cast<const char*>(n->name), local) == 0;
}

std::string attr(const xmlNode* n, const char* local) {
  for (xmlAttr* a = n->properties; a; a = a->next) {
    if (a->name && std::strcmp(reinterpret_cast<const char*>(a->name), local) == 0 && a->children &&
        a->children->content) {
      return reinterpret_cast<const char*>(a->children->content);
    }
  }
  return "";
}

const xmlNode* child(const xmlNode* n, const char* local) {
  for (const xmlNode* c = n->children; c; c = c->next) {
    if (named(c, local)) return c;
  }
  return nullptr;
}

// Heading level of a style: "heading 2" -> 2, "Title" -> 1 (by style name, from styles.xml).
std::map<std::string, int> heading_styles(const xmlDoc* styles) {
  std::map<std::string, int> out;
  if (!styles) return out;
  const xmlNode* root = xmlDocGetRootElement(const_cast<xmlDoc*>(styles));
  for (const xmlNode* s = root ? root->children : nullptr; s; s = s->next) {
    if (!named(s, "style")) continue;
    std::string id = attr(s, "styleId");
    const xmlNode* name = child(s, "name");
    std::string nm = name ? attr(name, "val") : "";
    for (char& c : nm) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (nm == "title") {
      out[id] = 1;
    } else if (nm.rfind("heading ", 0) == 0 && nm.size() == 9 && nm[8] >= '1' && nm[8] <= '9') {
      out[id] = nm[8] - '0';
    }
  }
  return out;
}

// Text of a paragraph (w:t, w:tab, w:br), skipping deleted text and field instructions.
void paragraph_text(const xmlNode* n, std::string& out, int depth) {
  if (depth > 64) return;
  for (const xmlNode* c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (named(c, "t")) {
      for (const xmlNode* t = c->children; t; t = t->next) {
        if (t->content) out += reinterpret_cast<const char*>(t->content);
      }
    } else if (named(c, "tab")) {
      out += '\t';
    } else if (named(c, "br") || named(c, "cr")) {
      out += '\n';
    } else if (named(c, "del") || named(c, "instrText") || named(c, "pPr") || named(c, "rPr")) {
      continue;
    } else {
      paragraph_text(c, out, depth + 1);
    }
  }
}

class BodyWalker {
 public:
  BodyWalker(Extracted& out, const std::map<std::string, int>& styles) : out_(out), styles_(styles) {}

  void walk(const xmlNode* parent, int depth) {
    if (depth > 64) return;
    for (const xmlNode* c = parent->children; c; c = c->next) {
      if (named(c, "p")) {
        paragraph(c);
      } else if (named(c, "tbl")) {
        table(c);
      } else if (c->type == XML_ELEMENT_NODE && !named(c, "sectPr")) {
        walk(c, depth + 1);  // w:sdt, w:sdtContent, w:customXml wrappers
      }
    }
  }

 private:
  void paragraph(const xmlNode* p) {
    int level = 0;
    if (const xmlNode* ppr = child(p, "pPr")) {
      if (const xmlNode* ps = child(ppr, "pStyle")) {
        auto it = styles_.find(attr(ps, "val"));
        if (it != styles_.end()) level = it->second;
        std::string v = attr(ps, "val");
        if (!level && v.size() == 8 && v.rfind("Heading", 0) == 0 && v[7] >= '1' && v[7] <= '9') level = v[7] - '0';
      }
      if (const xmlNode* ol = child(ppr, "outlineLvl")) {
        std::string v = attr(ol, "val");
        if (!level && v.size() == 1 && v[0] >= '0' && v[0] <= '8') level = v[0] - '0' + 1;
      }
    }
    std::string raw;
    paragraph_text(p, raw, 0);
    std::string text = normalize_text(raw, Spacing::kProse);
    if (text.empty()) return;
    Block b;
    if (level) {
      for (char& ch : text) {
        if (ch == '\n') ch = ' ';
      }
      b.heading = text;
      b.heading_level = level;
      if (first_heading_.empty()) first_heading_ = text;
    }
    b.text = std::move(text);
    out_.blocks.push_back(std::move(b));
  }

  void table(const xmlNode* tbl) {
    std::string rows;
    for (const xmlNode* tr = tbl->children; tr; tr = tr->next) {
      if (!named(tr, "tr")) continue;
      std::string line;
      for (const xmlNode* tc = tr->children; tc; tc = tc->next) {
        if (!named(tc, "tc")) continue;
        std::string cell;
        paragraph_text(tc, cell, 0);
        std::string norm = normalize_text(cell, Spacing::kProse);
        for (char& ch : norm) {
          if (ch == '\n') ch = ' ';
        }
        if (!line.empty()) line += " | ";
        line += norm;
      }
      if (!line.empty()) rows += line + "\n";
    }
    std::string text = normalize_text(rows, Spacing::kProse);
    if (text.empty()) return;
    Block b;
    b.text = std::move(text);
    b.line_units = true;
    out_.blocks.push_back(std::move(b));
  }

 public:
  std::string first_heading_;

 private:
  Extracted& out_;
  const std::map<std::string, int>& styles_;
};

}  // namespace

Result<Extracted> extract_docx(std::string_view bytes, const ImportLimits& limits) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err);
  if (!src) return Status::corruption("cannot read the zip container");
  zip_t* raw = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
  if (!raw) {
    std::string why = zip_error_strerror(&err);
    zip_source_free(src);
    zip_error_fini(&err);
    return Status::corruption("not a valid DOCX (zip): " + why);
  }
  zip_error_fini(&err);
  std::unique_ptr<zip_t, ZipCloser> za(raw);
  zip_int64_t entries = zip_get_num_entries(za.get(), 0);
  if (entries < 0 || entries > limits.max_docx_entries) {
    return Status::resource_limit("DOCX has " + std::to_string(entries) + " zip entries (limit " +
                                  std::to_string(limits.max_docx_entries) + ")");
  }
  int64_t budget = limits.max_docx_uncompressed;
  std::string document, styles_xml, core_xml;
  LT_RETURN_IF_ERROR(read_entry(za.get(), "word/document.xml", budget, document, true));
  LT_RETURN_IF_ERROR(read_entry(za.get(), "word/styles.xml", budget, styles_xml, false));
  LT_RETURN_IF_ERROR(read_entry(za.get(), "docProps/core.xml", budget, core_xml, false));

  LT_ASSIGN_OR_RETURN(auto doc, parse_xml(document, "word/document.xml", limits.max_depth));
  std::map<std::string, int> styles;
  if (!styles_xml.empty()) {
    auto st = parse_xml(styles_xml, "word/styles.xml", limits.max_depth);
    if (st.ok()) styles = heading_styles(st->get());
  }
  Extracted out;
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  const xmlNode* body = root ? child(root, "body") : nullptr;
  if (!body) return Status::corruption("word/document.xml has no w:body");
  BodyWalker walker(out, styles);
  walker.walk(body, 0);
  if (!core_xml.empty()) {
    auto core = parse_xml(core_xml, "docProps/core.xml", limits.max_depth);
    if (core.ok()) {
      const xmlNode* croot = xmlDocGetRootElement(core->get());
      if (const xmlNode* t = croot ? child(croot, "title") : nullptr) {
        xmlChar* c = xmlNodeGetContent(t);
        if (c) out.title = normalize_text(reinterpret_cast<const char*>(c), Spacing::kProse);
        xmlFree(c);
      }
    }
  }
  if (out.title.empty()) out.title = walker.first_heading_;
  return out;
}

}  // namespace lantern::kb
