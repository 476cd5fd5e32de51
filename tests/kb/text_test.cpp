// Text pipeline: SHA-256 vectors, encoding detection/conversion, normalization, sentence splitting
// and chunking (headings, offsets, sizes, overlap, CJK).
#include <gtest/gtest.h>
#include <iconv.h>

#include <string>

#include "chunker.h"
#include "extract.h"
#include "lantern/kb/knowledge_base.h"
#include "normalize.h"
#include "text_decode.h"

namespace lantern::kb {
namespace {

std::string to_gb18030(const std::string& utf8) {
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  EXPECT_NE(cd, reinterpret_cast<iconv_t>(-1));
  std::string out(utf8.size() * 2 + 8, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t in_left = utf8.size(), out_left = out.size();
  char* o = out.data();
  EXPECT_NE(iconv(cd, &in, &in_left, &o, &out_left), static_cast<size_t>(-1));
  out.resize(out.size() - out_left);
  iconv_close(cd);
  return out;
}

std::string utf16(const std::u16string& s, bool le, bool bom) {
  std::string out;
  auto put = [&](char16_t u) {
    if (le) {
      out += static_cast<char>(u & 0xff);
      out += static_cast<char>(u >> 8);
    } else {
      out += static_cast<char>(u >> 8);
      out += static_cast<char>(u & 0xff);
    }
  };
  if (bom) put(0xFEFF);
  for (char16_t u : s) put(u);
  return out;
}

TEST(Decode, Utf16WithBomBothOrders) {
  std::u16string s = u"Hello 世界 \U0001F600";
  for (bool le : {true, false}) {
    DecodedText d = decode_text(utf16(s, le, true));
    EXPECT_EQ(d.text, "Hello \xE4\xB8\x96\xE7\x95\x8C \xF0\x9F\x98\x80");
    EXPECT_EQ(d.encoding, le ? Encoding::kUtf16Le : Encoding::kUtf16Be);
    EXPECT_EQ(d.n_replaced, 0);
  }
}

TEST(Decode, Utf16LoneSurrogateIsReplaced) {
  std::string bytes = utf16(u"ab", true, true);
  bytes += std::string("\x00\xD8", 2);  // lone high surrogate at the end
  DecodedText d = decode_text(bytes);
  EXPECT_EQ(d.text, "ab\xEF\xBF\xBD");
  EXPECT_EQ(d.n_replaced, 1);
}

TEST(Decode, Gb18030IsDetectedAndConverted) {
  std::string utf8 = "知识库是本地的文档存储。它支持中文和English混合的文本，例如“分词”与检索。";
  std::string gb = to_gb18030(utf8);
  ASSERT_NE(gb, utf8);
  DecodedText d = decode_text(gb);
  EXPECT_EQ(d.encoding, Encoding::kGb18030);
  EXPECT_EQ(d.text, utf8);
  EXPECT_EQ(d.n_replaced, 0);
  // GBK bytes for 中文 (D6D0 CEC4) without any other context.
  EXPECT_EQ(decode_text("\xD6\xD0\xCE\xC4").text, "中文");
}

TEST(Decode, Utf8WinsWhenValidAndInvalidBytesAreReplaced) {
  EXPECT_EQ(decode_text("caf\xC3\xA9 中文").encoding, Encoding::kUtf8);
  // Mostly valid UTF-8 with damage: the damage is replaced (not reinterpreted as another charset).
  DecodedText d = decode_text("知识 ok \xFF\xC0 done 中文 \xE4\xB8");
  EXPECT_EQ(d.encoding, Encoding::kUtf8);
  EXPECT_EQ(d.text, "知识 ok \xEF\xBF\xBD\xEF\xBF\xBD done 中文 \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(d.n_replaced, 4);
  EXPECT_EQ(decode_text("\xEF\xBB\xBFhello").text, "hello");
}

TEST(Decode, Windows1252Fallback) {
  DecodedText d = decode_text("caf\xE9 cr\xE8me br\xFBl\xE9" "e \x80 5");
  EXPECT_EQ(d.encoding, Encoding::kWindows1252);
  EXPECT_EQ(d.text, "caf\xC3\xA9 cr\xC3\xA8me br\xC3\xBBl\xC3\xA9" "e \xE2\x82\xAC 5");
  EXPECT_EQ(d.n_replaced, 0);
}

TEST(Decode, BinaryDetection) {
  EXPECT_TRUE(looks_binary(std::string("PK\x03\x04\0\0\x01\x02", 8)));
  EXPECT_FALSE(looks_binary("plain text\nwith lines\n"));
  EXPECT_FALSE(looks_binary(utf16(u"text in utf-16 without much else", true, false)));
}

TEST(Normalize, NfcWhitespaceAndControls) {
  // e + combining acute -> é; NBSP and ideographic space -> space; tabs/runs collapsed; CRLF.
  EXPECT_EQ(normalize_text("Cafe\xCC\x81\xC2\xA0 au\t\tlait \r\n\r\n\r\n\r\nnext\x01 line\xE2\x80\x8B  ", Spacing::kProse),
            "Caf\xC3\xA9 au lait\n\nnext line");
  EXPECT_EQ(normalize_text("  int x;   \n\tif (x) {\n\n\n\n}\n", Spacing::kPreserve), "  int x;\n\tif (x) {\n\n}");
}

TEST(Sentences, LatinAbbreviationsDecimalsInitials) {
  std::string t = "Dr. Smith paid 3.14 dollars. J. R. R. Tolkien wrote books! Did he? Yes, e.g. this one.";
  auto s = split_sentences(t);
  std::vector<std::string> got;
  for (auto sp : s) got.push_back(t.substr(sp.start, sp.end - sp.start));
  std::vector<std::string> want = {"Dr. Smith paid 3.14 dollars.", "J. R. R. Tolkien wrote books!", "Did he?",
                                   "Yes, e.g. this one."};
  EXPECT_EQ(got, want);
}

TEST(Sentences, ChinesePunctuation) {
  std::string t = "今天天气很好。我们去公园吧！你去吗？去；不去。“好的。”他说";
  std::vector<std::string> got;
  for (auto sp : split_sentences(t)) got.push_back(t.substr(sp.start, sp.end - sp.start));
  std::vector<std::string> want = {"今天天气很好。", "我们去公园吧！", "你去吗？", "去；", "不去。", "“好的。”", "他说"};
  EXPECT_EQ(got, want);
}

Assembled assemble_md(const std::string& md) {
  auto ex = extract_markdown(md);
  EXPECT_TRUE(ex.ok());
  return assemble(*ex);
}

TEST(Chunker, HeadingPathsAndExactOffsets) {
  std::string md =
      "# Guide\n\nIntro paragraph.\n\n## Install\n\nRun the installer. Then reboot.\n\n### Linux\n\nUse apt.\n\n"
      "## Use\n\nOpen it.\n";
  Assembled doc = assemble_md(md);
  auto chunks = chunk_document(doc, ChunkOptions{});
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(chunks[0].heading_path, "Guide");
  EXPECT_EQ(chunks[1].heading_path, "Guide > Install");
  EXPECT_EQ(chunks[2].heading_path, "Guide > Install > Linux");
  EXPECT_EQ(chunks[3].heading_path, "Guide > Use");
  EXPECT_EQ(doc.text.substr(chunks[1].start, chunks[1].end - chunks[1].start),
            "## Install\n\nRun the installer. Then reboot.");
  EXPECT_EQ(doc.text.substr(chunks[3].start, chunks[3].end - chunks[3].start), "## Use\n\nOpen it.");
}

TEST(Chunker, SizesOverlapAndCjkWeight) {
  std::string para;
  for (int i = 0; i < 60; ++i) para += "This is sentence number " + std::to_string(i) + " of the test. ";
  Extracted ex;
  append_paragraphs(normalize_text(para, Spacing::kProse), 0, ex.blocks);
  Assembled doc = assemble(ex);
  ChunkOptions opt{300, 40};
  auto chunks = chunk_document(doc, opt);
  ASSERT_GT(chunks.size(), 5u);
  for (size_t i = 0; i < chunks.size(); ++i) {
    std::string_view c = std::string_view(doc.text).substr(chunks[i].start, chunks[i].end - chunks[i].start);
    EXPECT_LE(text_weight(c), 300) << c;
    EXPECT_EQ(c.back(), '.');  // ends at a sentence
    if (i > 0) {
      EXPECT_LT(chunks[i].start, chunks[i - 1].end) << "consecutive chunks overlap";
      EXPECT_GT(chunks[i].start, chunks[i - 1].start);
    }
  }
  EXPECT_EQ(chunks.back().end, doc.text.size());

  // CJK characters weigh 2: 300 weight holds at most 150 Han characters.
  std::string zh;
  for (int i = 0; i < 40; ++i) zh += "这是第" + std::to_string(i) + "个测试句子，用来检查分块。";
  Extracted ez;
  append_paragraphs(zh, 0, ez.blocks);
  Assembled dz = assemble(ez);
  auto cz = chunk_document(dz, opt);
  ASSERT_GT(cz.size(), 3u);
  for (const auto& c : cz) {
    std::string_view t = std::string_view(dz.text).substr(c.start, c.end - c.start);
    EXPECT_LE(text_weight(t), 300);
    EXPECT_TRUE(t.substr(t.size() - 3) == "。") << t;
  }
}

TEST(Chunker, OverLongSentenceIsCut) {
  std::string words;
  for (int i = 0; i < 400; ++i) words += "word" + std::to_string(i) + " ";
  Extracted ex;
  append_paragraphs(normalize_text(words, Spacing::kProse), 0, ex.blocks);
  Assembled doc = assemble(ex);
  auto chunks = chunk_document(doc, ChunkOptions{200, 20});
  ASSERT_GT(chunks.size(), 10u);
  for (const auto& c : chunks) {
    std::string_view t = std::string_view(doc.text).substr(c.start, c.end - c.start);
    EXPECT_LE(text_weight(t), 200);
    EXPECT_NE(t.front(), ' ');
    EXPECT_NE(t.back(), ' ');
  }
  // Without spaces (CJK run): cut anywhere, at character boundaries.
  std::string han;
  for (int i = 0; i < 500; ++i) han += "字";
  Extracted eh;
  append_paragraphs(han, 0, eh.blocks);
  Assembled dh = assemble(eh);
  auto ch = chunk_document(dh, ChunkOptions{200, 0});
  ASSERT_EQ(ch.size(), 5u);
  for (const auto& c : ch) EXPECT_EQ((c.end - c.start) % 3, 0u);
}

TEST(Extract, CsvRowsAsText) {
  auto ex = extract_csv("name,city,note\nAlice,Paris,\"likes \"\"tea\"\", cake\"\nBob,Berlin,\n");
  ASSERT_TRUE(ex.ok());
  ASSERT_EQ(ex->blocks.size(), 1u);
  EXPECT_EQ(ex->blocks[0].text, "name, city, note\nname: Alice; city: Paris; note: likes \"tea\", cake\nname: Bob; city: Berlin");
}

TEST(Extract, JsonFlattenedWithDepthCap) {
  auto ex = extract_json(R"({"title":"Doc","items":[{"a":1,"b":"x"}],"n":null})", ImportLimits{});
  ASSERT_TRUE(ex.ok()) << ex.status().to_string();
  EXPECT_EQ(ex->title, "Doc");
  std::string all;
  for (auto& b : ex->blocks) all += b.text + "|";
  EXPECT_EQ(all, "title: Doc|items[0].a: 1\nitems[0].b: x|n: null|");
  ImportLimits tight;
  tight.max_depth = 8;
  std::string deep = std::string(50, '[') + std::string(50, ']');
  EXPECT_FALSE(extract_json(deep, tight).ok());
  auto lines = extract_json("{\"q\":\"one\"}\n{\"q\":\"two\"}\n", ImportLimits{});
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(lines->blocks.size(), 2u);
}

TEST(Extract, MarkdownSetextFencesFrontMatter) {
  auto ex = extract_markdown("---\ntitle: \"Front\"\n---\nTop\n===\n\n```\n# not a heading\n```\n\nSub\n---\ntext\n");
  ASSERT_TRUE(ex.ok());
  EXPECT_EQ(ex->title, "Front");
  Assembled doc = assemble(*ex);
  int headings = 0;
  for (auto& b : doc.blocks) headings += b.heading_level > 0;
  EXPECT_EQ(headings, 2);
  EXPECT_EQ(doc.blocks.back().heading_path, "Top > Sub");
}

TEST(Extract, DetectFormat) {
  EXPECT_EQ(detect_format("/a/b.MD", "x").format, Format::kMarkdown);
  EXPECT_FALSE(detect_format("/a/b.png", "x").supported);
  EXPECT_EQ(detect_format("/a/README", "hello").format, Format::kText);
  EXPECT_FALSE(detect_format("/a/blob", std::string("\x7f" "ELF\0\0\0", 7)).supported);
  EXPECT_EQ(detect_format("/a/noext", "%PDF-1.4").format, Format::kPdf);
  EXPECT_EQ(detect_format("/a/run", "#!/bin/sh\necho hi\n").format, Format::kCode);
}

}  // namespace
}  // namespace lantern::kb
