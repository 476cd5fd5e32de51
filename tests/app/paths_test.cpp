#include "paths.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>

#include "test_support.h"

namespace lantern::app {
namespace {

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Paths, HomePrecedence) {
  EXPECT_EQ(*resolve_home(std::string("/flag"), fake_env({{"LANTERN_HOME", "/env"}})), "/flag");
  EXPECT_EQ(*resolve_home(std::nullopt, fake_env({{"LANTERN_HOME", "/env"}, {"XDG_DATA_HOME", "/xdg"}})), "/env");
  EXPECT_EQ(*resolve_home(std::nullopt, fake_env({{"XDG_DATA_HOME", "/xdg"}, {"HOME", "/u"}})), "/xdg/lantern");
  EXPECT_EQ(*resolve_home(std::nullopt, fake_env({{"HOME", "/u"}})), "/u/.local/share/lantern");
  EXPECT_FALSE(resolve_home(std::nullopt, fake_env({})).ok());
  EXPECT_FALSE(resolve_home(std::string(""), fake_env({})).ok());
}

TEST(Paths, ConfigPrecedence) {
  auto a = resolve_config(std::string("/c.toml"), fake_env({{"HOME", "/u"}}));
  EXPECT_EQ(a->path, "/c.toml");
  EXPECT_TRUE(a->explicit_path);
  auto b = resolve_config(std::nullopt, fake_env({{"XDG_CONFIG_HOME", "/x"}, {"HOME", "/u"}}));
  EXPECT_EQ(b->path, "/x/lantern/config.toml");
  EXPECT_FALSE(b->explicit_path);
  auto c = resolve_config(std::nullopt, fake_env({{"HOME", "/u"}}));
  EXPECT_EQ(c->path, "/u/.config/lantern/config.toml");
  auto d = resolve_config(std::nullopt, fake_env({{"LANTERN_CONFIG", "/l.toml"}}));
  EXPECT_TRUE(d->explicit_path);
}

TEST(Paths, EnsureDirCreatesParentsPrivately) {
  lantern::testing::TempDir tmp;
  std::string dir = tmp.file("a/b/c");
  ASSERT_TRUE(ensure_dir(dir).ok());
  struct stat st;
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  tmp.write("file", "x");
  Status s = ensure_dir(tmp.file("file"));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("is not a directory"), std::string::npos);
}

}  // namespace
}  // namespace lantern::app
