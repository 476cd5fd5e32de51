// Extractor for man pages and other roff/troff sources (man(7) macros).
//
// The one thing to know: roff interleaves requests (lines starting with '.' or '\'') with text, and
// font/escape sequences inside text. We keep the words a reader sees: .SH/.SS become headings,
// paragraph macros break paragraphs, font macros (.B, .IR, ...) contribute their arguments, and
// every other request is dropped. Escapes map to the characters they print (\- to '-', \(em to
// an em dash); unknown ones drop the backslash. This is a reader's rendering, not a typesetter.
#include <string>
#include <string_view>
#include <vector>

#include "extract.h"
#include "normalize.h"
#include "text_decode.h"

namespace lantern::kb {
namespace {

// Named characters (\(xx and \[xx]) that man pages use for punctuation.
std::string_view named_char(std::string_view name) {
  struct Entry { std::string_view name, text; };
  static constexpr Entry kNames[] = {
      {"em", "\u2014"}, {"en", "\u2013"}, {"bu", "\u2022"}, {"aq", "'"},  {"dq", "\""},
      {"lq", "\u201c"}, {"rq", "\u201d"}, {"oq", "\u2018"}, {"cq", "\u2019"}, {"co", "\u00a9"},
      {"rg", "\u00ae"}, {"tm", "\u2122"}, {"hy", "-"},      {"mi", "-"},  {"pl", "+"},
      {"mu", "\u00d7"}, {"di", "\u00f7"}, {"<=", "\u2264"}, {">=", "\u2265"}, {"->", "\u2192"},
      {"<-", "\u2190"}, {"ga", "`"},      {"ti", "~"},      {"ha", "^"},  {"rs", "\\"},
      {"sl", "/"},      {"de", "\u00b0"}, {"dg", "\u2020"}, {"sc", "\u00a7"}, {"ua", "\u2191"},
      {"da", "\u2193"},
  };
  for (const Entry& e : kNames) {
    if (e.name == name) return e.text;
  }
  return "";
}

// Text with roff escapes resolved.
std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  // Skips an escape argument: "(xx", "[name]", or one character.
  auto argument = [&](size_t& k) -> std::string_view {
    if (k >= s.size()) return {};
    if (s[k] == '(') {
      std::string_view a = s.substr(k + 1, 2);
      k = std::min(s.size(), k + 3);
      return a;
    }
    if (s[k] == '[') {
      size_t close = s.find(']', k + 1);
      if (close == std::string_view::npos) close = s.size();
      std::string_view a = s.substr(k + 1, close - k - 1);
      k = std::min(s.size(), close + 1);
      return a;
    }
    return s.substr(k++, 1);
  };
  while (i < s.size()) {
    char c = s[i];
    if (c != '\\') {
      out += c;
      ++i;
      continue;
    }
    if (i + 1 >= s.size()) break;  // a trailing backslash continues the line
    char e = s[i + 1];
    size_t k = i + 2;
    switch (e) {
      case 'f':  // font change
      case 'F':
      case 'n':  // number register
      case '*':  // string interpolation: dropped (we do not evaluate definitions)
        argument(k);
        break;
      case 's': {  // size change: \s+2, \s-1, \s0, \s(12, \s[12]
        if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
        if (k < s.size() && (s[k] == '(' || s[k] == '[')) {
          argument(k);
        } else {
          while (k < s.size() && s[k] >= '0' && s[k] <= '9') ++k;
        }
        break;
      }
      case '(':
      case '[': {
        k = i + 1;
        out += named_char(argument(k));
        break;
      }
      case '-': out += '-'; break;
      case 'e':
      case '\\': out += '\\'; break;
      case ' ':
      case '~':
      case '0': out += ' '; break;
      case '&':
      case '|':
      case '^':
      case 'c':
      case ')':
      case '/':
      case ',':
      case ':': break;
      case '"': k = s.size(); break;  // comment to end of line
      default: out += e; break;
    }
    i = k;
  }
  return out;
}

// Splits macro arguments: spaces separate, double quotes group ("" inside quotes is a quote).
std::vector<std::string> macro_args(std::string_view s) {
  std::vector<std::string> args;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i >= s.size()) break;
    std::string arg;
    if (s[i] == '"') {
      ++i;
      while (i < s.size()) {
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            arg += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        arg += s[i++];
      }
    } else {
      while (i < s.size() && s[i] != ' ' && s[i] != '\t') arg += s[i++];
    }
    args.push_back(unescape(arg));
  }
  return args;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k) out += sep;
    out += parts[k];
  }
  return out;
}

}  // namespace

