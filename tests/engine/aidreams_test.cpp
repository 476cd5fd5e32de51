// The real aidreams260K model through the API: the prompt ids match the reference engine's, and
// greedy generation (Session::generate, both KV cache types) reproduces the
// independent implementation's text for 100 tokens after BOS.
#include <gtest/gtest.h>

#include <sstream>

#include "lantern/engine/model.h"
#include "lantern/engine/session.h"
#include "lantern/engine/tokenizer.h"
#include "test_support.h"

namespace lantern::engine {
namespace {

struct Case {
  std::string prompt;
  std::vector<int32_t> ids;
  std::string text;  // prompt + continuation, without the file's trailing space
};

std::vector<Case> read_cases(const std::string& path) {
  std::vector<Case> out;
  std::istringstream in(lantern::testing::read_file(path));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("prompt: ", 0) == 0) {
      out.push_back({line.substr(8), {}, ""});
    } else if (line.rfind("ids: [", 0) == 0 && !out.empty()) {
      std::string list = line.substr(6);
      for (char& c : list) {
        if (c == ',' || c == ']') c = ' ';
      }
      std::istringstream ids(list);
      for (int32_t v; ids >> v;) out.back().ids.push_back(v);
    } else if (line.rfind("text: ", 0) == 0 && !out.empty()) {
      out.back().text = line.substr(6);
      if (!out.back().text.empty() && out.back().text.back() == ' ') out.back().text.pop_back();
    }
  }
  return out;
}

TEST(Aidreams, GreedyGenerationReproducesTheReference) {
  LT_REQUIRE_SHARED(shared);
  LoadOptions lo;
  lo.n_threads = 1;  // a 260K-parameter model: worker hand-offs would cost more than the work
  auto model = Model::load(shared + "/models/real/aidreams260K.gguf", lo);
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  EXPECT_EQ((*model)->info().arch, "llama");
  EXPECT_EQ((*model)->info().n_ctx_train, 128);
  const Tokenizer& tok = (*model)->tokenizer();
  auto cases = read_cases(shared + "/models/real/aidreams260K.expected.txt");
  ASSERT_EQ(cases.size(), 3u);
  SamplerParams greedy;
  greedy.temperature = 0.0f;
  greedy.repeat_penalty = 1.0f;
  for (KvType kv : {KvType::kF32, KvType::kF16}) {
    SessionOptions so;
    so.kv_type = kv;
    auto session = Session::create(*model, so);
    ASSERT_TRUE(session.ok());
    Session& s = **session;
    EXPECT_EQ(s.n_ctx(), 128);
    for (const auto& c : cases) {
      SCOPED_TRACE(c.prompt);
      EXPECT_EQ(tok.encode(c.prompt, true, false), c.ids);
      ASSERT_TRUE(s.sync(c.ids).ok());
      auto gen = s.generate(greedy, static_cast<int32_t>(101 - c.ids.size()), nullptr);
      ASSERT_TRUE(gen.ok()) << gen.status().to_string();
      EXPECT_EQ(gen->stop, StopReason::kMaxTokens);
      EXPECT_EQ(c.prompt + gen->text, c.text);
    }
  }
}

}  // namespace
}  // namespace lantern::engine
