// `lantern run` through the real binary: greedy decoding of the real aidreams260K model
// reproduces the text of an independent implementation exactly; bad requests are clear errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "test_support.h"

namespace {

using lantern::testing::read_file;
using lantern::testing::run_lantern;

struct Expected {
  std::string prompt;
  size_t n_ids = 0;  // prompt token ids, BOS included
  std::string text;  // prompt + continuation
};

// aidreams260K.expected.txt: "prompt: ...", "ids: [1, ...]", "text: ..." per case. The text is
// 100 tokens after BOS (prompt included), written with one trailing space.
std::vector<Expected> read_expected(const std::string& path) {
  std::vector<Expected> out;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("prompt: ", 0) == 0) {
      out.push_back({line.substr(8), 0, ""});
    } else if (line.rfind("ids: ", 0) == 0 && !out.empty()) {
      out.back().n_ids = std::count(line.begin(), line.end(), ',') + 1;
    } else if (line.rfind("text: ", 0) == 0 && !out.empty()) {
      out.back().text = line.substr(6);
      if (!out.back().text.empty() && out.back().text.back() == ' ') out.back().text.pop_back();
    }
  }
  return out;
}

TEST(RunCommand, GreedyAidreamsReproducesTheReferenceText) {
  LT_REQUIRE_SHARED(shared);
  const std::string model = shared + "/models/real/aidreams260K.gguf";
  auto cases = read_expected(shared + "/models/real/aidreams260K.expected.txt");
  ASSERT_EQ(cases.size(), 3u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.prompt);
    ASSERT_GT(c.n_ids, 1u);
    const std::string n = std::to_string(101 - c.n_ids);  // 100 tokens after BOS in all
    auto r = run_lantern({"run", "-m", model, "--raw", "--temp", "0", "-p", c.prompt, "-n", n, "-t", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string out = r.out;
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out.back(), '\n');
    out.pop_back();
    EXPECT_EQ(c.prompt + out, c.text);
  }
}

