// Tokenizers against reference data: every ../shared/vocab/ggml-vocab-*.gguf with its .inp/.out
// pair and the zh-mixed extra set must match token for token (no BOS, specials not parsed), and
// decode back to the input where the vocabulary can represent it (all but WordPiece, which
// lower-cases and drops accents). Also the prompt ids of the real aidreams260K model.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "lantern/engine/gguf.h"
#include "lantern/engine/tokenizer.h"
#include "test_support.h"

namespace lantern::engine {
namespace {

using lantern::testing::read_file;

std::vector<std::string> split_cases(const std::string& text) {
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    const size_t hit = text.find(sep, pos);
    if (hit == std::string::npos) break;
    out.push_back(text.substr(pos, hit - pos));
    pos = hit + sep.size();
  }
  // The ggml-vocab-*.inp files end every case with a separator; other files (extra/zh-mixed.inp)
  // leave it off after the last case, which is still a case (its .out has a line for it).
  if (pos < text.size()) out.push_back(text.substr(pos));
  return out;
}

std::vector<std::vector<int32_t>> parse_ids(const std::string& text) {
  std::vector<std::vector<int32_t>> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream ls(line);
    std::vector<int32_t> ids;
    int64_t id = 0;
    while (ls >> id) ids.push_back(static_cast<int32_t>(id));
    out.push_back(std::move(ids));
  }
  return out;
}

std::unique_ptr<Tokenizer> load(const std::string& path) {
  auto file = GgufFile::open(path);
  EXPECT_TRUE(file.ok()) << file.status().to_string();
  if (!file.ok()) return nullptr;
  auto tok = Tokenizer::from_gguf(**file);
  EXPECT_TRUE(tok.ok()) << tok.status().to_string();
  if (!tok.ok()) return nullptr;
  EXPECT_TRUE((*tok)->warnings().empty()) << (*tok)->warnings().front();
  return std::move(tok).value();
}

std::string show(const Tokenizer& tok, const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) s += " " + std::to_string(id) + "(" + tok.token_text(id) + ")";
  return s;
}

void check_cases(const Tokenizer& tok, const std::string& inp_path, const std::string& out_path) {
  const auto cases = split_cases(read_file(inp_path));
  const auto expected = parse_ids(read_file(out_path));
  ASSERT_FALSE(cases.empty()) << inp_path;
  ASSERT_EQ(expected.size(), cases.size()) << inp_path << " vs " << out_path;
  const bool round_trips = tok.kind() != VocabKind::kWpm;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto got = tok.encode(cases[i], /*add_special=*/false, /*parse_special=*/false);
    EXPECT_EQ(got, expected[i]) << "case " << i << " of " << inp_path << ": '" << cases[i].substr(0, 80)
                                << "'\n expected:" << show(tok, expected[i]) << "\n got:     " << show(tok, got);
    if (round_trips) {
      EXPECT_EQ(tok.decode(expected[i]), cases[i]) << "case " << i << " of " << inp_path;
      // Streaming gives the same text as decoding at once.
      StreamDecoder dec(tok, false, /*strip_leading_space=*/tok.kind() == VocabKind::kSpm);
      std::string streamed;
      for (int32_t id : expected[i]) streamed += dec.push(id);
      streamed += dec.flush();
      EXPECT_EQ(streamed, cases[i]) << "streamed case " << i << " of " << inp_path;
    }
  }
}

void check_vocab(const std::string& name) {
  auto shared = lantern::testing::shared_dir();
  ASSERT_TRUE(shared);
  const std::string base = *shared + "/vocab/ggml-vocab-" + name + ".gguf";
  auto tok = load(base);
  ASSERT_TRUE(tok);
  check_cases(*tok, base + ".inp", base + ".out");
  const std::string zh_out = *shared + "/vocab/extra/zh-mixed." + name + ".out";
  if (std::filesystem::exists(zh_out)) check_cases(*tok, *shared + "/vocab/extra/zh-mixed.inp", zh_out);
}

