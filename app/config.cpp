// TOML-subset parser for config.toml. Hand-written: the subset is small and every error must name
// its line. One line at a time; multi-line strings and inline tables are rejected as such.
#include "config.h"

#include "lantern/utf8.h"

#include <algorithm>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace lantern::app {
namespace {

bool is_bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

void skip_ws(const std::string& s, size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
}

class LineParser {
 public:
  LineParser(const std::string& line, std::string where) : s_(line), where_(std::move(where)) {}

  Status error(const std::string& what) const { return Status::invalid_argument(where_ + ": " + what); }

  Result<std::string> key() {
    skip_ws(s_, i_);
    std::string out;
    while (true) {
      if (i_ < s_.size() && (s_[i_] == '"' || s_[i_] == '\'')) {
        LT_ASSIGN_OR_RETURN(std::string part, string_value());
        out += part;
      } else {
        size_t start = i_;
        while (i_ < s_.size() && is_bare_key_char(s_[i_])) ++i_;
        if (start == i_) return error("expected a key");
        out += s_.substr(start, i_ - start);
      }
      skip_ws(s_, i_);
      if (i_ < s_.size() && s_[i_] == '.') {
        out += '.';
        ++i_;
        skip_ws(s_, i_);
        continue;
      }
      return out;
    }
  }

  Result<std::string> string_value() {
    char quote = s_[i_++];
    if (s_.compare(i_, 2, std::string(2, quote)) == 0) return error("multi-line strings are not supported");
    std::string out;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == quote) return out;
      if (c == '\\' && quote == '"') {
        if (i_ >= s_.size()) break;
        char e = s_[i_++];
        switch (e) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case 'u':
          case 'U': {
            size_t n = e == 'u' ? 4 : 8;
            if (i_ + n > s_.size()) return error("truncated \\" + std::string(1, e) + " escape");
            std::string hex = s_.substr(i_, n);
            char* end = nullptr;
            unsigned long cp = std::strtoul(hex.c_str(), &end, 16);
            if (*end != '\0' || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
              return error("bad unicode escape '\\" + std::string(1, e) + hex + "'");
            }
            append_utf8(out, static_cast<uint32_t>(cp));
            i_ += n;
            break;
          }
          default: return error(std::string("unknown escape '\\") + e + "'");
        }
        continue;
      }
      out += c;
    }
    return error("unterminated string");
  }

  Result<ConfigValue> value(int line) {
    skip_ws(s_, i_);
    if (i_ >= s_.size()) return error("missing value");
    char c = s_[i_];
    ConfigValue v;
    v.line = line;
    if (c == '"' || c == '\'') {
      LT_ASSIGN_OR_RETURN(std::string str, string_value());
      v.value = std::move(str);
      return v;
    }
    if (c == '[') {
      ++i_;
      std::vector<std::string> items;
      while (true) {
        skip_ws(s_, i_);
        if (i_ < s_.size() && s_[i_] == ']') { ++i_; break; }
        if (i_ >= s_.size()) return error("unterminated array (arrays must fit on one line)");
        LT_ASSIGN_OR_RETURN(ConfigValue item, value(line));
        if (auto* str = std::get_if<std::string>(&item.value)) {
          items.push_back(*str);
        } else {
          return error("arrays may only hold strings");
        }
        skip_ws(s_, i_);
        if (i_ < s_.size() && s_[i_] == ',') { ++i_; continue; }
        skip_ws(s_, i_);
        if (i_ < s_.size() && s_[i_] == ']') { ++i_; break; }
        return error("expected ',' or ']' in array");
      }
      v.value = std::move(items);
      return v;
    }
    if (c == '{') return error("inline tables are not supported");
    size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ' ' && s_[i_] != '\t' && s_[i_] != '#' && s_[i_] != ',' && s_[i_] != ']') ++i_;
    std::string word = s_.substr(start, i_ - start);
    if (word == "true" || word == "false") {
      v.value = word == "true";
      return v;
    }
    std::string digits;
    for (char ch : word) if (ch != '_') digits += ch;
    errno = 0;
    char* end = nullptr;
    long long iv = std::strtoll(digits.c_str(), &end, 10);
    if (!digits.empty() && *end == '\0' && errno == 0) {
      v.value = static_cast<int64_t>(iv);
      return v;
    }
    errno = 0;
    double dv = std::strtod(digits.c_str(), &end);
    if (!digits.empty() && *end == '\0' && errno == 0) {
      v.value = dv;
      return v;
    }
    return error("bad value '" + word + "' (strings need quotes)");
  }

  Status expect_end() {
    skip_ws(s_, i_);
    if (i_ < s_.size() && s_[i_] != '#') return error("unexpected text '" + s_.substr(i_) + "' after value");
    return ok_status();
  }

  size_t& pos() { return i_; }
  const std::string& text() const { return s_; }

 private:
  const std::string& s_;
  std::string where_;
  size_t i_ = 0;
};

