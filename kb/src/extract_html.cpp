// HTML: libxml2's forgiving HTML parser, then one iterative walk that turns block elements into
// paragraphs and h1-h6 into headings, dropping script, style, nav and other non-content.
//
// The one thing to know: the parser never touches the network (HTML_PARSE_NONET, no URL) and the
// walk is iterative with a depth cap (ImportLimits::max_depth), so hostile nesting is an error
// for that file, not a stack overflow. Bytes are decoded to UTF-8 by us first (declared charset,
// else our detection) and handed to libxml2 as UTF-8 with the declaration neutralized.
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include <cstring>
#include <string>
#include <string_view>

#include "extract.h"
#include "normalize.h"
#include "text_decode.h"

namespace lantern::kb {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The charset named in the first few kB (<meta charset=...> or content="...; charset=...").
std::string declared_charset(std::string_view bytes) {
  std::string head = lower(bytes.substr(0, 4096));
  size_t p = head.find("charset=");
  if (p == std::string::npos) return "";
  p += 8;
  while (p < head.size() && (head[p] == '"' || head[p] == '\'' || head[p] == ' ')) ++p;
  size_t e = p;
  while (e < head.size() && (std::isalnum(static_cast<unsigned char>(head[e])) || head[e] == '-' || head[e] == '_')) ++e;
  return head.substr(p, e - p);
}

bool is_name(const xmlNode* n, const char* name) {
  return n->name && xmlStrcasecmp(n->name, reinterpret_cast<const xmlChar*>(name)) == 0;
}

bool is_dropped(const xmlNode* n) {
  static const char* kDrop[] = {"script", "style", "nav", "noscript", "template", "svg", "iframe", "object",
                                "embed", "canvas", "select", "button", "math"};
  for (const char* d : kDrop) {
    if (is_name(n, d)) return true;
  }
  return false;
}

bool is_block(const xmlNode* n) {
  static const char* kBlocks[] = {"p", "div", "li", "ul", "ol", "table", "tr", "section", "article", "blockquote",
                                  "pre", "hr", "dl", "dt", "dd", "header", "footer", "main", "aside", "figure",
                                  "figcaption", "address", "tbody", "thead", "tfoot", "caption", "form",
                                  "fieldset", "details", "summary", "body", "html", "center"};
  for (const char* b : kBlocks) {
    if (is_name(n, b)) return true;
  }
  return false;
}

int heading_level(const xmlNode* n) {
  if (!n->name || std::strlen(reinterpret_cast<const char*>(n->name)) != 2) return 0;
  char h = static_cast<char>(std::tolower(n->name[0]));
  char d = static_cast<char>(n->name[1]);
  return (h == 'h' && d >= '1' && d <= '6') ? d - '0' : 0;
}

class HtmlWalker {
 public:
  explicit HtmlWalker(Extracted& out) : out_(out) {}

