// `lantern search` end to end through the real binary: real import, ranked text output with
// marks, the --json shape, hostile queries, knowledge-base selection and usage errors.
#include <gtest/gtest.h>

#include "lantern/json.h"
#include "test_support.h"

namespace {

using lantern::testing::run_lantern;
using lantern::testing::TempDir;

class SearchCli : public ::testing::Test {
 protected:
  void SetUp() override {
    docs_.write("turbine.md", "# Turbine notes\n\nThe compressor stall margin was measured at altitude.\n\n"
                              "## Fuel\n\nFuel consumption rose by three percent.\n");
    docs_.write("kangaroo.txt", "尤金袋鼠分布在澳大利亚南部和西部的岛屿上。它们被认为是害虫。");
    docs_.write("other.txt", "Nothing about engines here, only gardening and roses.");
    auto r = run_lantern({"--home", home_.path(), "import", docs_.path()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  TempDir home_, docs_;
};

TEST_F(SearchCli, TextOutputMarksMatches) {
  auto r = run_lantern({"--home", home_.path(), "search", "stall", "margins"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1. Turbine notes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(docs_.file("turbine.md")), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[stall] [margin]"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\033"), std::string::npos) << "no escape sequences when stdout is not a terminal";
  EXPECT_EQ(r.out.find("2. "), std::string::npos) << r.out;
}

TEST_F(SearchCli, JsonShape) {
  auto r = run_lantern({"--home", home_.path(), "search", "袋鼠", "--json", "-k", "5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto v = lantern::json::parse(r.out);
  ASSERT_TRUE(v.ok()) << v.status().to_string() << "\n" << r.out;
  ASSERT_TRUE(v->is_array());
  ASSERT_EQ(v->size(), 1u) << r.out;
  const auto& hit = v->items()[0];
  for (const char* key : {"rank", "score", "path", "title", "page", "heading", "chunk_id", "start", "end", "text"}) {
    EXPECT_NE(hit.find(key), nullptr) << key;
  }
  EXPECT_EQ(hit.find("rank")->as_int(), 1);
  EXPECT_GT(hit.find("score")->as_number(), 0);
  EXPECT_EQ(hit.get_string("path"), docs_.file("kangaroo.txt"));
  EXPECT_TRUE(hit.find("page")->is_null());
  EXPECT_NE(hit.get_string("text").find("袋鼠"), std::string::npos);
  EXPECT_EQ(hit.find("start")->as_int(), 0);
  EXPECT_EQ(hit.find("end")->as_int(), 30);  // characters, not bytes
  const auto* marks = hit.find("highlights");
  ASSERT_TRUE(marks && marks->is_array() && marks->size() == 1);
  std::string text = hit.get_string("text");
  size_t b = static_cast<size_t>(marks->items()[0].items()[0].as_int());
  size_t e = static_cast<size_t>(marks->items()[0].items()[1].as_int());
  EXPECT_EQ(text.substr(b, e - b), "袋鼠");

  // Best first, ranks consecutive.
  auto many = run_lantern({"--home", home_.path(), "search", "fuel turbine engines", "--json"});
  ASSERT_EQ(many.exit_code, 0) << many.err;
  auto arr = lantern::json::parse(many.out);
  ASSERT_TRUE(arr.ok());
  ASSERT_GE(arr->size(), 2u);
  for (size_t i = 0; i < arr->size(); ++i) {
    EXPECT_EQ(arr->items()[i].find("rank")->as_int(), static_cast<int64_t>(i + 1));
    if (i > 0) {
      EXPECT_LE(arr->items()[i].find("score")->as_number(), arr->items()[i - 1].find("score")->as_number());
    }
  }
}

TEST_F(SearchCli, HostileQueriesAndErrors) {
  for (const char* q : {"\"", "NEAR(a b", "title:x OR", "*", "\x1b[31mred"}) {
    auto r = run_lantern({"--home", home_.path(), "search", q, "--json"});
    EXPECT_EQ(r.exit_code, 0) << q << ": " << r.err;
    EXPECT_TRUE(lantern::json::parse(r.out).ok()) << r.out;
  }
  auto none = run_lantern({"--home", home_.path(), "search", "zyxwv"});
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_NE(none.out.find("no matches"), std::string::npos);
  auto missing = run_lantern({"--home", home_.path(), "search", "fuel", "--kb", "absent"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no knowledge base named 'absent'"), std::string::npos) << missing.err;
  EXPECT_EQ(run_lantern({"--home", home_.path(), "search", "fuel", "-k", "0"}).exit_code, 2);
  EXPECT_EQ(run_lantern({"--home", home_.path(), "search"}).exit_code, 2);
  // Nothing imported yet in a fresh home: no hits, not an error.
  TempDir fresh;
  auto empty = run_lantern({"--home", fresh.path(), "search", "fuel", "--json"});
  EXPECT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_EQ(empty.out, "[]\n");
}

TEST_F(SearchCli, KnowledgeBaseSelection) {
  TempDir more;
  more.write("gear.txt", "The gearbox of the turbine failed.");
  ASSERT_EQ(run_lantern({"--home", home_.path(), "import", more.path(), "--kb", "second"}).exit_code, 0);
  auto r = run_lantern({"--home", home_.path(), "search", "gearbox", "--kb", "second", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto v = lantern::json::parse(r.out);
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->size(), 1u);
  EXPECT_EQ(v->items()[0].get_string("kb"), "second");
  auto d = run_lantern({"--home", home_.path(), "search", "gearbox", "--json"});
  EXPECT_EQ(d.out, "[]\n") << "default must not see the other knowledge base";
}

}  // namespace
