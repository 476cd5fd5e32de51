// WeightArena: the background copy of a real GGUF file's matrices into huge-page memory, its
// errors (a file that shrank after it was opened), GgufFile::read_at, and a model loaded with and
// without the copy computing the same logits.
#include "weight_arena.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <cstring>
#include <vector>

#include "kernels.h"
#include "packed_rows.h"
#include "lantern/engine/gguf.h"
#include "lantern/engine/model.h"
#include "lantern/engine/session.h"
#include "test_support.h"
#include "tiny_model.h"

namespace lantern::engine {
namespace {

using lantern::engine::testing::TinySpec;
using lantern::engine::testing::write_tiny_model;

struct Scheduled {
  const GgufTensor* tensor;
  const std::atomic<const uint8_t*>* slots;
  int64_t rows, row_bytes;
};

// Schedules every 2-D tensor of `file` in `arena`.
std::vector<Scheduled> schedule_all(const GgufFile& file, WeightArena& arena) {
  std::vector<Scheduled> out;
  for (const GgufTensor& t : file.tensors()) {
    if (t.n_dims != 2) continue;
    const int64_t rows = t.ne[1], row_bytes = static_cast<int64_t>(t.n_bytes) / t.ne[1];
    const auto* slots = arena.add(t.offset, t.data, rows, row_bytes);
    EXPECT_NE(slots, nullptr) << t.name;
    out.push_back({&t, slots, rows, row_bytes});
  }
  return out;
}

// Writes a tiny model with 2-D weights of `type` to dir/name and opens it.
std::unique_ptr<GgufFile> open_tiny(const lantern::testing::TempDir& dir, const std::string& name, TensorType type) {
  TinySpec spec;
  spec.type = type;
  Status st = write_tiny_model(dir.file(name), spec);
  EXPECT_TRUE(st.ok()) << st.to_string();
  auto file = GgufFile::open(dir.file(name));
  EXPECT_TRUE(file.ok()) << file.status().to_string();
  return file.ok() ? std::move(file).value() : nullptr;
}

TEST(WeightArena, CopiesEveryMatrixOfAFileSegmentBySegment) {
  lantern::testing::TempDir dir;
  auto file = open_tiny(dir, "m.gguf", TensorType::kQ8_0);
  ASSERT_NE(file, nullptr);
  uint64_t bytes = 0;
  for (const GgufTensor& t : file->tensors()) bytes += t.n_bytes + 64;
  auto arena = WeightArena::create(bytes);
  ASSERT_TRUE(arena.ok()) << arena.status().to_string();
  const auto scheduled = schedule_all(*file, **arena);
  ASSERT_FALSE(scheduled.empty());
  (*arena)->start(*file);
  ASSERT_TRUE((*arena)->wait().ok());
  EXPECT_EQ((*arena)->copied(), (*arena)->total());
  for (const Scheduled& s : scheduled) {
    const int64_t seg = WeightArena::segment_rows(s.row_bytes);
    EXPECT_EQ(seg % 16, 0);
    for (int64_t k = 0; k * seg < s.rows; ++k) {
      const uint8_t* copy = s.slots[k].load();
      ASSERT_NE(copy, nullptr) << s.tensor->name << " segment " << k;
      EXPECT_NE(copy, s.tensor->data + k * seg * s.row_bytes) << "a copy, not the mapping";
      const int64_t n = (std::min(s.rows, (k + 1) * seg) - k * seg) * s.row_bytes;
      EXPECT_EQ(std::memcmp(copy, s.tensor->data + k * seg * s.row_bytes, n), 0) << s.tensor->name;
    }
  }
}

TEST(WeightArena, SegmentsAreAboutOneMiBInWholeTilesOfRows) {
  EXPECT_EQ(WeightArena::segment_rows(1 << 20), 16);   // rows of 1 MiB: the 16-row minimum
  EXPECT_EQ(WeightArena::segment_rows(864), 1200);     // Q4_K rows of 1536: 1 MiB / 864, down to 16s
  EXPECT_EQ(WeightArena::segment_rows(0) % 16, 0);     // no division by zero
}

TEST(WeightArena, FullArenaSchedulesNothing) {
  auto arena = WeightArena::create(4096);
  ASSERT_TRUE(arena.ok());
  std::vector<uint8_t> bytes(1 << 20);
  // Capacity is rounded up to 2 MiB: two matrices of 1 MiB fit, a third does not.
  EXPECT_NE((*arena)->add(0, bytes.data(), 16, 65536), nullptr);
  EXPECT_NE((*arena)->add(0, bytes.data(), 16, 65536), nullptr);
  EXPECT_EQ((*arena)->add(0, bytes.data(), 16, 65536), nullptr);
  EXPECT_EQ((*arena)->add(0, bytes.data(), 0, 65536), nullptr);
}

TEST(WeightArena, AFileThatShrankIsAnErrorNamingItAndLeavesTheMappingInUse) {
  lantern::testing::TempDir dir;
  auto file = open_tiny(dir, "shrinks.gguf", TensorType::kF32);
  ASSERT_NE(file, nullptr);
  const std::string path = dir.file("shrinks.gguf");
  auto arena = WeightArena::create(file->file_size() * 2);
  ASSERT_TRUE(arena.ok());
  const auto scheduled = schedule_all(*file, **arena);
  ASSERT_GE(scheduled.size(), 2u);
  // Cut the file inside the last matrix: everything before it copies, the last one cannot.
  const Scheduled& last = scheduled.back();
  ASSERT_EQ(truncate(path.c_str(), static_cast<off_t>(last.tensor->offset + 100)), 0);
  (*arena)->start(*file);
  Status st = (*arena)->wait();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("shorter"), std::string::npos) << st.message();
  EXPECT_NE(scheduled.front().slots[0].load(), nullptr);
  EXPECT_EQ(last.slots[0].load(), nullptr) << "a failed segment keeps reading the mapping";
}

TEST(GgufFile, ReadAtChecksTheRange) {
  lantern::testing::TempDir dir;
  const std::string path = dir.file("m.gguf");
  ASSERT_TRUE(write_tiny_model(path, TinySpec{}).ok());
  auto file = GgufFile::open(path);
  ASSERT_TRUE(file.ok());
  const GgufTensor& t = (*file)->tensors().front();
  std::vector<uint8_t> buf(t.n_bytes);
  ASSERT_TRUE((*file)->read_at(t.offset, buf.data(), t.n_bytes).ok());
  EXPECT_EQ(std::memcmp(buf.data(), t.data, t.n_bytes), 0);
  Status past = (*file)->read_at((*file)->file_size() - 4, buf.data(), 8);
  ASSERT_FALSE(past.ok());
  EXPECT_NE(past.message().find("past the end"), std::string::npos) << past.message();
  EXPECT_FALSE((*file)->read_at(~0ull, buf.data(), 2).ok());
}

std::vector<float> logits_of(const std::shared_ptr<const Model>& model) {
  auto s = Session::create(model, SessionOptions{});
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  const std::vector<int32_t> prompt = {1, 259, 260, 261, 40, 41, 262};
  auto all = (*s)->logits_all(prompt);
  EXPECT_TRUE(all.ok()) << all.status().to_string();
  return all.ok() ? *all : std::vector<float>{};
}

// With a PackFn, every whole group of 4 rows of a segment arrives packed (as pack makes it from
// the file's rows; in bands when asked) and the rows after the last whole group arrive as they are
// in the file.
TEST(WeightArena, PacksWholeGroupsAndCopiesTheRestPlain) {
  lantern::testing::TempDir dir;
  TinySpec spec;
  spec.type = TensorType::kQ4_K;
  spec.n_embd = 256;
  spec.n_ff = 512;
  ASSERT_TRUE(write_tiny_model(dir.file("q.gguf"), spec).ok());
  auto file = GgufFile::open(dir.file("q.gguf"));
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  const GgufTensor* t = nullptr;
  for (const GgufTensor& c : (*file)->tensors()) {
    if (c.n_dims == 2 && c.type == TensorType::kQ4_K && c.ne[1] >= 10 && (t == nullptr || c.ne[0] > t->ne[0])) t = &c;
  }
  ASSERT_NE(t, nullptr);
  const int64_t cols = t->ne[0], row_bytes = static_cast<int64_t>(t->n_bytes) / t->ne[1];
  const int64_t rows = t->ne[1] / 4 * 4 - 2;  // two rows after the last whole group
  const int64_t tail = rows / 4 * 4;
  ASSERT_GT(tail % kernels::kBandRows, 0) << "a last band of fewer groups expected";
  ASSERT_GE(cols / 256, 2) << "bands of more than one segment expected";
  // Then in bands (packed_rows.h): each band of 16 rows (the last one of tail % 16) is its packed
  // groups in band order.
  for (const int64_t band_blocks : {int64_t{0}, cols / 256}) {
    SCOPED_TRACE("band_blocks=" + std::to_string(band_blocks));
    const kernels::BandShape band{band_blocks, 1, band_blocks > 0 ? 4 * row_bytes / band_blocks : 0};
    auto arena = WeightArena::create(t->n_bytes + 64);
    ASSERT_TRUE(arena.ok());
    const auto* slots = (*arena)->add(t->offset, t->data, rows, row_bytes, kernels::pack_q4_k, cols, band);
    ASSERT_NE(slots, nullptr);
    EXPECT_TRUE((*arena)->packs());
    ASSERT_LE(rows, WeightArena::segment_rows(row_bytes)) << "one segment expected";
    (*arena)->start(**file);
    ASSERT_TRUE((*arena)->wait().ok());
    const uint8_t* copy = slots[0].load();
    ASSERT_NE(copy, nullptr);
    std::vector<uint8_t> want(tail * row_bytes);
    for (int64_t g = 0; g < tail; g += 4) kernels::pack_q4_k(t->data + g * row_bytes, want.data() + g * row_bytes, cols);
    if (band_blocks > 0) kernels::to_bands(want.data(), tail, row_bytes, band);
    for (int64_t g = 0; g < tail; g += 4) {
      ASSERT_EQ(std::memcmp(copy + g * row_bytes, want.data() + g * row_bytes, 4 * row_bytes), 0) << "group at row " << g;
    }
    EXPECT_EQ(std::memcmp(copy + tail * row_bytes, t->data + tail * row_bytes, (rows - tail) * row_bytes), 0);
  }
}

// Logits from packed rows (packed_rows.h) are summed in another order than from plain rows: equal
// up to float rounding. A plain copy gives the very same floats.
void expect_same_logits(const std::vector<float>& got, const std::vector<float>& want, bool exact) {
  ASSERT_EQ(got.size(), want.size());
  if (exact) {
    EXPECT_EQ(got, want);
    return;
  }
  float scale = 0;
  for (float v : want) scale = std::max(scale, std::fabs(v));
  for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-4f * scale) << "logit " << i;
}

