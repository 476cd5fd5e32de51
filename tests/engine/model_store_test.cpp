// Model resolution and discovery against a models dir and a fake Ollama store built in a TempDir
// (real manifest JSON, real GGUF blobs).
#include "lantern/engine/model_store.h"

#include <gtest/gtest.h>

#include "gguf_bytes.h"
#include "test_support.h"

namespace lantern::engine {
namespace {

using lantern::testing::build_gguf;
using lantern::testing::GgufSpec;
using lantern::testing::TempDir;

const std::string kHexA(64, 'a');
const std::string kHexB = std::string(63, '0') + "b";

std::string tiny_gguf(const std::string& arch, uint32_t ctx) {
  GgufSpec s;
  s.str("general.architecture", arch).str("general.name", "tiny-" + arch).u32(arch + ".context_length", ctx);
  s.u32("general.file_type", 15);
  s.tensor("token_embd.weight", TensorType::kQ4_K, {256, 4});
  s.tensor("output.weight", TensorType::kQ6_K, {256, 4});
  s.tensor("blk.0.ffn_down.weight", TensorType::kQ4_K, {256, 8});
  s.tensor("output_norm.weight", TensorType::kF32, {256});
  return build_gguf(s);
}

std::string manifest(const std::string& digest_hex, const std::string& media = "application/vnd.ollama.image.model") {
  return R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",)"
         R"("config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:)" +
         std::string(64, 'c') + R"(","size":10},"layers":[{"mediaType":"application/vnd.ollama.image.license",)"
         R"("digest":"sha256:)" + std::string(64, 'd') + R"(","size":5},{"mediaType":")" + media +
         R"(","digest":"sha256:)" + digest_hex + R"(","size":1234}]})";
}

// home/models/{a.gguf, sub/b.gguf, notes.txt}; ollama/{qwen2.5:7b, deepseek-r1:latest, me/custom:v1,
// broken:latest (bad JSON), gone:latest (missing blob)}.
struct Fixture {
  TempDir dir;
  std::string home = dir.file("home");
  std::string ollama = dir.file("ollama");
  Fixture() {
    dir.write("home/models/a.gguf", tiny_gguf("llama", 4096));
    dir.write("home/models/sub/b.gguf", tiny_gguf("qwen2", 32768));
    dir.write("home/models/notes.txt", "not a model");
    dir.write("ollama/blobs/sha256-" + kHexA, tiny_gguf("qwen2", 131072));
    dir.write("ollama/blobs/sha256-" + kHexB, tiny_gguf("llama", 8192));
    dir.write("ollama/manifests/registry.ollama.ai/library/qwen2.5/7b", manifest(kHexA));
    dir.write("ollama/manifests/registry.ollama.ai/library/deepseek-r1/latest", manifest(kHexB));
    dir.write("ollama/manifests/registry.ollama.ai/me/custom/v1", manifest(kHexB));
    dir.write("ollama/manifests/registry.ollama.ai/library/broken/latest", "{\"layers\": [");
    dir.write("ollama/manifests/registry.ollama.ai/library/gone/latest", manifest(std::string(64, 'e')));
    dir.write("ollama/manifests/registry.ollama.ai/library/evil/latest", manifest("../../../etc/passwd"));
  }
};

TEST(ModelStore, ResolvesPathsModelsDirAndOllamaNames) {
  Fixture f;
  EXPECT_EQ(resolve_model(f.home + "/models/a.gguf", f.home, f.ollama).value(), f.home + "/models/a.gguf");
  EXPECT_EQ(resolve_model("a.gguf", f.home, f.ollama).value(), f.home + "/models/a.gguf");
  EXPECT_EQ(resolve_model("a", f.home, f.ollama).value(), f.home + "/models/a.gguf");
  EXPECT_EQ(resolve_model("qwen2.5:7b", f.home, f.ollama).value(), f.ollama + "/blobs/sha256-" + kHexA);
  EXPECT_EQ(resolve_model("deepseek-r1", f.home, f.ollama).value(), f.ollama + "/blobs/sha256-" + kHexB);
  EXPECT_EQ(resolve_model("deepseek-r1:latest", f.home, f.ollama).value(), f.ollama + "/blobs/sha256-" + kHexB);
  EXPECT_EQ(resolve_model("me/custom:v1", f.home, f.ollama).value(), f.ollama + "/blobs/sha256-" + kHexB);
  EXPECT_EQ(resolve_model("registry.ollama.ai/me/custom:v1", f.home, f.ollama).value(),
            f.ollama + "/blobs/sha256-" + kHexB);
}

TEST(ModelStore, ResolutionErrorsListWhatWasTried) {
  Fixture f;
  auto r = resolve_model("qwen2.5:14b", f.home, f.ollama);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("model 'qwen2.5:14b' not found"), std::string::npos) << m;
  EXPECT_NE(m.find("file 'qwen2.5:14b'"), std::string::npos) << m;
  EXPECT_NE(m.find(f.home + "/models/qwen2.5:14b.gguf"), std::string::npos) << m;
  EXPECT_NE(m.find("Ollama 'qwen2.5:14b'"), std::string::npos) << m;
  EXPECT_NE(m.find("manifests/registry.ollama.ai/library/qwen2.5/14b"), std::string::npos) << m;

  auto broken = resolve_model("broken", f.home, f.ollama);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), StatusCode::kCorruption);
  EXPECT_NE(broken.status().message().find("manifest"), std::string::npos) << broken.status().message();

  auto gone = resolve_model("gone", f.home, f.ollama);
  ASSERT_FALSE(gone.ok());
  EXPECT_NE(gone.status().message().find("is missing"), std::string::npos) << gone.status().message();

  auto evil = resolve_model("evil", f.home, f.ollama);
  ASSERT_FALSE(evil.ok());
  EXPECT_NE(evil.status().message().find("not sha256:<64 hex digits>"), std::string::npos);

  EXPECT_FALSE(resolve_model("../../etc:passwd", f.home, f.ollama).ok());
  EXPECT_EQ(resolve_model(f.home, f.home, f.ollama).status().code(), StatusCode::kInvalidArgument);  // a directory
  auto no_store = resolve_model("qwen2.5:7b", f.home, "");
  ASSERT_FALSE(no_store.ok());
  EXPECT_NE(no_store.status().message().find("no Ollama store"), std::string::npos);
  EXPECT_FALSE(resolve_model("", f.home, f.ollama).ok());
}

