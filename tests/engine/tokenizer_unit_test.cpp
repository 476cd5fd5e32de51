// Tokenizers on tiny vocabularies built in memory (no shared data needed): streaming UTF-8
// assembly edge cases, SentencePiece merges and byte fallback, BPE merge order, WordPiece
// normalisation, special-token splitting order, Vocab validation, reading from a GGUF file built
// by the test, and concurrent use.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "lantern/engine/gguf.h"
#include "lantern/engine/gguf_writer.h"
#include "lantern/engine/tokenizer.h"

namespace lantern::engine {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

// ---- Utf8Assembler ---------------------------------------------------------------------------

TEST(Utf8Assembler, HoldsBackSplitCharactersUntilComplete) {
  Utf8Assembler a;
  EXPECT_EQ(a.push("a\xE4"), "a");
  EXPECT_TRUE(a.has_pending());
  EXPECT_EQ(a.push("\xB8"), "");
  EXPECT_EQ(a.push("\xAD" "b"), "\xE4\xB8\xAD" "b");  // 中
  EXPECT_FALSE(a.has_pending());
  // A 4-byte emoji one byte at a time.
  EXPECT_EQ(a.push("\xF0"), "");
  EXPECT_EQ(a.push("\x9F"), "");
  EXPECT_EQ(a.push("\x98"), "");
  EXPECT_EQ(a.push("\x80"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(a.flush(), "");
}

TEST(Utf8Assembler, InvalidBytesBecomeReplacementCharacters) {
  struct Case {
    const char* name;
    std::string in;
    std::string out;
  };
  const std::vector<Case> cases = {
      {"lone continuation", "a\x80z", "a" + kFffd + "z"},
      {"byte FF", "\xFF", kFffd},
      {"overlong C0 80", "\xC0\x80", kFffd + kFffd},
      {"overlong E0 80 80", "\xE0\x80\x80", kFffd + kFffd + kFffd},
      {"surrogate ED A0 80", "\xED\xA0\x80", kFffd + kFffd + kFffd},
      {"past U+10FFFF", "\xF4\x90\x80\x80", kFffd + kFffd + kFffd + kFffd},
      {"truncated then ASCII", "\xE4\xB8" "x", kFffd + "x"},
      {"truncated 4-byte then valid", "\xF0\x9F\x98\xE4\xB8\xAD", kFffd + "\xE4\xB8\xAD"},
  };
  for (const auto& c : cases) {
    Utf8Assembler a;
    EXPECT_EQ(a.push(c.in) + a.flush(), c.out) << c.name;
  }
}

TEST(Utf8Assembler, FlushTurnsAnUnfinishedSequenceIntoOneReplacement) {
  Utf8Assembler a;
  EXPECT_EQ(a.push("ok\xF0\x9F\x98"), "ok");
  EXPECT_EQ(a.flush(), kFffd);
  EXPECT_EQ(a.flush(), "");
  EXPECT_EQ(a.push("x"), "x");
}

// ---- a tiny SentencePiece vocabulary --------------------------------------------------------

Vocab tiny_spm() {
  Vocab v;
  v.kind = VocabKind::kSpm;
  v.model = "llama";
  auto add = [&](const std::string& t, float score, TokenType type) {
    v.tokens.push_back(t);
    v.scores.push_back(score);
    v.types.push_back(type);
  };
  add("<unk>", 0, TokenType::kUnknown);
  add("<s>", 0, TokenType::kControl);
  add("</s>", 0, TokenType::kControl);
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    add(name, 0, TokenType::kByte);
  }
  for (const char* t : {"▁", "h", "e", "l", "o", "w", "r", "d"}) add(t, -10, TokenType::kNormal);
  add("he", -1, TokenType::kNormal);
  add("ll", -2, TokenType::kNormal);
  add("hell", -3, TokenType::kNormal);
  add("▁hell", -4, TokenType::kNormal);
  add("llo", -0.5f, TokenType::kNormal);  // higher score than "hell": wins the first merge
  v.bos = 1;
  v.eos = 2;
  v.unk = 0;
  return v;
}

std::unique_ptr<Tokenizer> build(Vocab v) {
  auto t = Tokenizer::from_vocab(std::move(v));
  EXPECT_TRUE(t.ok()) << t.status().to_string();
  return t.ok() ? std::move(t).value() : nullptr;
}

std::vector<std::string> texts(const Tokenizer& t, const std::vector<int32_t>& ids) {
  std::vector<std::string> out;
  for (int32_t id : ids) out.push_back(t.token_text(id));
  return out;
}

TEST(SpmTokenizer, MergesByScoreWithPrefixSpaceAndByteFallback) {
  auto t = build(tiny_spm());
  ASSERT_TRUE(t);
  // "▁hello": "ll"(-2) and "he"(-1) queue first; "he" wins; then "llo"(-0.5) beats "hell"-paths.
  EXPECT_EQ(texts(*t, t->encode("hello", false, false)), (std::vector<std::string>{"▁", "he", "llo"}));
  // 'é' is not in the vocabulary: its two bytes.
  EXPECT_EQ(texts(*t, t->encode("é", false, false)), (std::vector<std::string>{"▁", "<0xC3>", "<0xA9>"}));
  EXPECT_EQ(t->decode(t->encode("héllo wor", false, false)), "héllo wor");
  // BOS by default for SentencePiece; EOS not.
  auto ids = t->encode("he", true, false);
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids.front(), 1);
  EXPECT_NE(ids.back(), 2);
  EXPECT_TRUE(t->encode("", false, false).empty());
}

TEST(SpmTokenizer, NoPrefixSpaceWhenMetadataSaysSo) {
  Vocab v = tiny_spm();
  v.add_space_prefix = false;
  auto t = build(std::move(v));
  ASSERT_TRUE(t);
  EXPECT_EQ(texts(*t, t->encode("hello", false, false)), (std::vector<std::string>{"he", "llo"}));
}

TEST(SpmTokenizer, UnknownTokenWithoutByteTokens) {
  Vocab v;
  v.kind = VocabKind::kSpm;
  v.tokens = {"<unk>", "▁", "a"};
  v.types = {TokenType::kUnknown, TokenType::kNormal, TokenType::kNormal};
  v.unk = 0;
  auto t = build(std::move(v));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->encode("aé", false, false), (std::vector<int32_t>{1, 2, 0, 0}));
  // Unknown tokens decode as U+FFFD (their text with render_special).
  EXPECT_EQ(t->decode({2, 0}), "a" + kFffd);
  EXPECT_EQ(t->decode({2, 0}, true), "a<unk>");
}

