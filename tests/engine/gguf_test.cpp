// GGUF reader tests: valid files built byte by byte, a table of malformed files (each must fail
// with a Status naming the field and value, never crash), typed getters, and every shipped file
// under ../shared opening cleanly.
#include "lantern/engine/gguf.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <functional>

#include "gguf_bytes.h"
#include "test_support.h"

namespace lantern::engine {
namespace {

using lantern::testing::build_gguf;
using lantern::testing::GgufSpec;
using lantern::testing::put;
using lantern::testing::put_str;

// A small, valid file: a few keys of every kind and three tensors.
GgufSpec valid_spec() {
  GgufSpec s;
  s.str("general.architecture", "llama")
      .str("general.name", "tiny")
      .u32("llama.block_count", 2)
      .f32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
      .boolean("tokenizer.ggml.add_bos_token", true)
      .str_array("tokenizer.ggml.tokens", {"<s>", "</s>", "a", "b"})
      .array<float>("tokenizer.ggml.scores", GgufType::kF32, {0.f, 0.f, -1.f, -2.f})
      .array<int32_t>("tokenizer.ggml.token_type", GgufType::kI32, {3, 3, 1, 1});
  s.tensor("token_embd.weight", TensorType::kF32, {8, 4});
  s.tensor("blk.0.attn_q.weight", TensorType::kQ8_0, {32, 8});
  s.tensor("output_norm.weight", TensorType::kF32, {8});
  return s;
}

Result<std::unique_ptr<GgufFile>> open_spec(const GgufSpec& s) {
  return GgufFile::open_memory(build_gguf(s), "test.gguf");
}

TEST(Gguf, ValidFileReadsBack) {
  auto r = open_spec(valid_spec());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  const GgufFile& f = **r;
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.alignment(), 32u);
  EXPECT_EQ(f.get_string("general.architecture").value(), "llama");
  EXPECT_EQ(f.get_u32("llama.block_count").value(), 2u);
  EXPECT_EQ(f.get_i64("llama.block_count").value(), 2);
  EXPECT_FLOAT_EQ(f.get_f32("llama.attention.layer_norm_rms_epsilon").value(), 1e-5f);
  EXPECT_TRUE(f.get_bool("tokenizer.ggml.add_bos_token").value());
  auto tokens = f.get_string_array("tokenizer.ggml.tokens");
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->size(), 4u);
  EXPECT_EQ((*tokens)[2], "a");
  EXPECT_EQ(f.get_f32_array("tokenizer.ggml.scores").value()[3], -2.f);
  EXPECT_EQ(f.get_i32_array("tokenizer.ggml.token_type").value()[0], 3);
  EXPECT_EQ(f.array_length("tokenizer.ggml.tokens").value(), 4u);
  EXPECT_EQ(f.array_type("tokenizer.ggml.tokens").value(), GgufType::kString);
  EXPECT_EQ(f.metadata_keys().size(), 8u);
  EXPECT_EQ(f.metadata_keys()[0], "general.architecture");

  ASSERT_EQ(f.tensors().size(), 3u);
  const GgufTensor* q = f.find_tensor("blk.0.attn_q.weight");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->type, TensorType::kQ8_0);
  EXPECT_EQ(q->n_dims, 2u);
  EXPECT_EQ(q->ne[0], 32);
  EXPECT_EQ(q->ne[1], 8);
  EXPECT_EQ(q->ne[2], 1);
  EXPECT_EQ(q->n_elements, 256u);
  EXPECT_EQ(q->n_bytes, 8u * 34);
  EXPECT_EQ(q->offset % 32, 0u);
  EXPECT_EQ(q->offset, f.data_offset() + 128);  // after token_embd's 128 bytes
  EXPECT_EQ(q->data[0], static_cast<uint8_t>(31));  // builder pattern for tensor 1
  EXPECT_EQ(f.find_tensor("nope"), nullptr);
}

TEST(Gguf, Version2AndCustomAlignment) {
  GgufSpec s = valid_spec();
  s.version = 2;
  s.alignment = 64;
  s.u32("general.alignment", 64);
  auto r = open_spec(s);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ((*r)->version(), 2u);
  EXPECT_EQ((*r)->alignment(), 64u);
  for (const auto& t : (*r)->tensors()) EXPECT_EQ(t.offset % 64, 0u) << t.name;
}

