// `lantern tokenize` through the real binary: ids on one line, --pieces, --no-bos, --special,
// -f FILE / -f -, usage errors (exit 2) and a missing model (exit 1). Vocabularies are GGUF files
// written by the test, plus the real aidreams260K model when ../shared is present.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "lantern/engine/gguf_writer.h"
#include "test_support.h"

namespace {

using lantern::testing::run_lantern;
using lantern::testing::TempDir;

// A SentencePiece vocabulary: <unk> <s> </s>, 256 byte tokens, then a few pieces.
std::string write_vocab(const TempDir& dir) {
  lantern::engine::GgufWriter w;
  std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
  std::vector<int32_t> types = {2, 3, 3};
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    tokens.push_back(name);
    types.push_back(6);
  }
  for (const char* t : {"▁", "h", "i", "▁h", "▁hi"}) {
    tokens.push_back(t);
    types.push_back(1);
  }
  std::vector<float> scores(tokens.size(), 0.0f);
  w.set_string("general.architecture", "llama");
  w.set_string("tokenizer.ggml.model", "llama");
  w.set_string_array("tokenizer.ggml.tokens", tokens);
  w.set_f32_array("tokenizer.ggml.scores", scores);
  w.set_i32_array("tokenizer.ggml.token_type", types);
  w.set_u32("tokenizer.ggml.bos_token_id", 1);
  w.set_u32("tokenizer.ggml.eos_token_id", 2);
  const std::string path = dir.file("tiny.gguf");
  EXPECT_TRUE(w.write(path).ok());
  return path;
}

TEST(TokenizeCmd, PrintsIdsOnOneLine) {
  TempDir dir;
  const std::string model = write_vocab(dir);
  // ids: ▁=259 h=260 i=261 ▁h=262 ▁hi=263; é has no piece: bytes C3 A9 -> 3+0xC3, 3+0xA9.
  auto r = run_lantern({"--home", dir.path(), "tokenize", "-m", model, "--text", "hi é"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1 263 259 198 172\n");
  auto nb = run_lantern({"--home", dir.path(), "tokenize", "-m", model, "--text", "hi", "--no-bos"});
  EXPECT_EQ(nb.out, "263\n");
}

TEST(TokenizeCmd, PiecesSpecialAndFileInput) {
  TempDir dir;
  const std::string model = write_vocab(dir);
  auto p = run_lantern({"--home", dir.path(), "tokenize", "-m", model, "--text", "hi</s>", "--pieces", "--special"});
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(p.out, "1\t<s>\n263\t hi\n2\t</s>\n");
  auto plain = run_lantern({"--home", dir.path(), "tokenize", "-m", model, "--text", "</s>", "--no-bos"});
  EXPECT_NE(plain.out, "2\n");  // without --special, "</s>" is just text
  const std::string f = dir.write("in.txt", "hi");
  auto fr = run_lantern({"--home", dir.path(), "tokenize", "-m", model, "-f", f});
  EXPECT_EQ(fr.out, "1 263\n");
  auto sr = run_lantern({"--home", dir.path(), "tokenize", "-m", model, "-f", "-"}, {}, "hi");
  EXPECT_EQ(sr.out, "1 263\n");
  // A file name in <home>/models resolves too.
  std::filesystem::create_directories(dir.file("models"));
  std::filesystem::copy_file(model, dir.file("models/tiny.gguf"));
  auto byname = run_lantern({"--home", dir.path(), "tokenize", "-m", "tiny", "--text", "hi"});
  EXPECT_EQ(byname.exit_code, 0) << byname.err;
  EXPECT_EQ(byname.out, "1 263\n");
}

TEST(TokenizeCmd, UsageAndRuntimeErrors) {
  TempDir dir;
  const std::string model = write_vocab(dir);
  EXPECT_EQ(run_lantern({"--home", dir.path(), "tokenize", "--text", "x"}).exit_code, 2);
  EXPECT_EQ(run_lantern({"--home", dir.path(), "tokenize", "-m", model}).exit_code, 2);
  EXPECT_EQ(run_lantern({"--home", dir.path(), "tokenize", "-m", model, "--text", "x", "-f", "y"}).exit_code, 2);
  auto missing = run_lantern({"--home", dir.path(), "tokenize", "-m", dir.file("nope.gguf"), "--text", "x"});
  EXPECT_EQ(missing.exit_code, 1);
  auto nofile = run_lantern({"--home", dir.path(), "tokenize", "-m", model, "-f", dir.file("absent.txt")});
  EXPECT_EQ(nofile.exit_code, 1);
  EXPECT_NE(nofile.err.find("absent.txt"), std::string::npos);
  const std::string junk = dir.write("junk.gguf", "not a gguf file at all");
  auto bad = run_lantern({"--home", dir.path(), "tokenize", "-m", junk, "--text", "x"});
  EXPECT_EQ(bad.exit_code, 1);
}

TEST(TokenizeCmd, RealModelPromptIds) {
  LT_REQUIRE_SHARED(shared);
  auto r = run_lantern({"tokenize", "-m", shared + "/models/real/aidreams260K.gguf", "--text", "Once upon a time"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1 429 491 433 295 429 444 445 265 262 263 342 430\n");
}

}  // namespace