TEST(ModelStore, ListsOllamaStore) {
  Fixture f;
  std::vector<ModelEntry> list = list_ollama_models(f.ollama);
  ASSERT_EQ(list.size(), 6u);
  std::map<std::string, const ModelEntry*> by_name;
  for (const auto& e : list) by_name[e.name] = &e;
  ASSERT_TRUE(by_name.count("qwen2.5:7b"));
  EXPECT_TRUE(by_name["qwen2.5:7b"]->error.ok());
  EXPECT_EQ(by_name["qwen2.5:7b"]->path, f.ollama + "/blobs/sha256-" + kHexA);
  EXPECT_EQ(by_name["qwen2.5:7b"]->source, "ollama");
  ASSERT_TRUE(by_name.count("me/custom:v1"));
  ASSERT_TRUE(by_name.count("broken:latest"));
  EXPECT_FALSE(by_name["broken:latest"]->error.ok());
  EXPECT_FALSE(by_name["gone:latest"]->error.ok());
  EXPECT_FALSE(by_name["evil:latest"]->error.ok());
  EXPECT_TRUE(list_ollama_models(f.dir.file("absent")).empty());
}

TEST(ModelStore, DiscoversModelsDirPathsAndDeduplicates) {
  Fixture f;
  TempDir other;
  const std::string extra = other.write("x/c.gguf", tiny_gguf("llama", 2048));
  std::vector<ModelEntry> all =
      discover_models(f.home, {extra, f.home + "/models/a.gguf", other.file("missing.gguf")}, f.ollama);
  std::vector<std::string> names;
  for (const auto& e : all) names.push_back(e.name);
  // models dir (sorted, recursive, only *.gguf), then paths (a.gguf again is dropped), then Ollama.
  ASSERT_GE(names.size(), 4u);
  EXPECT_EQ(names[0], "a.gguf");
  EXPECT_EQ(names[1], "b.gguf");
  EXPECT_EQ(names[2], "c.gguf");
  EXPECT_EQ(all[2].source, "path");
  EXPECT_EQ(names[3], other.file("missing.gguf"));
  EXPECT_EQ(all[3].error.code(), StatusCode::kNotFound);
  EXPECT_EQ(std::count(names.begin(), names.end(), "a.gguf"), 1);
  EXPECT_EQ(all.size(), 4u + 6u);
}

TEST(ModelStore, SummaryOfARunnableFileHasNoProblem) {
  LT_REQUIRE_SHARED(shared);
  auto s = summarize_model(shared + "/models/fixtures/tiny-llama-q8_0.gguf");
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->problem, "");
  EXPECT_EQ(s->quant_mix, "Q8_0");
  auto v = summarize_model(shared + "/vocab/ggml-vocab-gpt-2.gguf");
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_EQ(v->problem, "no weights (vocabulary-only file)");
}

TEST(ModelStore, SummarizesWithoutLoadingWeights) {
  Fixture f;
  auto s = summarize_model(f.home + "/models/sub/b.gguf");
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->arch, "qwen2");
  EXPECT_EQ(s->model_name, "tiny-qwen2");
  EXPECT_EQ(s->n_ctx_train, 32768u);
  EXPECT_EQ(s->n_params, 256u * 4 * 2 + 256 * 8 + 256);
  EXPECT_EQ(s->params, "4.4K");
  EXPECT_EQ(s->file_type, "Q4_K_M");
  EXPECT_EQ(s->quant_mix, "Q4_K+Q6_K");
  // The tiny file lacks hyperparameters: it lists, with the reason it cannot run.
  EXPECT_NE(s->problem.find("required key 'qwen2.block_count' not found"), std::string::npos) << s->problem;
  EXPECT_EQ(s->problem.find(f.home), std::string::npos) << "path prefix not stripped: " << s->problem;

  GgufSpec phi;
  phi.str("general.architecture", "phi3").u32("phi3.context_length", 4096);
  phi.tensor("token_embd.weight", TensorType::kF32, {8, 4});
  const std::string phi_path = f.dir.write("phi.gguf", build_gguf(phi));
  auto ps = summarize_model(phi_path);
  ASSERT_TRUE(ps.ok()) << ps.status().to_string();
  EXPECT_EQ(ps->arch, "phi3");
  EXPECT_EQ(ps->n_ctx_train, 4096u);
  EXPECT_NE(ps->problem.find("unsupported architecture 'phi3'"), std::string::npos) << ps->problem;

  auto bad = summarize_model(f.home + "/models/notes.txt");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad magic"), std::string::npos);
}

}  // namespace
}  // namespace lantern::engine