TEST(Gguf, AllScalarTypesAndIntegerWidening) {
  GgufSpec s;
  s.scalar<uint8_t>("u8", GgufType::kU8, 200)
      .scalar<int8_t>("i8", GgufType::kI8, -5)
      .scalar<uint16_t>("u16", GgufType::kU16, 60000)
      .scalar<int16_t>("i16", GgufType::kI16, -30000)
      .u32("u32", 4000000000u)
      .i32("i32", -7)
      .u64("u64", 1ull << 40)
      .scalar<int64_t>("i64", GgufType::kI64, -(1ll << 40))
      .f32("f32", 1.5f)
      .scalar<double>("f64", GgufType::kF64, 2.25)
      .boolean("bool", false)
      .str("string", "héllo")
      .array<uint16_t>("arr_u16", GgufType::kU16, {1, 2, 65535})
      .array<double>("arr_f64", GgufType::kF64, {0.5, -1.0})
      .array<float>("arr_f32_empty", GgufType::kF32, {})
      .array<int32_t>("arr_i32_empty", GgufType::kI32, {})
      .array<uint8_t>("arr_bool", GgufType::kBool, {1, 0});
  auto r = open_spec(s);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  const GgufFile& f = **r;
  EXPECT_EQ(f.get_u32("u8").value(), 200u);
  EXPECT_EQ(f.get_i32("i8").value(), -5);
  EXPECT_EQ(f.get_u32("u16").value(), 60000u);
  EXPECT_EQ(f.get_i64("i16").value(), -30000);
  EXPECT_EQ(f.get_u32("u32").value(), 4000000000u);
  EXPECT_EQ(f.get_i64("u64").value(), 1ll << 40);
  EXPECT_EQ(f.get_i64("i64").value(), -(1ll << 40));
  EXPECT_DOUBLE_EQ(f.get_f64("f32").value(), 1.5);
  EXPECT_FLOAT_EQ(f.get_f32("f64").value(), 2.25f);
  EXPECT_FALSE(f.get_bool("bool").value());
  EXPECT_EQ(f.get_string("string").value(), "héllo");
  EXPECT_EQ(f.get_i32_array("arr_u16").value(), (std::vector<int32_t>{1, 2, 65535}));
  EXPECT_EQ(f.get_f32_array("arr_f64").value(), (std::vector<float>{0.5f, -1.f}));
  // Empty arrays (a crash the fuzzer found: a zero-length copy into an empty vector's null data).
  EXPECT_TRUE(f.get_f32_array("arr_f32_empty").value().empty());
  EXPECT_TRUE(f.get_i32_array("arr_i32_empty").value().empty());
  EXPECT_EQ(f.value_type("arr_bool").value(), GgufType::kArray);
  EXPECT_EQ(f.value_to_string("u32"), "4000000000");
  EXPECT_EQ(f.value_to_string("arr_u16"), "[array of 3 u16]");

  // Integers that do not fit the requested type are errors naming key and value.
  auto neg = f.get_u32("i8");
  ASSERT_FALSE(neg.ok());
  EXPECT_NE(neg.status().message().find("-5"), std::string::npos) << neg.status().message();
  EXPECT_FALSE(f.get_i32("u32").ok());
  EXPECT_FALSE(f.get_u32("u64").ok());
  // Defaults apply only to missing keys.
  EXPECT_EQ(f.get_u32_or("absent", 9).value(), 9u);
  EXPECT_FALSE(f.get_u32_or("string", 9).ok());
  EXPECT_EQ(f.get_string("absent").status().code(), StatusCode::kNotFound);
}