TEST(RunCommand, VerbosePrintsTimingsToStderrOnly) {
  LT_REQUIRE_SHARED(shared);
  auto r = run_lantern({"run", "-m", shared + "/models/real/aidreams260K.gguf", "--raw", "-p", "The", "-n", "5",
                        "--seed", "7", "-v", "-t", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("prompt: 3 tokens"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("generated: 5 tokens"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("tokens"), std::string::npos) << r.out;
  // The same seed gives the same text.
  auto again = run_lantern({"run", "-m", shared + "/models/real/aidreams260K.gguf", "--raw", "-p", "The", "-n", "5",
                            "--seed", "7", "-t", "1"});
  EXPECT_EQ(again.out, r.out);
}

TEST(RunCommand, PromptPlusTokensBeyondTheContextIsAnError) {
  LT_REQUIRE_SHARED(shared);
  // aidreams260K was trained with a context of 128 tokens.
  auto r = run_lantern({"run", "-m", shared + "/models/real/aidreams260K.gguf", "--raw", "-p", "Once upon a time",
                        "-n", "200", "-t", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("exceed the context size of 128"), std::string::npos) << r.err;
  r = run_lantern({"run", "-m", shared + "/models/real/aidreams260K.gguf", "--raw", "-p", "Once upon a time", "-n",
                   "10", "--ctx", "8", "-t", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("context size of 8"), std::string::npos) << r.err;
}

TEST(RunCommand, UsageErrors) {
  auto r = run_lantern({"run", "-p", "hi"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = run_lantern({"run", "-m", "x", "-p", "hi", "--temp", "hot"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = run_lantern({"run", "-m", "x", "-p", "hi", "-f", "y"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = run_lantern({"run", "-m", "/nonexistent/model.gguf", "-p", "hi"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  // Values checked before the model is opened: one line naming the option, exit 2.
  const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
      {{"--ctx", "0"}, "--ctx"},
      {{"--ctx", "-5"}, "--ctx"},
      {{"--kv-type", "q8"}, "--kv-type: 'q8'"},
      {{"--kv-type", ""}, "--kv-type"},
      {{"--frequency-penalty", "3"}, "--frequency-penalty"},
      {{"--frequency-penalty", "nan"}, "--frequency-penalty"},
      {{"--presence-penalty", "-2.5"}, "--presence-penalty"},
      {{"--presence-penalty", "x"}, "--presence-penalty"},
  };
  for (const auto& [extra, want] : bad) {
    std::vector<std::string> args = {"run", "-m", "/nonexistent/model.gguf", "-p", "hi"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto e = run_lantern(args);
    EXPECT_EQ(e.exit_code, 2) << extra[0] << " " << extra[1] << ": " << e.err;
    EXPECT_NE(e.err.find(want), std::string::npos) << e.err;
    EXPECT_EQ(std::count(e.err.begin(), e.err.end(), '\n'), 1) << e.err;
  }
}

TEST(RunCommand, KvTypeAndPenaltiesReachTheEngine) {
  LT_REQUIRE_SHARED(shared);
  const std::string model = shared + "/models/real/aidreams260K.gguf";
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"run", "-m", model, "--raw", "--temp", "0", "-p", "Once upon a time", "-n", "60",
                                     "-t", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_lantern(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  const std::string plain = run({});
  ASSERT_FALSE(plain.empty());
  // Greedy text is the same with an f32 cache as with f16 on this model, and the explicit default.
  EXPECT_EQ(run({"--kv-type", "f16"}), plain);
  EXPECT_EQ(run({"--kv-type", "f32"}), plain);
  // Zero penalties are no-ops; strong ones change what greedy decoding picks.
  EXPECT_EQ(run({"--frequency-penalty", "0", "--presence-penalty", "0"}), plain);
  EXPECT_NE(run({"--frequency-penalty", "2"}), plain);
  EXPECT_NE(run({"--presence-penalty", "2"}), plain);
}

}  // namespace

namespace {

int prompt_tokens_of(const std::string& err) {
  const size_t at = err.find("prompt: ");
  return at == std::string::npos ? -1 : std::atoi(err.c_str() + at + 8);
}

TEST(RunCommand, ChatTemplateWrapsThePromptUnlessRaw) {
  LT_REQUIRE_SHARED(shared);
  const std::string model = shared + "/models/real/aidreams260K.gguf";
  auto raw = run_lantern({"run", "-m", model, "--raw", "-p", "The", "-n", "2", "--temp", "0", "-v", "-t", "1"});
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  EXPECT_EQ(prompt_tokens_of(raw.err), 3);
  // aidreams has no chat template: chatml is used, with a warning.
  auto chat = run_lantern({"run", "-m", model, "-p", "The", "-n", "2", "--temp", "0", "-v", "-t", "1"});
  ASSERT_EQ(chat.exit_code, 0) << chat.err;
  EXPECT_NE(chat.err.find("chatml"), std::string::npos) << chat.err;
  EXPECT_GT(prompt_tokens_of(chat.err), 10) << chat.err;
  auto sys = run_lantern({"run", "-m", model, "-p", "The", "-n", "2", "--temp", "0", "-v", "-t", "1", "--system", "Be brief."});
  ASSERT_EQ(sys.exit_code, 0) << sys.err;
  EXPECT_GT(prompt_tokens_of(sys.err), prompt_tokens_of(chat.err));
  auto bad = run_lantern({"run", "-m", model, "-p", "The", "--template", "no-such-format"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("chatml"), std::string::npos) << bad.err;  // lists the known names
}

}  // namespace

namespace {

TEST(RunCommand, PromptFromStandardInputAndFile) {
  LT_REQUIRE_SHARED(shared);
  const std::string model = shared + "/models/real/aidreams260K.gguf";
  auto direct = run_lantern({"run", "-m", model, "--raw", "--temp", "0", "-p", "The", "-n", "12"});
  ASSERT_EQ(direct.exit_code, 0) << direct.err;
  auto piped = run_lantern({"run", "-m", model, "--raw", "--temp", "0", "-n", "12"}, {}, "The");
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.out, direct.out);
  lantern::testing::TempDir dir;
  auto from_file = run_lantern({"run", "-m", model, "--raw", "--temp", "0", "-n", "12", "-f", dir.write("p.txt", "The")});
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  EXPECT_EQ(from_file.out, direct.out);
  auto missing = run_lantern({"run", "-m", model, "--raw", "-f", dir.file("nope.txt")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nope.txt"), std::string::npos) << missing.err;
}

}  // namespace

namespace {

TEST(RunCommand, SpecialTokenTextInThePromptStaysText) {
  LT_REQUIRE_SHARED(shared);
  const std::string model = shared + "/models/real/aidreams260K.gguf";
  // "</s>" is aidreams' EOS: typed by the user it must not become the control token, so the
  // prompt is longer than the two-word one by the spelled-out characters.
  auto plain = run_lantern({"run", "-m", model, "-p", "The", "-n", "1", "--temp", "0", "-v", "-t", "1"});
  auto typed = run_lantern({"run", "-m", model, "-p", "The</s>", "-n", "1", "--temp", "0", "-v", "-t", "1"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_EQ(typed.exit_code, 0) << typed.err;
  EXPECT_GT(prompt_tokens_of(typed.err), prompt_tokens_of(plain.err) + 1) << typed.err;
}

}  // namespace
