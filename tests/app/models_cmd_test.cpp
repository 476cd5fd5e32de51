// `lantern models` end to end: the real binary against a home models dir and a fake Ollama store
// built in a TempDir (manifest JSON + GGUF blob), including unreadable files listed with errors.
#include <gtest/gtest.h>

#include "../engine/gguf_bytes.h"
#include "test_support.h"

namespace {

using lantern::testing::build_gguf;
using lantern::testing::GgufSpec;
using lantern::testing::run_lantern;
using lantern::testing::TempDir;

std::string tiny(const std::string& arch, uint32_t ctx) {
  GgufSpec s;
  s.str("general.architecture", arch).u32(arch + ".context_length", ctx).u32("general.file_type", 7);
  s.tensor("token_embd.weight", lantern::engine::TensorType::kQ8_0, {64, 16});
  s.tensor("output_norm.weight", lantern::engine::TensorType::kF32, {64});
  return build_gguf(s);
}

TEST(ModelsCmd, ListsModelsDirOllamaStoreAndErrors) {
  TempDir t;
  const std::string hex(64, 'f');
  t.write("home/models/mini.gguf", tiny("llama", 4096));
  t.write("home/models/broken.gguf", std::string("GGUF\x09\0\0\0", 8));
  t.write("ollama/blobs/sha256-" + hex, tiny("qwen2", 32768));
  t.write("ollama/manifests/registry.ollama.ai/library/qwen2.5/0.5b",
          R"({"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:)" + hex + R"("}]})");
  const std::map<std::string, std::string> env = {{"OLLAMA_MODELS", t.file("ollama")}};
  auto r = run_lantern({"--home", t.file("home"), "models"}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("NAME"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mini.gguf"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("4096"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("qwen2.5:0.5b"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("32768"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Q8_0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("broken.gguf"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("unsupported GGUF version 9"), std::string::npos) << r.out;
  // mini.gguf reads but has no hyperparameters: listed with a note under its row.
  EXPECT_NE(r.out.find("cannot run: required key 'llama.block_count' not found"), std::string::npos) << r.out;

  auto j = run_lantern({"--home", t.file("home"), "models", "--json"}, env);
  EXPECT_EQ(j.exit_code, 0) << j.err;
  EXPECT_NE(j.out.find("\"name\": \"qwen2.5:0.5b\""), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"context_length\": 4096"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"error\":"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"runnable\": false"), std::string::npos) << j.out;

  // A path that does not exist is listed with its error and makes the exit status 1.
  auto missing = run_lantern({"--home", t.file("home"), "models", t.file("nope.gguf")}, env);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("no such file"), std::string::npos) << missing.out;
}

TEST(ModelsCmd, EmptyStoreSaysWhereItLooked) {
  TempDir t;
  auto r = run_lantern({"--home", t.file("home"), "models"}, {{"OLLAMA_MODELS", t.file("none")}});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("no GGUF models found"), std::string::npos) << r.err;
}

}  // namespace