// Typed reads of the wrong type name the key, the expected and the actual type.
TEST(Gguf, WrongTypeIsAnErrorNamingKeyAndTypes) {
  GgufSpec s;
  s.array<int8_t>("tokenizer.ggml.scores", GgufType::kI8, {1, 2, 3}).f32("x", 1.f).str("s", "v");
  auto r = open_spec(s);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  auto scores = (*r)->get_f32_array("tokenizer.ggml.scores");
  ASSERT_FALSE(scores.ok());
  EXPECT_EQ(scores.status().code(), StatusCode::kCorruption);
  const std::string& m = scores.status().message();
  EXPECT_NE(m.find("test.gguf"), std::string::npos) << m;
  EXPECT_NE(m.find("tokenizer.ggml.scores"), std::string::npos) << m;
  EXPECT_NE(m.find("expected array of f32"), std::string::npos) << m;
  EXPECT_NE(m.find("array of i8"), std::string::npos) << m;
  EXPECT_NE((*r)->get_u32("x").status().message().find("expected u32, found f32"), std::string::npos);
  EXPECT_FALSE((*r)->get_string_array("s").ok());
  EXPECT_FALSE((*r)->get_bool("s").ok());
  EXPECT_FALSE((*r)->get_string("x").ok());
  EXPECT_TRUE((*r)->get_i32_array("tokenizer.ggml.scores").ok());  // i8 elements widen fine
}

struct BadCase {
  const char* name;
  std::function<void(GgufSpec&)> mutate;
  StatusCode code;
  const char* expect;  // substring of the message
};