#define VOCAB_TEST(test_name, vocab_name) \
  TEST(TokenizerReference, test_name) {   \
    LT_REQUIRE_SHARED(shared);            \
    check_vocab(vocab_name);              \
  }

VOCAB_TEST(BertBge, "bert-bge")
VOCAB_TEST(DeepseekCoder, "deepseek-coder")
VOCAB_TEST(DeepseekLlm, "deepseek-llm")
VOCAB_TEST(Falcon, "falcon")
VOCAB_TEST(Gpt2, "gpt-2")
VOCAB_TEST(LlamaSpm, "llama-spm")
VOCAB_TEST(Mpt, "mpt")
VOCAB_TEST(Phi3, "phi-3")
VOCAB_TEST(Refact, "refact")
VOCAB_TEST(Starcoder, "starcoder")

// Every vocab file in the folder has a test above: a new one must not go unchecked.
TEST(TokenizerReference, EveryVocabFileIsCovered) {
  LT_REQUIRE_SHARED(shared);
  const std::set<std::string> covered = {"bert-bge", "deepseek-coder", "deepseek-llm", "falcon", "gpt-2",
                                         "llama-spm", "mpt", "phi-3", "refact", "starcoder"};
  for (const auto& e : std::filesystem::directory_iterator(shared + "/vocab")) {
    const std::string f = e.path().filename().string();
    if (f.rfind("ggml-vocab-", 0) != 0 || f.size() < 16 || f.substr(f.size() - 5) != ".gguf") continue;
    const std::string name = f.substr(11, f.size() - 11 - 5);
    EXPECT_TRUE(covered.count(name)) << f << " has no reference test";
  }
}

TEST(TokenizerReference, Aidreams260KPromptIds) {
  LT_REQUIRE_SHARED(shared);
  auto tok = load(shared + "/models/real/aidreams260K.gguf");
  ASSERT_TRUE(tok);
  std::istringstream lines(read_file(shared + "/models/real/aidreams260K.expected.txt"));
  std::string line, prompt;
  int checked = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("prompt: ", 0) == 0) prompt = line.substr(8);
    if (line.rfind("ids: [", 0) != 0) continue;
    std::string list = line.substr(6, line.find(']') - 6);
    for (char& c : list) c = c == ',' ? ' ' : c;
    const auto expected = parse_ids(list).front();
    EXPECT_EQ(tok->encode(prompt, /*add_special=*/true, /*parse_special=*/false), expected) << "prompt '" << prompt << "'";
    EXPECT_EQ(tok->decode(expected), prompt);
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

// Control tokens are text unless parse_special; user-defined tokens always match whole.
TEST(TokenizerReference, SpecialTokensOnlyWhenAsked) {
  LT_REQUIRE_SHARED(shared);
  auto tok = load(shared + "/vocab/ggml-vocab-deepseek-llm.gguf");
  ASSERT_TRUE(tok);
  const int32_t bos = tok->bos();
  ASSERT_EQ(tok->token_text(bos), "<｜begin▁of▁sentence｜>");
  const std::string text = "<｜begin▁of▁sentence｜>Hi";
  const auto plain = tok->encode(text, false, false);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), bos), 0);
  const auto parsed = tok->encode(text, false, true);
  ASSERT_FALSE(parsed.empty());
  EXPECT_EQ(parsed.front(), bos);
  EXPECT_EQ(tok->decode(parsed), "Hi");
  EXPECT_EQ(tok->decode(parsed, /*render_special=*/true), text);
  // add_bos_token is true in this file.
  const auto with_bos = tok->encode("Hi", true, false);
  ASSERT_EQ(with_bos.size(), tok->encode("Hi", false, false).size() + 1);
  EXPECT_EQ(with_bos.front(), bos);
  EXPECT_TRUE(tok->is_end_of_generation(tok->eos()));
  EXPECT_FALSE(tok->is_end_of_generation(bos));
}

}  // namespace
}  // namespace lantern::engine
