// JSON parser and serializer; see json.h. Recursive descent with an explicit depth bound so
// hostile input cannot exhaust the stack; \u escapes handle surrogate pairs; lone surrogates and
// control characters inside strings are errors, as the RFC says.
#include "lantern/json.h"

#include "lantern/utf8.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace lantern::json {

int64_t Value::as_int() const {
  if (type_ != Type::kNumber) return 0;
  if (is_int_) return int_;
  if (!std::isfinite(num_) || std::fabs(num_) > 9.2e18) return 0;
  return static_cast<int64_t>(num_);
}

const std::string& Value::as_string() const {
  static const std::string kEmpty;
  return type_ == Type::kString ? str_ : kEmpty;
}

const Value* Value::find(std::string_view key) const {
  if (type_ != Type::kObject) return nullptr;
  for (auto it = members_.rbegin(); it != members_.rend(); ++it) {
    if (it->first == key) return &it->second;
  }
  return nullptr;
}

std::string Value::get_string(std::string_view key, std::string fallback) const {
  const Value* v = find(key);
  return v && v->is_string() ? v->str_ : fallback;
}

Value& Value::set(std::string key, Value v) {
  if (type_ != Type::kObject) *this = object();
  for (auto& m : members_) {
    if (m.first == key) {
      m.second = std::move(v);
      return m.second;
    }
  }
  members_.emplace_back(std::move(key), std::move(v));
  return members_.back().second;
}

Value& Value::push(Value v) {
  if (type_ != Type::kArray) *this = array();
  items_.push_back(std::move(v));
  return items_.back();
}

class Parser {
 public:
  Parser(std::string_view text, int max_depth) : s_(text), max_depth_(max_depth) {}

  Result<Value> parse_document() {
    Value v;
    LT_RETURN_IF_ERROR(parse_value(v, 0));
    skip_ws();
    if (i_ != s_.size()) return error("unexpected text after the JSON value");
    return v;
  }

 private:
  Status error(const std::string& what) const {
    size_t line = 1, col = 1;
    for (size_t k = 0; k < i_ && k < s_.size(); ++k) {
      if (s_[k] == '\n') { ++line; col = 1; } else { ++col; }
    }
    return Status::corruption("JSON line " + std::to_string(line) + ", column " + std::to_string(col) + ": " + what);
  }

  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }

  bool consume(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  Status parse_value(Value& out, int depth) {
    if (depth > max_depth_) return error("nesting deeper than " + std::to_string(max_depth_));
    skip_ws();
    if (i_ >= s_.size()) return error("unexpected end of input");
    char c = s_[i_];
    if (c == '{') return parse_object(out, depth);
    if (c == '[') return parse_array(out, depth);
    if (c == '"') {
      out.type_ = Type::kString;
      return parse_string(out.str_);
    }
    if (consume("true")) { out = Value(true); return ok_status(); }
    if (consume("false")) { out = Value(false); return ok_status(); }
    if (consume("null")) { out = Value(); return ok_status(); }
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number(out);
    return error(std::string("unexpected character '") + c + "'");
  }

  Status parse_number(Value& out) {
    size_t start = i_;
    if (s_[i_] == '-') ++i_;
    if (i_ >= s_.size()) return error("bad number");
    if (s_[i_] == '0') {
      ++i_;
    } else if (s_[i_] >= '1' && s_[i_] <= '9') {
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    } else {
      return error("bad number");
    }
    bool integral = true;
    if (i_ < s_.size() && s_[i_] == '.') {
      integral = false;
      ++i_;
      if (i_ >= s_.size() || s_[i_] < '0' || s_[i_] > '9') return error("bad number: digit expected after '.'");
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      integral = false;
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (i_ >= s_.size() || s_[i_] < '0' || s_[i_] > '9') return error("bad number: digit expected in exponent");
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    }
    std::string text(s_.substr(start, i_ - start));
    out = Value(std::strtod(text.c_str(), nullptr));
    if (integral) {
      errno = 0;
      long long v = std::strtoll(text.c_str(), nullptr, 10);
      if (errno == 0) {
        out.int_ = v;
        out.is_int_ = true;
      }
    }
    return ok_status();
  }

  Status parse_hex4(uint32_t& cp) {
    if (i_ + 4 > s_.size()) return error("truncated \\u escape");
    cp = 0;
    for (int k = 0; k < 4; ++k) {
      char h = s_[i_++];
      cp <<= 4;
      if (h >= '0' && h <= '9') cp |= h - '0';
      else if (h >= 'a' && h <= 'f') cp |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F') cp |= h - 'A' + 10;
      else return error("bad hex digit in \\u escape");
    }
    return ok_status();
  }

  Status parse_string(std::string& out) {
    ++i_;  // opening quote
    while (true) {
      if (i_ >= s_.size()) return error("unterminated string");
      auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') { ++i_; return ok_status(); }
      if (c < 0x20) return error("control character in string");
      if (c != '\\') {
        char32_t cp;
        size_t len = decode_utf8(s_, i_, cp);
        if (len == 0) {
          out += "\xEF\xBF\xBD";  // keep going: documents with stray bytes still import
          ++i_;
        } else {
          out.append(s_.substr(i_, len));
          i_ += len;
        }
        continue;
      }
      ++i_;
      if (i_ >= s_.size()) return error("unterminated escape");
      char e = s_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = 0;
          LT_RETURN_IF_ERROR(parse_hex4(cp));
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo = 0;
            if (!consume("\\u")) return error("lone high surrogate");
            LT_RETURN_IF_ERROR(parse_hex4(lo));
            if (lo < 0xDC00 || lo > 0xDFFF) return error("bad low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return error("lone low surrogate");
          }
          append_utf8(out, cp);
          break;
        }
        default: return error(std::string("unknown escape '\\") + e + "'");
      }
    }
  }

  Status parse_array(Value& out, int depth) {
    out = Value::array();
    ++i_;
    skip_ws();
    if (i_ < s_.size() && s_[i_] == ']') { ++i_; return ok_status(); }
    while (true) {
      Value item;
      LT_RETURN_IF_ERROR(parse_value(item, depth + 1));
      out.items_.push_back(std::move(item));
      skip_ws();
      if (i_ >= s_.size()) return error("unterminated array");
      if (s_[i_] == ',') { ++i_; continue; }
      if (s_[i_] == ']') { ++i_; return ok_status(); }
      return error("expected ',' or ']' in array");
    }
  }

  Status parse_object(Value& out, int depth) {
    out = Value::object();
    ++i_;
    skip_ws();
    if (i_ < s_.size() && s_[i_] == '}') { ++i_; return ok_status(); }
    while (true) {
      skip_ws();
      if (i_ >= s_.size() || s_[i_] != '"') return error("expected a string key");
      std::string key;
      LT_RETURN_IF_ERROR(parse_string(key));
      skip_ws();
      if (i_ >= s_.size() || s_[i_] != ':') return error("expected ':' after key");
      ++i_;
      Value v;
      LT_RETURN_IF_ERROR(parse_value(v, depth + 1));
      out.members_.emplace_back(std::move(key), std::move(v));
      skip_ws();
      if (i_ >= s_.size()) return error("unterminated object");
      if (s_[i_] == ',') { ++i_; continue; }
      if (s_[i_] == '}') { ++i_; return ok_status(); }
      return error("expected ',' or '}' in object");
    }
  }

  std::string_view s_;
  int max_depth_;
  size_t i_ = 0;
};