TEST(Gguf, MalformedFilesAreRejectedWithAClearStatus) {
  const uint32_t kArr = static_cast<uint32_t>(GgufType::kArray);
  const uint32_t kStr = static_cast<uint32_t>(GgufType::kString);
  const std::vector<BadCase> cases = {
      {"bad magic", [](GgufSpec& s) { s.magic = "GGML"; }, StatusCode::kCorruption, "bad magic 0x47474d4c"},
      {"version 1", [](GgufSpec& s) { s.version = 1; }, StatusCode::kUnsupported, "unsupported GGUF version 1"},
      {"version 4", [](GgufSpec& s) { s.version = 4; }, StatusCode::kUnsupported, "version 4"},
      {"big endian", [](GgufSpec& s) { s.version = 0x03000000; }, StatusCode::kUnsupported, "big-endian"},
      {"n_tensors huge", [](GgufSpec& s) { s.n_tensors = 1ull << 40; }, StatusCode::kCorruption,
       "n_tensors 1099511627776 larger than the file could hold"},
      {"n_kv huge", [](GgufSpec& s) { s.n_kv = ~0ull; }, StatusCode::kCorruption,
       "n_kv 18446744073709551615 larger than the file could hold"},
      {"n_kv one too many", [](GgufSpec& s) { s.n_kv = s.kvs.size() + 1; }, StatusCode::kCorruption, ""},
      {"string length past end",
       [](GgufSpec& s) {
         std::string p;
         put<uint64_t>(p, 1ull << 50);
         p += "abc";
         s.kvs[1].payload = p;
       },
       StatusCode::kCorruption, "key 'general.name': string length 1125899906842624 past end of file"},
      {"key length past end",
       [](GgufSpec& s) {
         s.kvs.clear();
         s.tensors.clear();
         s.n_kv = 1;
         s.trailing.clear();
         std::string raw;
         put<uint64_t>(raw, 999999);
         raw += "abcdefghijklmnop";
         s.trailing = raw;
       },
       StatusCode::kCorruption, "metadata key 0: string length 999999 past end of file"},
      {"array length past end",
       [](GgufSpec& s) {
         std::string p;
         put<uint32_t>(p, static_cast<uint32_t>(GgufType::kF32));
         put<uint64_t>(p, 1ull << 61);
         s.kvs[6].payload = p;
       },
       StatusCode::kCorruption, "key 'tokenizer.ggml.scores': array of 2305843009213693952 f32 past end of file"},
      {"string array length past end",
       [kStr](GgufSpec& s) {
         std::string p;
         put<uint32_t>(p, kStr);
         put<uint64_t>(p, 1ull << 62);
         s.kvs[5].payload = p;
       },
       StatusCode::kCorruption, "key 'tokenizer.ggml.tokens': array length 4611686018427387904 past end of file"},
      {"string in array past end",
       [kStr](GgufSpec& s) {
         std::string p;
         put<uint32_t>(p, kStr);
         put<uint64_t>(p, 2);
         put_str(p, "ok");
         put<uint64_t>(p, 1u << 30);
         s.kvs[5].payload = p;
       },
       StatusCode::kCorruption, "key 'tokenizer.ggml.tokens'[1]: string length 1073741824 past end of file"},
      {"unknown value type", [](GgufSpec& s) { s.kvs[2].type = 13; }, StatusCode::kCorruption,
       "key 'llama.block_count': unknown value type 13"},
      {"unknown array element type",
       [](GgufSpec& s) {
         std::string p;
         put<uint32_t>(p, 77);
         put<uint64_t>(p, 0);
         s.kvs[6].payload = p;
       },
       StatusCode::kCorruption, "unknown array element type 77"},
      {"nested array",
       [kArr](GgufSpec& s) {
         std::string p;
         put<uint32_t>(p, kArr);
         put<uint64_t>(p, 1);
         s.kvs[6].payload = p;
       },
       StatusCode::kCorruption, "key 'tokenizer.ggml.scores': nested arrays are not supported"},
      {"duplicate key", [](GgufSpec& s) { s.kvs[3].key = "general.name"; }, StatusCode::kCorruption,
       "duplicate key 'general.name'"},
      {"empty key", [](GgufSpec& s) { s.kvs[3].key = ""; }, StatusCode::kCorruption, "metadata key 3 is empty"},
      {"bool value 2", [](GgufSpec& s) { s.kvs[4].payload = std::string(1, '\x02'); }, StatusCode::kCorruption,
       "bool value 2"},
      {"duplicate tensor name", [](GgufSpec& s) { s.tensors[2].name = "token_embd.weight"; },
       StatusCode::kCorruption, "duplicate tensor 'token_embd.weight'"},
      {"over-long tensor name", [](GgufSpec& s) { s.tensors[2].name = std::string(64, 'x'); },
       StatusCode::kCorruption, "name of 64 bytes is longer than 63"},
      {"tensor name past end",
       [](GgufSpec& s) {
         s.tensors.clear();
         s.n_tensors = 1;
         std::string raw;
         put<uint64_t>(raw, 1ull << 40);
         raw += std::string(40, 'n');
         s.trailing = raw;
       },
       StatusCode::kCorruption, "tensor 0 name: string length 1099511627776 past end of file"},
      {"n_dims 0", [](GgufSpec& s) { s.tensors[1].n_dims = 0; s.tensors[1].ne.clear(); }, StatusCode::kCorruption,
       "tensor 'blk.0.attn_q.weight': n_dims 0 not in 1..4"},
      {"n_dims 5", [](GgufSpec& s) { s.tensors[1].ne = {32, 1, 1, 1, 1}; }, StatusCode::kCorruption,
       "n_dims 5 not in 1..4"},
      {"dimension 0", [](GgufSpec& s) { s.tensors[0].ne = {8, 0}; }, StatusCode::kCorruption,
       "tensor 'token_embd.weight': dimension 1 is 0"},
      {"dimension negative", [](GgufSpec& s) { s.tensors[0].ne = {-8, 4}; }, StatusCode::kCorruption,
       "dimension 0 is -8"},
      {"element count overflow", [](GgufSpec& s) { s.tensors[0].ne = {1ll << 32, 1ll << 32}; },
       StatusCode::kCorruption, "element count overflows"},
      {"byte size overflow",
       [](GgufSpec& s) { s.tensors[0].ne = {1ll << 31, 1ll << 31}; },  // 2^62 elements * 4 bytes
       StatusCode::kCorruption, "byte size overflows"},
      {"row not a multiple of the block", [](GgufSpec& s) { s.tensors[1].ne = {40, 8}; },
       StatusCode::kCorruption, "row length 40 is not a multiple of the Q8_0 block size 32"},
      {"unknown tensor type", [](GgufSpec& s) { s.tensors[2].type = 99; }, StatusCode::kCorruption,
       "tensor 'output_norm.weight': unknown tensor type id 99"},
      {"IQ tensor type", [](GgufSpec& s) { s.tensors[2].type = 16; s.tensors[2].data_bytes = 64; },
       StatusCode::kUnsupported, "tensor type IQ2_XXS (id 16) is not supported"},
      {"alignment 0", [](GgufSpec& s) { s.u32("general.alignment", 0); }, StatusCode::kCorruption,
       "'general.alignment': 0 is not a power of two"},
      {"alignment 48", [](GgufSpec& s) { s.u32("general.alignment", 48); }, StatusCode::kCorruption,
       "48 is not a power of two"},
      {"alignment absurd", [](GgufSpec& s) { s.u32("general.alignment", 1u << 31); }, StatusCode::kCorruption,
       "2147483648 is larger than"},
      {"alignment not an integer", [](GgufSpec& s) { s.str("general.alignment", "32"); },
       StatusCode::kCorruption, "expected an integer, found string"},
      {"tensor offset misaligned", [](GgufSpec& s) { s.tensors[1].offset = 130; }, StatusCode::kCorruption,
       "tensor 'blk.0.attn_q.weight': offset 130 is not a multiple of alignment 32"},
      {"tensor offset overlapping", [](GgufSpec& s) { s.tensors[1].offset = 96; }, StatusCode::kCorruption,
       "overlaps tensor 'token_embd.weight'"},
      {"tensor offset past end", [](GgufSpec& s) { s.tensors[2].offset = 1ull << 40; }, StatusCode::kCorruption,
       "tensor 'output_norm.weight': data at offset 1099511627776"},
      {"tensor offset wraps", [](GgufSpec& s) { s.tensors[2].offset = ~0ull - 31; }, StatusCode::kCorruption,
       "past end of file"},
      {"tensor data truncated",
       [](GgufSpec& s) {
         const size_t full = build_gguf(s).size();
         s.truncate_to = full - 1;
       },
       StatusCode::kCorruption, "tensor 'output_norm.weight': data at offset"},
      {"truncated in header", [](GgufSpec& s) { s.truncate_to = 10; }, StatusCode::kCorruption,
       "truncated file: n_tensors needs 8 bytes at offset 8, file size 10"},
      {"truncated in metadata", [](GgufSpec& s) { s.truncate_to = 150; }, StatusCode::kCorruption,
       "metadata key 3: string length 38 past end of file (at offset 146, file size 150)"},
      {"truncated in tensor infos",
       [](GgufSpec& s) {
         GgufSpec no_tensors = s;
         no_tensors.tensors.clear();
         s.truncate_to = build_gguf(no_tensors).size() + 12;
       },
       StatusCode::kCorruption, "tensor 0 name: string length 17 past end of file"},
      {"empty", [](GgufSpec& s) { s.truncate_to = 0; }, StatusCode::kCorruption, "bad magic (empty file)"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    GgufSpec s = valid_spec();
    c.mutate(s);
    auto r = open_spec(s);
    ASSERT_FALSE(r.ok()) << c.name << ": opened";
    EXPECT_EQ(r.status().code(), c.code) << r.status().to_string();
    const std::string& m = r.status().message();
    EXPECT_EQ(m.rfind("'test.gguf': ", 0), 0u) << "message must name the file: " << m;
    EXPECT_NE(m.find(c.expect), std::string::npos) << "expected '" << c.expect << "' in: " << m;
  }
}

// Every prefix of a valid file must fail cleanly (no crash, no out-of-bounds read under ASan).
TEST(Gguf, EveryTruncationFailsCleanly) {
  const std::string bytes = build_gguf(valid_spec());
  for (size_t n = 0; n < bytes.size(); n += (n < 600 ? 1 : 97)) {
    auto r = GgufFile::open_memory(bytes.substr(0, n), "t.gguf");
    EXPECT_FALSE(r.ok()) << "prefix of " << n << " bytes opened";
  }
  EXPECT_TRUE(GgufFile::open_memory(bytes, "t.gguf").ok());
}

// Flipping single bytes of the header region must never crash; it may or may not fail.
TEST(Gguf, ByteFlipsNeverCrash) {
  const std::string bytes = build_gguf(valid_spec());
  size_t failures = 0;
  for (size_t i = 0; i < std::min<size_t>(bytes.size(), 700); ++i) {
    for (uint8_t x : {0x01, 0x80, 0xff}) {
      std::string b = bytes;
      b[i] = static_cast<char>(b[i] ^ x);
      auto r = GgufFile::open_memory(b, "f.gguf");
      if (!r.ok()) ++failures;
    }
  }
  EXPECT_GT(failures, 0u);
}

TEST(Gguf, OpenFromDisk) {
  lantern::testing::TempDir dir;
  const std::string path = dir.write("m.gguf", build_gguf(valid_spec()));
  auto r = GgufFile::open(path);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ((*r)->path(), path);
  EXPECT_EQ((*r)->file_size(), lantern::testing::read_file(path).size());
  EXPECT_TRUE((*r)->prefetch());
  EXPECT_EQ((*r)->find_tensor("token_embd.weight")->data[1], 1);

  auto missing = GgufFile::open(dir.file("absent.gguf"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kIoError);
  EXPECT_NE(missing.status().message().find("absent.gguf"), std::string::npos);
  auto directory = GgufFile::open(dir.path());
  EXPECT_FALSE(directory.ok());
  dir.write("empty.gguf", "");
  auto empty = GgufFile::open(dir.file("empty.gguf"));
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("empty file"), std::string::npos);
}

// A file much larger than RAM opens: the data is mapped, never read or copied. The file is sparse
// (256 GiB of tensor data that occupies no disk blocks).
TEST(Gguf, FileLargerThanRamOpens) {
  GgufSpec s;
  s.str("general.architecture", "llama");
  s.tensor("huge.weight", TensorType::kF32, {1ll << 20, 1ll << 16});
  s.tensors.back().data_bytes = 0;  // the builder writes no data; the file is extended below
  const std::string header = build_gguf(s);
  const uint64_t data_bytes = (uint64_t{1} << 36) * 4;
  lantern::testing::TempDir dir;
  const std::string path = dir.write("huge.gguf", header);
  int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  if (ftruncate(fd, static_cast<off_t>(header.size() + data_bytes)) != 0) {
    ::close(fd);
    GTEST_SKIP() << "filesystem cannot hold a sparse 256 GiB file";
  }
  ::close(fd);
  auto r = GgufFile::open(path);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  const GgufTensor* t = (*r)->find_tensor("huge.weight");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->n_bytes, data_bytes);
  EXPECT_EQ(t->offset, header.size());
  EXPECT_FALSE((*r)->prefetch());  // larger than half of RAM: no readahead
  EXPECT_EQ(t->data[0], 0);
  EXPECT_EQ(t->data[data_bytes - 1], 0);  // touches one page at the far end only
}