bool looks_like_roff(std::string_view head) {
  size_t p = 0;
  for (int line = 0; line < 40 && p < head.size(); ++line) {
    std::string_view l = head.substr(p, head.find('\n', p) - p);
    if (l.substr(0, 4) == ".TH " || l.substr(0, 4) == ".Dd " || l.substr(0, 4) == ".SH ") return true;
    size_t e = head.find('\n', p);
    if (e == std::string_view::npos) break;
    p = e + 1;
  }
  return false;
}

Result<Extracted> extract_roff(std::string_view bytes) {
  DecodedText d = decode_text(bytes);
  Extracted out;
  out.n_replaced = d.n_replaced;
  std::string text = normalize_text(d.text, Spacing::kPreserve);
  std::vector<std::string> para;
  auto flush = [&]() {
    if (!para.empty()) {
      Block b;
      b.text = join(para, "\n");
      out.blocks.push_back(std::move(b));
    }
    para.clear();
  };
  auto heading = [&](int level, std::string title) {
    flush();
    if (title.empty()) return;
    Block b;
    b.text = title;
    b.heading = std::move(title);
    b.heading_level = level;
    out.blocks.push_back(std::move(b));
  };
  int pending_heading = 0;  // .SH with no argument: the next text line is the heading
  size_t p = 0;
  while (p <= text.size()) {
    size_t e = text.find('\n', p);
    if (e == std::string::npos) e = text.size();
    std::string_view line(text.data() + p, e - p);
    p = e + 1;
    if (line.empty()) {
      if (p > text.size()) break;
      flush();
      continue;
    }
    std::string words;
    if (line[0] == '.' || line[0] == '\'') {
      std::string_view rest = line.substr(1);
      while (!rest.empty() && (rest[0] == ' ' || rest[0] == '\t')) rest.remove_prefix(1);
      if (rest.substr(0, 2) == "\\\"") continue;  // comment line
      size_t sp = rest.find_first_of(" \t");
      std::string_view name = rest.substr(0, sp);
      std::vector<std::string> args = macro_args(sp == std::string_view::npos ? "" : rest.substr(sp));
      if (name == "TH") {
        if (!args.empty()) out.title = args.size() > 1 ? args[0] + "(" + args[1] + ")" : args[0];
        continue;
      }
      if (name == "SH" || name == "SS" || name == "Sh" || name == "Ss") {
        int level = (name == "SH" || name == "Sh") ? 1 : 2;
        if (args.empty()) pending_heading = level; else heading(level, join(args, " "));
        continue;
      }
      if (name == "PP" || name == "P" || name == "LP" || name == "TP" || name == "HP" || name == "sp" ||
          name == "Pp" || name == "RS" || name == "RE") {
        flush();
        continue;
      }
      if (name == "IP") {
        flush();
        if (!args.empty() && !args[0].empty()) para.push_back(args[0]);
        continue;
      }
      if (name == "B" || name == "I" || name == "SM" || name == "SB") {
        words = join(args, " ");
      } else if (name == "BR" || name == "BI" || name == "IB" || name == "IR" || name == "RB" || name == "RI") {
        words = join(args, "");
      } else {
        continue;  // formatting requests with no text of their own
      }
    } else {
      words = unescape(line);
    }
    if (pending_heading) {
      heading(pending_heading, words);
      pending_heading = 0;
      continue;
    }
    if (!words.empty()) para.push_back(std::move(words));
  }
  flush();
  return out;
}

}  // namespace lantern::kb
