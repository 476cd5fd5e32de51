#include "lantern/json.h"

#include <gtest/gtest.h>

namespace lantern::json {
namespace {

TEST(Json, ParsesDocument) {
  auto v = parse(R"( {"schemaVersion": 2, "layers": [{"mediaType": "application/vnd.ollama.image.model",
      "digest": "sha256:abc", "size": 1234567890123}], "ok": true, "none": null, "pi": -3.5e0,
      "text": "caf\u00e9 \ud83d\ude00 \"q\"\n"} )");
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->find("schemaVersion")->as_int(), 2);
  const Value* layers = v->find("layers");
  ASSERT_TRUE(layers && layers->is_array());
  EXPECT_EQ(layers->items()[0].get_string("digest"), "sha256:abc");
  EXPECT_EQ(layers->items()[0].find("size")->as_int(), 1234567890123);
  EXPECT_TRUE(v->find("ok")->as_bool());
  EXPECT_TRUE(v->find("none")->is_null());
  EXPECT_DOUBLE_EQ(v->find("pi")->as_number(), -3.5);
  EXPECT_EQ(v->find("text")->as_string(), "caf\xC3\xA9 \xF0\x9F\x98\x80 \"q\"\n");
  EXPECT_EQ(v->find("missing"), nullptr);
}

TEST(Json, ErrorsNameLineAndColumn) {
  struct Case { const char* text; const char* expected; };
  const Case cases[] = {
      {"{\"a\": 1,}", "line 1, column 9: expected a string key"},
      {"[1, 2", "unterminated array"},
      {"{\"a\" 1}", "expected ':' after key"},
      {"\"abc", "unterminated string"},
      {"[01]", "expected ',' or ']' in array"},
      {"\n\n  tru", "line 3, column 3: unexpected character 't'"},
      {"\"\\ud800\"", "lone high surrogate"},
      {"\"a\tb\"", "control character in string"},
      {"1 2", "unexpected text after the JSON value"},
      {"", "unexpected end of input"},
  };
  for (const auto& c : cases) {
    auto v = parse(c.text);
    ASSERT_FALSE(v.ok()) << c.text;
    EXPECT_EQ(v.status().code(), StatusCode::kCorruption);
    EXPECT_NE(v.status().message().find(c.expected), std::string::npos) << c.text << " -> " << v.status().message();
  }
}

TEST(Json, DepthLimitStopsHostileNesting) {
  std::string deep(100000, '[');
  auto v = parse(deep, 64);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("nesting deeper than 64"), std::string::npos);
}

TEST(Json, DumpRoundTrips) {
  Value root = Value::object();
  root.set("rank", 1);
  root.set("score", 0.25);
  root.set("title", "报告 \"x\"\x01");
  Value& arr = root.set("ids", Value::array());
  arr.push(1);
  arr.push(2);
  arr.push(nullptr);
  std::string compact = root.dump();
  EXPECT_EQ(compact, "{\"rank\":1,\"score\":0.25,\"title\":\"报告 \\\"x\\\"\\u0001\",\"ids\":[1,2,null]}");
  auto back = parse(root.dump(2));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->dump(), compact);
}

TEST(Json, QuoteReplacesInvalidUtf8) {
  EXPECT_EQ(quote("a\xff" "b"), "\"a\\ufffdb\"");
  EXPECT_EQ(quote("\x1b[0m"), "\"\\u001b[0m\"");
}

}  // namespace
}  // namespace lantern::json