Result<Value> parse(std::string_view text, int max_depth) { return Parser(text, max_depth).parse_document(); }

std::string quote(std::string_view s) {
  std::string out = "\"";
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    char32_t cp;
    size_t len = decode_utf8(s, i, cp);
    if (len == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (len > 1) {
      out.append(s.substr(i, len));
      i += len;
      continue;
    }
    ++i;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

void Value::dump_to(std::string& out, int indent, int level) const {
  auto newline = [&](int lvl) {
    if (indent < 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent * lvl), ' ');
  };
  switch (type_) {
    case Type::kNull: out += "null"; break;
    case Type::kBool: out += bool_ ? "true" : "false"; break;
    case Type::kNumber: {
      if (is_int_) {
        out += std::to_string(int_);
      } else if (!std::isfinite(num_)) {
        out += "null";  // JSON has no NaN/Inf
      } else {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", num_);
        // Prefer the shortest representation that round-trips.
        for (int prec = 6; prec < 17; ++prec) {
          char tmp[32];
          std::snprintf(tmp, sizeof tmp, "%.*g", prec, num_);
          if (std::strtod(tmp, nullptr) == num_) {
            std::snprintf(buf, sizeof buf, "%s", tmp);
            break;
          }
        }
        out += buf;
      }
      break;
    }
    case Type::kString: out += quote(str_); break;
    case Type::kArray:
      out += '[';
      for (size_t k = 0; k < items_.size(); ++k) {
        if (k) out += ',';
        newline(level + 1);
        items_[k].dump_to(out, indent, level + 1);
      }
      if (!items_.empty()) newline(level);
      out += ']';
      break;
    case Type::kObject:
      out += '{';
      for (size_t k = 0; k < members_.size(); ++k) {
        if (k) out += ',';
        newline(level + 1);
        out += quote(members_[k].first);
        out += indent < 0 ? ":" : ": ";
        members_[k].second.dump_to(out, indent, level + 1);
      }
      if (!members_.empty()) newline(level);
      out += '}';
      break;
  }
}

std::string Value::dump(int indent) const {
  std::string out;
  dump_to(out, indent, 0);
  return out;
}

}  // namespace lantern::json
