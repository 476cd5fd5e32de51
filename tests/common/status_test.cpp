#include "lantern/status.h"

#include <gtest/gtest.h>

namespace lantern {
namespace {

Result<int> half(int x) {
  if (x % 2) return Status::invalid_argument("odd value " + std::to_string(x));
  return x / 2;
}

Result<int> quarter(int x) {
  LT_ASSIGN_OR_RETURN(int h, half(x));
  LT_ASSIGN_OR_RETURN(int q, half(h));
  return q;
}

TEST(Status, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.to_string(), "ok");
}

TEST(Status, CodeMessageAndContext) {
  Status s = Status::corruption("offset 1234 past end of file (size 1000)").with_context("tensor 'x'");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), "tensor 'x': offset 1234 past end of file (size 1000)");
  EXPECT_EQ(s.to_string(), "corruption: tensor 'x': offset 1234 past end of file (size 1000)");
  EXPECT_TRUE(ok_status().with_context("ignored").ok());
}

TEST(Status, FromErrnoNamesTheCause) {
  Status s = Status::from_errno("open 'm.gguf'", ENOENT);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("open 'm.gguf': "), std::string::npos);
}

TEST(Result, PropagatesThroughMacros) {
  auto ok = quarter(8);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 2);
  auto bad = quarter(6);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "odd value 3");
  EXPECT_EQ(bad.value_or(-1), -1);
}

}  // namespace
}  // namespace lantern