// Vocab-only files (no tensors) may end right after the metadata, without padding.
TEST(Gguf, NoTensorsNoPadding) {
  GgufSpec s = valid_spec();
  s.tensors.clear();
  auto r = open_spec(s);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE((*r)->tensors().empty());
}

std::vector<std::string> gguf_files_in(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.size() > 5 && n.substr(n.size() - 5) == ".gguf") out.push_back(dir + "/" + n);
    }
    closedir(d);
  }
  return out;
}

TEST(Gguf, EveryShippedFileOpens) {
  LT_REQUIRE_SHARED(shared);
  std::vector<std::string> files = gguf_files_in(shared + "/models/fixtures");
  for (const auto& f : gguf_files_in(shared + "/models/real")) files.push_back(f);
  for (const auto& f : gguf_files_in(shared + "/vocab")) files.push_back(f);
  ASSERT_GE(files.size(), 25u);
  for (const auto& path : files) {
    auto r = GgufFile::open(path);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_TRUE((*r)->has("general.architecture")) << path;
    EXPECT_TRUE((*r)->get_string_array("tokenizer.ggml.tokens").ok()) << path;
    uint64_t total = 0;
    for (const auto& t : (*r)->tensors()) total += t.n_bytes;
    EXPECT_LE(total, (*r)->file_size()) << path;
  }
}

TEST(Gguf, TinyQwen2Fixture) {
  LT_REQUIRE_SHARED(shared);
  auto r = GgufFile::open(shared + "/models/fixtures/tiny-qwen2-q4_k_m.gguf");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  const GgufFile& f = **r;
  EXPECT_EQ(f.get_string("general.architecture").value(), "qwen2");
  EXPECT_EQ(f.get_u32("qwen2.embedding_length").value(), 256u);
  EXPECT_EQ(f.get_u32("qwen2.block_count").value(), 3u);
  EXPECT_EQ(f.find_tensor("output.weight"), nullptr);
  const GgufTensor* emb = f.find_tensor("token_embd.weight");
  ASSERT_NE(emb, nullptr);
  EXPECT_EQ(emb->ne[0], 256);
  EXPECT_EQ(emb->ne[1], 512);
  EXPECT_EQ(f.get_string_array("tokenizer.ggml.tokens")->size(), 512u);
}

}  // namespace
}  // namespace lantern::engine