template <class T>
Result<std::optional<T>> typed(const std::map<std::string, ConfigValue>& values, const std::string& origin,
                               const std::string& key, const char* type_name) {
  auto it = values.find(key);
  if (it == values.end()) return std::optional<T>();
  if (auto* v = std::get_if<T>(&it->second.value)) return std::optional<T>(*v);
  return Status::invalid_argument(origin + ":" + std::to_string(it->second.line) + ": '" + key + "' must be " +
                                  type_name);
}

}  // namespace

Result<Config> Config::parse(const std::string& text, const std::string& origin) {
  Config cfg;
  cfg.origin_ = origin;
  std::istringstream in(text);
  std::string line;
  std::string section;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string where = origin + ":" + std::to_string(line_no);
    LineParser p(line, where);
    size_t& i = p.pos();
    skip_ws(line, i);
    if (i >= line.size() || line[i] == '#') continue;
    if (line[i] == '[') {
      if (i + 1 < line.size() && line[i + 1] == '[') return p.error("arrays of tables are not supported");
      ++i;
      LT_ASSIGN_OR_RETURN(section, p.key());
      if (i >= line.size() || line[i] != ']') return p.error("expected ']' after section name");
      ++i;
      LT_RETURN_IF_ERROR(p.expect_end());
      continue;
    }
    LT_ASSIGN_OR_RETURN(std::string key, p.key());
    skip_ws(line, i);
    if (i >= line.size() || line[i] != '=') return p.error("expected '=' after key '" + key + "'");
    ++i;
    LT_ASSIGN_OR_RETURN(ConfigValue value, p.value(line_no));
    LT_RETURN_IF_ERROR(p.expect_end());
    std::string full = section.empty() ? key : section + "." + key;
    if (cfg.values_.count(full)) {
      return p.error("duplicate key '" + full + "' (first set on line " +
                     std::to_string(cfg.values_[full].line) + ")");
    }
    cfg.values_[full] = std::move(value);
  }
  return cfg;
}

Result<Config> Config::load(const std::string& path, bool missing_ok) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    if (missing_ok && errno == ENOENT) {
      Config empty;
      empty.origin_ = path;
      return empty;
    }
    return Status::from_errno("config file '" + path + "'", errno);
  }
  std::stringstream buf;
  buf << f.rdbuf();
  return parse(buf.str(), path);
}

Result<std::optional<std::string>> Config::get_string(const std::string& key) const {
  return typed<std::string>(values_, origin_, key, "a string");
}
Result<std::optional<int64_t>> Config::get_int(const std::string& key) const {
  return typed<int64_t>(values_, origin_, key, "an integer");
}
Result<std::optional<bool>> Config::get_bool(const std::string& key) const {
  return typed<bool>(values_, origin_, key, "true or false");
}
Result<std::optional<double>> Config::get_double(const std::string& key) const {
  auto it = values_.find(key);
  if (it != values_.end()) {
    if (auto* iv = std::get_if<int64_t>(&it->second.value)) return std::optional<double>(static_cast<double>(*iv));
  }
  return typed<double>(values_, origin_, key, "a number");
}

const std::vector<std::string>& known_config_keys() {
  static const std::vector<std::string> kKeys = {
      "model",            // ask: model when -m is not given
      "temp",             // ask: sampling temperature when --temp is not given
      "kb.default",       // ask: knowledge base when --kb is not given
      "kb.chunk_size",    // import: target chunk size
      "kb.chunk_overlap", // import: overlap between chunks
      "kb.pdf_timeout",   // import: seconds allowed per PDF extraction
  };
  return kKeys;
}

std::vector<std::pair<std::string, int>> Config::unknown_keys() const {
  const auto& known = known_config_keys();
  std::vector<std::pair<std::string, int>> out;
  for (const auto& [key, v] : values_) {
    if (std::find(known.begin(), known.end(), key) == known.end()) out.emplace_back(key, v.line);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  return out;
}

}  // namespace lantern::app