TEST(StreamDecoder, ByteTokensAssembleIntoWholeCharacters) {
  auto t = build(tiny_spm());
  ASSERT_TRUE(t);
  const int32_t c3 = t->find_token("<0xC3>");
  const int32_t a9 = t->find_token("<0xA9>");
  const int32_t ff = t->find_token("<0xFF>");
  const int32_t e4 = t->find_token("<0xE4>");
  const int32_t he = t->find_token("he");
  ASSERT_GE(c3, 0);
  StreamDecoder dec(*t);
  EXPECT_EQ(dec.push(he), "he");
  EXPECT_EQ(dec.push(c3), "");  // first half of é held back
  EXPECT_EQ(dec.push(a9), "é");
  EXPECT_EQ(dec.push(ff), kFffd);
  EXPECT_EQ(dec.push(t->bos()), "");  // control tokens are silent
  EXPECT_EQ(dec.push(e4), "");
  EXPECT_EQ(dec.push(he), kFffd + "he");  // the cut sequence is replaced, "he" still comes out
  EXPECT_EQ(dec.push(e4), "");
  EXPECT_EQ(dec.flush(), kFffd);
  EXPECT_EQ(dec.push(-5), "");  // out of range ids are ignored
  EXPECT_EQ(t->decode({he, c3}), "he" + kFffd);
  StreamDecoder special(*t, /*render_special=*/true);
  EXPECT_EQ(special.push(t->bos()), "<s>");
}

// ---- a tiny byte-level BPE vocabulary --------------------------------------------------------

Vocab tiny_bpe(const std::string& pre) {
  Vocab v;
  v.kind = VocabKind::kBpe;
  v.model = "gpt2";
  v.pre = pre;
  // All 256 byte characters in byte order: token id b is byte b's mapped character.
  for (int b = 0; b < 256; ++b) {
    uint32_t cpt = static_cast<uint32_t>(b);
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    if (!printable) {
      static uint32_t extra;
      if (b == 0) extra = 256;
      cpt = extra++;
    }
    std::string s;
    if (cpt < 0x80) {
      s.push_back(static_cast<char>(cpt));
    } else {
      s.push_back(static_cast<char>(0xC0 | (cpt >> 6)));
      s.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
    }
    v.tokens.push_back(s);
  }
  v.types.assign(256, TokenType::kNormal);
  auto add = [&](const std::string& t, TokenType type = TokenType::kNormal) {
    v.tokens.push_back(t);
    v.types.push_back(type);
    return static_cast<int32_t>(v.tokens.size() - 1);
  };
  add("Ġt");     // 256
  add("he");     // 257
  add("Ġthe");   // 258
  add("Ġth");    // 259
  v.merges = {"Ġ t", "h e", "Ġt he", "Ġt h", "Ġth e"};
  v.eos = add("<|endoftext|>", TokenType::kControl);  // 260
  add("<|im_end|>", TokenType::kControl);               // 261
  return v;
}

