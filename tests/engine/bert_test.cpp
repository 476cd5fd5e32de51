// BERT-style embedding models (arch `bert`) on a tiny model the test writes: embed() against a
// direct double-precision evaluation of the same weights written out here loop by loop, the
// bidirectional attention, pooling, and the errors for what an embedding model cannot do.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "lantern/engine/gguf_writer.h"
#include "lantern/engine/model.h"
#include "lantern/engine/session.h"
#include "lantern/engine/tokenizer.h"
#include "test_support.h"

namespace lantern::engine {
namespace {

constexpr int kEmbd = 32, kLayers = 2, kHeads = 4, kFf = 64, kCtx = 64;
const std::vector<std::string> kTokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat",
                                          "sat",   "on",    "mat",   "dog",   "##s",    "a",   "red"};

using Tensors = std::map<std::string, std::vector<float>>;

// Writes the model and returns its weights as floats for the reference.
Tensors write_tiny_bert(const std::string& path, uint32_t pooling) {
  GgufWriter w;
  w.set_string("general.architecture", "bert");
  w.set_u32("bert.context_length", kCtx);
  w.set_u32("bert.embedding_length", kEmbd);
  w.set_u32("bert.block_count", kLayers);
  w.set_u32("bert.feed_forward_length", kFf);
  w.set_u32("bert.attention.head_count", kHeads);
  w.set_f32("bert.attention.layer_norm_epsilon", 1e-12f);
  w.set_bool("bert.attention.causal", false);
  w.set_u32("bert.pooling_type", pooling);
  w.set_string("tokenizer.ggml.model", "bert");
  w.set_string_array("tokenizer.ggml.tokens", kTokens);
  std::vector<int32_t> types(kTokens.size(), 1);
  for (int i = 0; i < 5; ++i) types[i] = 3;
  w.set_i32_array("tokenizer.ggml.token_type", types);
  w.set_u32("tokenizer.ggml.padding_token_id", 0);
  w.set_u32("tokenizer.ggml.unknown_token_id", 1);
  w.set_u32("tokenizer.ggml.cls_token_id", 2);
  w.set_u32("tokenizer.ggml.seperator_token_id", 3);
  w.set_u32("tokenizer.ggml.mask_token_id", 4);
  Tensors t;
  std::mt19937 rng(7);
  std::normal_distribution<float> d(0.0f, 1.0f);
  auto add = [&](const std::string& name, int64_t cols, int64_t rows, float scale, float offset) {
    std::vector<float> v(static_cast<size_t>(cols * rows));
    for (auto& x : v) x = offset + scale * d(rng);
    std::vector<int64_t> ne = rows == 1 ? std::vector<int64_t>{cols} : std::vector<int64_t>{cols, rows};
    EXPECT_TRUE(w.add_tensor_from_floats(name, TensorType::kF32, ne, v.data()).ok()) << name;
    t[name] = v;
  };
  const float ws = 1.0f / std::sqrt(float(kEmbd));
  add("token_embd.weight", kEmbd, kTokens.size(), 1.0f, 0.0f);
  add("position_embd.weight", kEmbd, kCtx, 0.5f, 0.0f);
  add("token_types.weight", kEmbd, 2, 0.5f, 0.0f);
  add("token_embd_norm.weight", kEmbd, 1, 0.1f, 1.0f);
  add("token_embd_norm.bias", kEmbd, 1, 0.1f, 0.0f);
  for (int l = 0; l < kLayers; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    for (const char* m : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
      add(b + m + ".weight", kEmbd, kEmbd, ws * 2, 0.0f);
      add(b + m + ".bias", kEmbd, 1, 0.1f, 0.0f);
    }
    add(b + "attn_output_norm.weight", kEmbd, 1, 0.1f, 1.0f);
    add(b + "attn_output_norm.bias", kEmbd, 1, 0.1f, 0.0f);
    add(b + "ffn_up.weight", kEmbd, kFf, ws, 0.0f);
    add(b + "ffn_up.bias", kFf, 1, 0.1f, 0.0f);
    add(b + "ffn_down.weight", kFf, kEmbd, 1.0f / std::sqrt(float(kFf)), 0.0f);
    add(b + "ffn_down.bias", kEmbd, 1, 0.1f, 0.0f);
    add(b + "layer_output_norm.weight", kEmbd, 1, 0.1f, 1.0f);
    add(b + "layer_output_norm.bias", kEmbd, 1, 0.1f, 0.0f);
  }
  EXPECT_TRUE(w.write(path).ok());
  return t;
}

using Mat = std::vector<std::vector<double>>;  // [n][width]

Mat linear(const Mat& x, const std::vector<float>& w, const std::vector<float>& b, int rows) {
  const size_t cols = x[0].size();
  Mat y(x.size(), std::vector<double>(rows));
  for (size_t t = 0; t < x.size(); ++t) {
    for (int r = 0; r < rows; ++r) {
      double s = b[r];
      for (size_t c = 0; c < cols; ++c) s += double(w[r * cols + c]) * x[t][c];
      y[t][r] = s;
    }
  }
  return y;
}

void layer_norm(std::vector<double>& x, const std::vector<float>& w, const std::vector<float>& b) {
  double mean = 0, var = 0;
  for (double v : x) mean += v;
  mean /= x.size();
  for (double v : x) var += (v - mean) * (v - mean);
  var /= x.size();
  for (size_t i = 0; i < x.size(); ++i) x[i] = (x[i] - mean) / std::sqrt(var + 1e-12) * w[i] + b[i];
}

// BERT as the papers and reference implementations define it, in double.
Mat reference_hidden(Tensors& t, const std::vector<int32_t>& ids) {
  const size_t n = ids.size();
  Mat x(n, std::vector<double>(kEmbd));
  for (size_t p = 0; p < n; ++p) {
    for (int i = 0; i < kEmbd; ++i) {
      x[p][i] = t["token_embd.weight"][ids[p] * kEmbd + i] + t["position_embd.weight"][p * kEmbd + i] +
                t["token_types.weight"][i];
    }
    layer_norm(x[p], t["token_embd_norm.weight"], t["token_embd_norm.bias"]);
  }
  const int hd = kEmbd / kHeads;
  for (int l = 0; l < kLayers; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    Mat q = linear(x, t[b + "attn_q.weight"], t[b + "attn_q.bias"], kEmbd);
    Mat k = linear(x, t[b + "attn_k.weight"], t[b + "attn_k.bias"], kEmbd);
    Mat v = linear(x, t[b + "attn_v.weight"], t[b + "attn_v.bias"], kEmbd);
    Mat a(n, std::vector<double>(kEmbd, 0.0));
    for (size_t i = 0; i < n; ++i) {
      for (int h = 0; h < kHeads; ++h) {
        std::vector<double> s(n);
        double mx = -1e300, z = 0;
        for (size_t j = 0; j < n; ++j) {
          double dot = 0;
          for (int e = 0; e < hd; ++e) dot += q[i][h * hd + e] * k[j][h * hd + e];
          s[j] = dot / std::sqrt(double(hd));
          mx = std::max(mx, s[j]);
        }
        for (auto& e : s) z += (e = std::exp(e - mx));
        for (size_t j = 0; j < n; ++j) {
          for (int e = 0; e < hd; ++e) a[i][h * hd + e] += s[j] / z * v[j][h * hd + e];
        }
      }
    }
    Mat o = linear(a, t[b + "attn_output.weight"], t[b + "attn_output.bias"], kEmbd);
    for (size_t p = 0; p < n; ++p) {
      for (int i = 0; i < kEmbd; ++i) x[p][i] += o[p][i];
      layer_norm(x[p], t[b + "attn_output_norm.weight"], t[b + "attn_output_norm.bias"]);
    }
    Mat u = linear(x, t[b + "ffn_up.weight"], t[b + "ffn_up.bias"], kFf);
    for (auto& row : u) {
      for (auto& e : row) e = 0.5 * e * (1.0 + std::erf(e / std::sqrt(2.0)));
    }
    Mat dn = linear(u, t[b + "ffn_down.weight"], t[b + "ffn_down.bias"], kEmbd);
    for (size_t p = 0; p < n; ++p) {
      for (int i = 0; i < kEmbd; ++i) x[p][i] += dn[p][i];
      layer_norm(x[p], t[b + "layer_output_norm.weight"], t[b + "layer_output_norm.bias"]);
    }
  }
  return x;
}

std::vector<double> normalized(std::vector<double> v) {
  double n = 0;
  for (double e : v) n += e * e;
  for (double& e : v) e /= std::sqrt(n);
  return v;
}

TEST(Bert, EmbeddingsMatchADirectDoublePrecisionEvaluation) {
  lantern::testing::TempDir dir;
  Tensors t = write_tiny_bert(dir.file("bert.gguf"), /*pooling=*/2);
  auto model = Model::load(dir.file("bert.gguf"));
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  EXPECT_EQ((*model)->info().arch, "bert");
  const auto ids = (*model)->tokenizer().encode("the cats sat on a red mat", true, false);
  ASSERT_EQ(ids.front(), 2);  // [CLS]
  ASSERT_EQ(ids.back(), 3);   // [SEP]
  Mat ref = reference_hidden(t, ids);
  for (KvType kv : {KvType::kF32, KvType::kF16}) {
    SessionOptions so;
    so.kv_type = kv;
    so.n_batch = 3;  // bidirectional models ignore it: one pass
    auto s = Session::create(*model, so);
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    const double tol = kv == KvType::kF32 ? 1e-4 : 2e-3;
    // kModel: the file asks for CLS pooling.
    auto cls = (*s)->embed(ids, Pooling::kModel);
    ASSERT_TRUE(cls.ok()) << cls.status().to_string();
    auto want = normalized(ref[0]);
    for (int i = 0; i < kEmbd; ++i) EXPECT_NEAR((*cls)[i], want[i], tol) << i;
    auto mean = (*s)->embed(ids, Pooling::kMean);
    ASSERT_TRUE(mean.ok());
    std::vector<double> avg(kEmbd, 0.0);
    for (const auto& row : ref) {
      for (int i = 0; i < kEmbd; ++i) avg[i] += row[i] / ref.size();
    }
    want = normalized(avg);
    for (int i = 0; i < kEmbd; ++i) EXPECT_NEAR((*mean)[i], want[i], tol) << i;
  }
}

TEST(Bert, AttentionSeesTheWholeSequence) {
  lantern::testing::TempDir dir;
  write_tiny_bert(dir.file("bert.gguf"), 2);
  auto model = Model::load(dir.file("bert.gguf"));
  ASSERT_TRUE(model.ok());
  auto s = Session::create(*model);
  ASSERT_TRUE(s.ok());
  // The first ([CLS]) position changes when a later token does: not causal.
  auto a = (*s)->embed(std::vector<int32_t>{2, 5, 6, 3}, Pooling::kCls);
  auto b = (*s)->embed(std::vector<int32_t>{2, 5, 10, 3}, Pooling::kCls);
  ASSERT_TRUE(a.ok() && b.ok());
  double diff = 0;
  for (int i = 0; i < kEmbd; ++i) diff = std::max(diff, double(std::fabs((*a)[i] - (*b)[i])));
  EXPECT_GT(diff, 1e-3);
}

TEST(Bert, WhatAnEmbeddingModelCannotDoIsAClearError) {
  lantern::testing::TempDir dir;
  write_tiny_bert(dir.file("bert.gguf"), 1);
  auto model = Model::load(dir.file("bert.gguf"));
  ASSERT_TRUE(model.ok());
  SessionOptions big;
  big.n_ctx = 1000;
  EXPECT_EQ(Session::create(*model, big).status().code(), StatusCode::kInvalidArgument);
  auto s = Session::create(*model);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->n_ctx(), kCtx);
  const std::vector<int32_t> ids = {2, 5, 6, 3};
  EXPECT_FALSE((*s)->logits_all(ids).ok());
  ASSERT_TRUE((*s)->eval(ids).ok());  // a whole sequence from empty is fine
  EXPECT_TRUE((*s)->logits().empty());
  Status more = (*s)->eval(ids);
  EXPECT_EQ(more.code(), StatusCode::kInvalidArgument) << more.to_string();
  auto gen = (*s)->generate(SamplerParams{}, 4, nullptr);
  ASSERT_FALSE(gen.ok());
  EXPECT_NE(gen.status().message().find("embedding model"), std::string::npos) << gen.status().message();
  std::vector<int32_t> too_long(kCtx + 1, 5);
  EXPECT_EQ((*s)->embed(too_long).status().code(), StatusCode::kResourceLimit);
}

}  // namespace
}  // namespace lantern::engine