TEST(WeightArena, ModelGivesTheSameLogitsFromTheCopyAsFromTheMapping) {
  lantern::testing::TempDir dir;
  for (const char* weights : {"", "copy"}) {
  for (TensorType type : {TensorType::kQ4_K, TensorType::kQ6_K, TensorType::kF16}) {
    SCOPED_TRACE(std::string(tensor_type_name(type)) + " LANTERN_WEIGHTS=" + weights);
    if (*weights != '\0') setenv("LANTERN_WEIGHTS", weights, 1);
    TinySpec spec;
    spec.type = type;
    spec.n_embd = 256;
    spec.n_ff = 512;
    spec.arch = "qwen2";
    const std::string path = dir.file(std::string(tensor_type_name(type)) + ".gguf");
    ASSERT_TRUE(write_tiny_model(path, spec).ok());
    LoadOptions mapped_only;
    mapped_only.resident_weights = false;
    auto mapped = Model::load(path, mapped_only);
    auto copied = Model::load(path);
    unsetenv("LANTERN_WEIGHTS");
    ASSERT_TRUE(mapped.ok() && copied.ok());
    EXPECT_EQ((*mapped)->info().weight_memory, "file mapping (not requested)");
    const bool packs = *weights == '\0' && kernels::active_traits(type)->vec_dot_packed != nullptr;
    if (WeightArena::unavailable_reason(1 << 20).empty()) {
      EXPECT_EQ((*copied)->info().weight_memory, packs ? "huge pages, packed" : "huge pages");
    } else {
      EXPECT_NE((*copied)->info().weight_memory.find("file mapping ("), std::string::npos);
    }
    ASSERT_TRUE((*copied)->wait_resident().ok());
    ASSERT_TRUE((*mapped)->wait_resident().ok());
    expect_same_logits(logits_of(*copied), logits_of(*mapped), !packs);
  }
  }
}