TEST(BpeTokenizer, LowestRankMergesFirst) {
  auto t = build(tiny_bpe("gpt-2"));
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->warnings().empty());
  EXPECT_EQ(t->pre_tokenizer(), "gpt-2");
  // " the" -> Ġ t h e -> (Ġt) h e -> Ġt (he) -> (Ġthe); "Ġt h" (rank 3) never gets its turn.
  EXPECT_EQ(t->encode(" the", false, false), (std::vector<int32_t>{258}));
  EXPECT_EQ(t->decode({258, 258}), " the the");
  // Bytes of a character the merges do not know: one token per byte, decoded back exactly.
  const auto ids = t->encode("é\n", false, false);
  EXPECT_EQ(ids, (std::vector<int32_t>{0xC3, 0xA9, '\n'}));
  EXPECT_EQ(t->decode(ids), "é\n");
  // GPT-2 BPE adds no BOS by default.
  EXPECT_EQ(t->encode(" the", true, false), (std::vector<int32_t>{258}));
}

TEST(BpeTokenizer, UnknownPreTokenizerWarnsAndFallsBack) {
  auto t = build(tiny_bpe("no-such-pre"));
  ASSERT_TRUE(t);
  ASSERT_EQ(t->warnings().size(), 1u);
  EXPECT_NE(t->warnings()[0].find("no-such-pre"), std::string::npos);
  EXPECT_EQ(t->pre_tokenizer(), "gpt-2");
  EXPECT_EQ(t->encode(" the", false, false), (std::vector<int32_t>{258}));
}

TEST(BpeTokenizer, EveryNamedPreTokenizerBuilds) {
  for (const char* pre : {"default", "gpt-2", "llama3", "llama-bpe", "qwen2", "deepseek-r1-qwen", "deepseek-llm",
                          "deepseek-coder", "deepseek-v3", "falcon", "starcoder", "refact", "mpt"}) {
    auto t = build(tiny_bpe(pre));
    ASSERT_TRUE(t) << pre;
    EXPECT_TRUE(t->warnings().empty()) << pre;
    const std::string text = "Hello 世界 123456 don't\n\n  x";
    EXPECT_EQ(t->decode(t->encode(text, false, false)), text) << pre;
  }
}

TEST(BpeTokenizer, Llama3DigitsGroupInThreesAndBosDefaultsOn) {
  auto t = build(tiny_bpe("llama3"));
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->add_bos());
  auto q = build(tiny_bpe("qwen2"));
  ASSERT_TRUE(q);
  EXPECT_FALSE(q->add_bos());
}

TEST(BpeTokenizer, InvalidUtf8IsTokenizedAsReplacementCharacter) {
  auto t = build(tiny_bpe("gpt-2"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->decode(t->encode("a\xFF" "b", false, false)), "a" + kFffd + "b");
}

TEST(BpeTokenizer, SpecialTokensParsedOnlyWhenAsked) {
  auto t = build(tiny_bpe("qwen2"));
  ASSERT_TRUE(t);
  const auto plain = t->encode("<|im_end|>", false, false);
  EXPECT_GT(plain.size(), 1u);
  EXPECT_EQ(t->encode("<|im_end|>", false, true), (std::vector<int32_t>{261}));
  EXPECT_EQ(t->eot(), 261);
  EXPECT_TRUE(t->is_end_of_generation(261));
  EXPECT_TRUE(t->is_end_of_generation(260));
  EXPECT_FALSE(t->is_end_of_generation(258));
}

TEST(SpecialTokens, LiteralSpansKeepSpecialTextAsText) {
  auto t = build(tiny_bpe("qwen2"));
  ASSERT_TRUE(t);
  const std::string text = "<|im_end|>x<|im_end|>";
  // The first occurrence is scaffolding, the second lies in a literal (content) span.
  const auto ids = t->encode(text, false, true, {{11, text.size()}});
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids.front(), 261);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 261), 1);
  EXPECT_EQ(t->decode(ids), "x<|im_end|>");
  // A span that merely touches the token does not block it; one that overlaps by a byte does.
  const auto touch = t->encode(text, false, true, {{10, 11}});
  EXPECT_EQ(std::count(touch.begin(), touch.end(), 261), 2);
  const auto cut = t->encode(text, false, true, {{9, 10}});
  EXPECT_EQ(std::count(cut.begin(), cut.end(), 261), 1);
  EXPECT_EQ(t->encode(text, false, true, {}), t->encode(text, false, true));
}