  // Enter: returns whether to descend into the children.
  bool enter(xmlNode* n) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      if (n->content) cur_ += reinterpret_cast<const char*>(n->content);
      return false;
    }
    if (n->type != XML_ELEMENT_NODE) return false;
    if (is_name(n, "title")) {
      if (out_.title.empty()) out_.title = normalize_text(node_text(n), Spacing::kProse);
      return false;
    }
    if (is_dropped(n)) return false;
    if (is_name(n, "br")) {
      cur_ += '\n';
      return false;
    }
    if (int level = heading_level(n)) {
      flush();
      heading_ = level;
      return true;
    }
    if (is_name(n, "pre")) {
      flush();
      ++pre_;
      return true;
    }
    if (is_name(n, "td") || is_name(n, "th")) {
      if (!cur_.empty()) cur_ += " | ";
      return true;
    }
    if (is_block(n)) flush();
    return true;
  }

  void leave(xmlNode* n) {
    if (n->type != XML_ELEMENT_NODE) return;
    if (heading_level(n)) {
      std::string text = normalize_text(cur_, Spacing::kProse);
      for (char& c : text) {
        if (c == '\n') c = ' ';
      }
      cur_.clear();
      if (!text.empty()) {
        Block b;
        b.text = text;
        b.heading = text;
        b.heading_level = heading_;
        if (heading_ == 1 && first_h1_.empty()) first_h1_ = text;
        out_.blocks.push_back(std::move(b));
      }
      heading_ = 0;
      return;
    }
    if (is_name(n, "pre")) {
      std::string text = normalize_text(cur_, Spacing::kPreserve);
      cur_.clear();
      --pre_;
      if (!text.empty()) {
        Block b;
        b.text = std::move(text);
        b.line_units = true;
        out_.blocks.push_back(std::move(b));
      }
      return;
    }
    if (is_block(n)) flush();
  }

  void finish() {
    flush();
    if (out_.title.empty()) out_.title = first_h1_;
  }

 private:
  static std::string node_text(xmlNode* n) {
    xmlChar* c = xmlNodeGetContent(n);
    std::string s = c ? reinterpret_cast<const char*>(c) : "";
    xmlFree(c);
    return s;
  }

  void flush() {
    if (heading_ || pre_) return;  // inside a heading or <pre>: its own leave() ends the block
    std::string text = normalize_text(cur_, Spacing::kProse);
    cur_.clear();
    if (!text.empty()) append_paragraphs(text, 0, out_.blocks);
  }

  Extracted& out_;
  std::string cur_;
  std::string first_h1_;
  int heading_ = 0;
  int pre_ = 0;
};

}  // namespace

Result<Extracted> extract_html(std::string_view bytes, const ImportLimits& limits) {
  DecodedText d = decode_text_as(bytes, declared_charset(bytes));
  // The text is UTF-8 now; a leftover declaration must not make libxml2 convert it again.
  std::string html = std::move(d.text);
  {
    std::string low = lower(std::string_view(html).substr(0, 4096));
    size_t p = 0;
    while ((p = low.find("charset=", p)) != std::string::npos) {
      html[p + 4] = 'z';  // "charzet=": ignored by the parser
      p += 8;
    }
  }
  if (html.size() > static_cast<size_t>(INT32_MAX)) return Status::resource_limit("HTML file too large");
  htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
  if (!ctxt) return Status::resource_limit("out of memory creating the HTML parser");
  htmlDocPtr doc = htmlCtxtReadMemory(ctxt, html.data(), static_cast<int>(html.size()), nullptr, "UTF-8",
                                      HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
  // libxml2 stops descending at 256 levels (without XML_PARSE_HUGE) and says so; the rest of the
  // document would be silently lost, so this is the file's error.
  const xmlError* err = xmlCtxtGetLastError(ctxt);
  bool too_deep = err && err->message && std::strstr(err->message, "Excessive depth");
  htmlFreeParserCtxt(ctxt);
  if (too_deep) {
    if (doc) xmlFreeDoc(doc);
    return Status::resource_limit("HTML nesting deeper than 256 levels");
  }
  if (!doc) return Status::corruption("HTML could not be parsed");
  Extracted out;
  out.n_replaced = d.n_replaced;
  HtmlWalker walker(out);
  xmlNode* root = xmlDocGetRootElement(doc);
  Status status;
  // Iterative depth-first walk: enter, children, leave; the depth is checked on every descent.
  xmlNode* n = root;
  int depth = 0;
  while (n) {
    bool descend = walker.enter(n);
    if (descend && n->children) {
      if (++depth > limits.max_depth) {
        status = Status::resource_limit("HTML nesting deeper than " + std::to_string(limits.max_depth) + " levels");
        break;
      }
      n = n->children;
      continue;
    }
    walker.leave(n);
    while (n && !n->next) {
      n = n->parent;
      if (!n || depth == 0) {
        n = nullptr;
        break;
      }
      --depth;
      walker.leave(n);
    }
    if (n) n = n->next;
    if (n && depth == 0) n = nullptr;  // siblings of the root (comments after </html>)
  }
  xmlFreeDoc(doc);
  if (!status.ok()) return status;
  walker.finish();
  return out;
}

}  // namespace lantern::kb
