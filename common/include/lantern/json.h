// JSON values, a strict parser with a depth limit, and a serializer.
//
// Used for Ollama manifests, .json/.jsonl import, BEIR datasets and every --json output. The parser
// accepts RFC 8259 JSON only (no comments, no trailing commas); errors name line and column.
// Objects keep insertion order (output is stable and readable); duplicate keys: the last wins on
// find(). Strings are UTF-8; quote() replaces invalid UTF-8 with U+FFFD so output is always valid.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lantern/status.h"

namespace lantern::json {

enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

class Value {
 public:
  Value() = default;  // null
  Value(std::nullptr_t) {}
  Value(bool b) : type_(Type::kBool), bool_(b) {}
  Value(int v) : Value(static_cast<int64_t>(v)) {}
  Value(int64_t v) : type_(Type::kNumber), num_(static_cast<double>(v)), int_(v), is_int_(true) {}
  Value(uint64_t v) : Value(static_cast<int64_t>(v)) {}
  Value(double v) : type_(Type::kNumber), num_(v) {}
  Value(std::string s) : type_(Type::kString), str_(std::move(s)) {}
  Value(std::string_view s) : Value(std::string(s)) {}
  Value(const char* s) : Value(std::string(s)) {}
  static Value array() { Value v; v.type_ = Type::kArray; return v; }
  static Value object() { Value v; v.type_ = Type::kObject; return v; }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  // Accessors return a neutral value (false, 0, "", empty) when the type differs; check first.
  bool as_bool() const { return type_ == Type::kBool && bool_; }
  double as_number() const { return type_ == Type::kNumber ? num_ : 0.0; }
  int64_t as_int() const;  // integral numbers exactly; others truncated toward zero
  const std::string& as_string() const;
  const std::vector<Value>& items() const { return items_; }
  const std::vector<std::pair<std::string, Value>>& members() const { return members_; }
  size_t size() const { return type_ == Type::kArray ? items_.size() : members_.size(); }

  // Object member by key (last one if duplicated), or nullptr.
  const Value* find(std::string_view key) const;
  // Convenience for optional fields: the member's string, or `fallback`.
  std::string get_string(std::string_view key, std::string fallback = "") const;

  Value& set(std::string key, Value v);  // object: appends or replaces
  Value& push(Value v);                  // array: appends

  // Compact when indent < 0, else pretty-printed with `indent` spaces.
  std::string dump(int indent = -1) const;

 private:
  friend class Parser;
  void dump_to(std::string& out, int indent, int level) const;

  Type type_ = Type::kNull;
  bool bool_ = false;
  double num_ = 0;
  int64_t int_ = 0;
  bool is_int_ = false;
  std::string str_;
  std::vector<Value> items_;
  std::vector<std::pair<std::string, Value>> members_;
};

// Parses one JSON text (surrounding whitespace allowed). `max_depth` bounds nesting.
Result<Value> parse(std::string_view text, int max_depth = 128);

// A JSON string literal for `s`, quotes included.
std::string quote(std::string_view s);

}  // namespace lantern::json