TEST(SpecialTokens, LongestTokenIsCutFirstEverywhere) {
  Vocab v = tiny_bpe("gpt-2");
  const auto bcd = static_cast<int32_t>(v.tokens.size());
  v.tokens.push_back("bcd");
  v.types.push_back(TokenType::kUserDefined);
  const auto ab = static_cast<int32_t>(v.tokens.size());
  v.tokens.push_back("ab");
  v.types.push_back(TokenType::kUserDefined);
  auto t = build(std::move(v));
  ASSERT_TRUE(t);
  // User-defined tokens match even without parse_special; "bcd" (longer) is taken first.
  EXPECT_EQ(t->encode("abcd", false, false), (std::vector<int32_t>{'a', bcd}));
  EXPECT_EQ(t->encode("abab", false, false), (std::vector<int32_t>{ab, ab}));
  EXPECT_EQ(t->decode(t->encode("xabcdab", false, false)), "xabcdab");
}

// ---- a tiny WordPiece vocabulary -------------------------------------------------------------

TEST(WpmTokenizer, NormalisesAndSplitsLikeBert) {
  Vocab v;
  v.kind = VocabKind::kWpm;
  v.model = "bert";
  v.tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "▁hello", "▁,", "▁world", "▁!", "▁un", "aff", "able",
              "▁中", "▁国", "▁cafe", "▁ᄒ", "ᄀ"};
  v.types.assign(v.tokens.size(), TokenType::kNormal);
  for (int i = 0; i < 4; ++i) v.types[static_cast<size_t>(i)] = TokenType::kControl;
  v.unk = 1;
  v.cls = 2;
  v.sep = 3;
  auto t = build(std::move(v));
  ASSERT_TRUE(t);
  EXPECT_EQ(texts(*t, t->encode("Hello, WORLD!", true, false)),
            (std::vector<std::string>{"[CLS]", "▁hello", "▁,", "▁world", "▁!", "[SEP]"}));
  EXPECT_EQ(texts(*t, t->encode("unaffable Café 中国 xyz", false, false)),
            (std::vector<std::string>{"▁un", "aff", "able", "▁cafe", "▁中", "▁国", "[UNK]"}));
  EXPECT_EQ(t->decode(t->encode("hello, world", false, false)), "hello , world");
  // A Hangul syllable keeps only the first jamo of its decomposition, as the reference does.
  EXPECT_EQ(texts(*t, t->encode("한국", false, false)), (std::vector<std::string>{"▁ᄒ", "ᄀ"}));
}

// ---- validation and GGUF ---------------------------------------------------------------------

TEST(Vocab, ValidationNamesTheField) {
  struct Case {
    const char* name;
    void (*mutate)(Vocab&);
    const char* expect;
  };
  const std::vector<Case> cases = {
      {"scores length", [](Vocab& v) { v.scores.pop_back(); }, "tokenizer.ggml.scores"},
      {"types length", [](Vocab& v) { v.types.push_back(TokenType::kNormal); }, "tokenizer.ggml.token_type"},
      {"bos out of range", [](Vocab& v) { v.bos = v.n_vocab(); }, "bos_token_id"},
      {"eos negative", [](Vocab& v) { v.eos = -7; }, "eos_token_id"},
      {"unknown type", [](Vocab& v) { v.types[5] = static_cast<TokenType>(42); }, "token_type[5]"},
      {"empty", [](Vocab& v) { v.tokens.clear(); v.scores.clear(); v.types.clear(); }, "empty"},
  };
  for (const auto& c : cases) {
    Vocab v = tiny_spm();
    c.mutate(v);
    auto t = Tokenizer::from_vocab(std::move(v));
    ASSERT_FALSE(t.ok()) << c.name;
    EXPECT_NE(t.status().message().find(c.expect), std::string::npos) << c.name << ": " << t.status().to_string();
  }
  Vocab b = tiny_bpe("gpt-2");
  b.merges.push_back("nospace");
  auto t = Tokenizer::from_vocab(std::move(b));
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("merges[5]"), std::string::npos) << t.status().to_string();
}