// Resident kB of the mapping of `path` in this process (/proc/self/smaps), -1 if not mapped.
long mapped_rss_kb(const std::string& path) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool in_file = false;
  long total = -1;
  while (std::getline(smaps, line)) {
    if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) && line.find('-') != std::string::npos &&
        line.find(' ') != std::string::npos && line.compare(0, 4, "Rss:") != 0) {
      in_file = line.size() >= path.size() && line.compare(line.size() - path.size(), path.size(), path) == 0;
      continue;
    }
    if (in_file && line.compare(0, 4, "Rss:") == 0) total = std::max(total, 0L) + std::atol(line.c_str() + 4);
  }
  return total;
}

// Once the copy is done, the weights' pages of the file mapping are no longer part of the
// process, even those a product read from the mapping while the copy ran.
TEST(WeightArena, CopiedWeightsLeaveTheMapping) {
  if (!WeightArena::unavailable_reason(64 << 20).empty()) GTEST_SKIP() << WeightArena::unavailable_reason(64 << 20);
  lantern::testing::TempDir dir;
  TinySpec spec;
  spec.n_embd = 256;
  spec.n_ff = 1024;
  spec.n_layer = 4;
  const std::string path = dir.file("big.gguf");
  ASSERT_TRUE(write_tiny_model(path, spec).ok());
  auto model = Model::load(path);
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  EXPECT_EQ((*model)->info().weight_memory.rfind("huge pages", 0), 0u) << (*model)->info().weight_memory;
  const auto before = logits_of(*model);  // reads the mapping, the copy, or both
  ASSERT_TRUE((*model)->wait_resident().ok());
  expect_same_logits(logits_of(*model), before, kernels::active_traits(spec.type)->vec_dot_packed == nullptr);
  const long kb = mapped_rss_kb(path);
  ASSERT_GE(kb, 0) << "the file is not mapped";
  EXPECT_LT(kb, 1024) << "of a " << (*model)->info().file_bytes / 1024 << " kB file";
  EXPECT_GT((*model)->info().file_bytes / 1024, 12000u);
}

TEST(WeightArena, EnvironmentCanKeepTheWeightsInTheMapping) {
  lantern::testing::TempDir dir;
  const std::string path = dir.file("m.gguf");
  ASSERT_TRUE(write_tiny_model(path, TinySpec{}).ok());
  setenv("LANTERN_WEIGHTS", "mmap", 1);
  auto m = Model::load(path);
  unsetenv("LANTERN_WEIGHTS");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->info().weight_memory, "file mapping (LANTERN_WEIGHTS=mmap)");
  EXPECT_EQ(WeightArena::unavailable_reason(1 << 20).find("LANTERN_WEIGHTS"), std::string::npos);
}

}  // namespace
}  // namespace lantern::engine