void write_spm(GgufWriter& w, const Vocab& v) {
  w.set_string("general.architecture", "llama");
  w.set_string("tokenizer.ggml.model", "llama");
  w.set_string_array("tokenizer.ggml.tokens", v.tokens);
  w.set_f32_array("tokenizer.ggml.scores", v.scores);
  std::vector<int32_t> types;
  for (auto ty : v.types) types.push_back(static_cast<int32_t>(ty));
  w.set_i32_array("tokenizer.ggml.token_type", types);
  w.set_u32("tokenizer.ggml.bos_token_id", 1);
  w.set_u32("tokenizer.ggml.eos_token_id", 2);
  w.set_u32("tokenizer.ggml.padding_token_id", 0xFFFFFFFFu);  // "none", as real files store it
}

TEST(Vocab, FromGgufReadsKeysAndDefaults) {
  const Vocab ref = tiny_spm();
  GgufWriter w;
  write_spm(w, ref);
  w.set_bool("tokenizer.ggml.add_bos_token", false);
  w.set_string("tokenizer.chat_template", "{{ x }}");
  auto bytes = w.to_bytes();
  ASSERT_TRUE(bytes.ok());
  auto file = GgufFile::open_memory(*bytes, "tiny.gguf");
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  auto v = Vocab::from_gguf(**file);
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_EQ(v->kind, VocabKind::kSpm);
  EXPECT_EQ(v->tokens, ref.tokens);
  EXPECT_EQ(v->pad, -1);
  EXPECT_EQ(v->unk, 0);  // absent: SentencePiece default
  EXPECT_EQ(v->add_bos, std::optional<bool>(false));
  EXPECT_EQ(v->chat_template, "{{ x }}");
  auto t = Tokenizer::from_gguf(**file);
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE((*t)->add_bos());
  EXPECT_EQ((*t)->encode("hello", true, false), build(tiny_spm())->encode("hello", false, false));
}

TEST(Vocab, FromGgufRejectsBadFiles) {
  struct Case {
    const char* name;
    void (*mutate)(GgufWriter&);
    const char* expect;
  };
  const std::vector<Case> cases = {
      {"unsupported model", [](GgufWriter& w) { w.set_string("tokenizer.ggml.model", "rwkv"); }, "rwkv"},
      {"scores as int8",
       [](GgufWriter& w) { w.set_raw_array("tokenizer.ggml.scores", GgufType::kI8, 3, std::string(3, '\0')); },
       "tokenizer.ggml.scores"},
      {"bos past n_vocab", [](GgufWriter& w) { w.set_u32("tokenizer.ggml.bos_token_id", 100000); }, "bos_token_id"},
      {"add_bos as string", [](GgufWriter& w) { w.set_string("tokenizer.ggml.add_bos_token", "yes"); },
       "add_bos_token"},
  };
  for (const auto& c : cases) {
    GgufWriter w;
    write_spm(w, tiny_spm());
    c.mutate(w);
    auto bytes = w.to_bytes();
    ASSERT_TRUE(bytes.ok());
    auto file = GgufFile::open_memory(*bytes, "bad.gguf");
    ASSERT_TRUE(file.ok()) << c.name << ": " << file.status().to_string();
    auto t = Tokenizer::from_gguf(**file);
    ASSERT_FALSE(t.ok()) << c.name;
    EXPECT_NE(t.status().message().find(c.expect), std::string::npos) << c.name << ": " << t.status().to_string();
  }
}

TEST(Tokenizer, ConcurrentEncodeGivesTheSameIds) {
  auto t = build(tiny_bpe("llama3"));
  ASSERT_TRUE(t);
  const std::string text = "the quick brown 狐狸 jumps over the lazy dog 12345 <|im_end|> ";
  const auto expected = t->encode(text, true, true);
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      int good = 0;
      for (int k = 0; k < 200; ++k) good += t->encode(text, true, true) == expected;
      ok[static_cast<size_t>(i)] = good;
    });
  }
  for (auto& th : threads) th.join();
  for (int g : ok) EXPECT_EQ(g, 200);
}

}  // namespace
}  // namespace lantern::engine
