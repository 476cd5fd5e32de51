// BERT-style embedding models (arch `bert`, and `nomic-bert`) on tiny models the test writes: embed() against a
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
// nomic: arch nomic-bert (rotary positions, fused attn_qkv, SwiGLU, no biases).
Tensors write_tiny_bert(const std::string& path, uint32_t pooling, bool nomic = false) {
  GgufWriter w;
  const std::string a = nomic ? "nomic-bert" : "bert";
  w.set_string("general.architecture", a);
  w.set_u32(a + ".context_length", kCtx);
  w.set_u32(a + ".embedding_length", kEmbd);
  w.set_u32(a + ".block_count", kLayers);
  w.set_u32(a + ".feed_forward_length", kFf);
  w.set_u32(a + ".attention.head_count", kHeads);
  w.set_f32(a + ".attention.layer_norm_epsilon", 1e-12f);
  w.set_bool(a + ".attention.causal", false);
  w.set_u32(a + ".pooling_type", pooling);
  if (nomic) w.set_f32(a + ".rope.freq_base", 1000.0f);
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
  if (!nomic) add("position_embd.weight", kEmbd, kCtx, 0.5f, 0.0f);
  add("token_types.weight", kEmbd, 2, 0.5f, 0.0f);
  add("token_embd_norm.weight", kEmbd, 1, 0.1f, 1.0f);
  add("token_embd_norm.bias", kEmbd, 1, 0.1f, 0.0f);
  for (int l = 0; l < kLayers; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    if (nomic) {
      add(b + "attn_qkv.weight", kEmbd, 3 * kEmbd, ws * 2, 0.0f);
      add(b + "attn_output.weight", kEmbd, kEmbd, ws * 2, 0.0f);
    } else {
      for (const char* m : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
        add(b + m + ".weight", kEmbd, kEmbd, ws * 2, 0.0f);
        add(b + m + ".bias", kEmbd, 1, 0.1f, 0.0f);
      }
    }
    add(b + "attn_output_norm.weight", kEmbd, 1, 0.1f, 1.0f);
    add(b + "attn_output_norm.bias", kEmbd, 1, 0.1f, 0.0f);
    add(b + "ffn_up.weight", kEmbd, kFf, ws, 0.0f);
    if (nomic) add(b + "ffn_gate.weight", kEmbd, kFf, ws, 0.0f);
    if (!nomic) add(b + "ffn_up.bias", kFf, 1, 0.1f, 0.0f);
    add(b + "ffn_down.weight", kFf, kEmbd, 1.0f / std::sqrt(float(kFf)), 0.0f);
    if (!nomic) add(b + "ffn_down.bias", kEmbd, 1, 0.1f, 0.0f);
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
      double s = b.empty() ? 0.0 : b[r];
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

// Rotates pairs (i, i + d/2) of every head of row x at position p (rotary, "neox" pairing).
void rope_neox(std::vector<double>& x, size_t p, int hd) {
  for (int h = 0; h < kHeads; ++h) {
    for (int i = 0; i < hd / 2; ++i) {
      const double theta = p * std::pow(1000.0, -2.0 * i / hd);
      double& a = x[h * hd + i];
      double& b = x[h * hd + i + hd / 2];
      const double a0 = a, b0 = b;
      a = a0 * std::cos(theta) - b0 * std::sin(theta);
      b = a0 * std::sin(theta) + b0 * std::cos(theta);
    }
  }
}

// BERT as the papers and reference implementations define it, in double; with `nomic`, the
// nomic-bert variant (rotary positions, fused QKV, SwiGLU, no biases).
Mat reference_hidden(Tensors& t, const std::vector<int32_t>& ids, bool nomic = false) {
  const size_t n = ids.size();
  Mat x(n, std::vector<double>(kEmbd));
  for (size_t p = 0; p < n; ++p) {
    for (int i = 0; i < kEmbd; ++i) {
      x[p][i] = t["token_embd.weight"][ids[p] * kEmbd + i] + t["token_types.weight"][i] +
                (nomic ? 0.0 : t["position_embd.weight"][p * kEmbd + i]);
    }
    layer_norm(x[p], t["token_embd_norm.weight"], t["token_embd_norm.bias"]);
  }
  const int hd = kEmbd / kHeads;
  for (int l = 0; l < kLayers; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    Mat q, k, v;
    if (nomic) {
      const auto& qkv = t[b + "attn_qkv.weight"];  // Q rows, then K rows, then V rows
      const size_t part = size_t(kEmbd) * kEmbd;
      q = linear(x, std::vector<float>(qkv.begin(), qkv.begin() + part), {}, kEmbd);
      k = linear(x, std::vector<float>(qkv.begin() + part, qkv.begin() + 2 * part), {}, kEmbd);
      v = linear(x, std::vector<float>(qkv.begin() + 2 * part, qkv.end()), {}, kEmbd);
      for (size_t p = 0; p < n; ++p) {
        rope_neox(q[p], p, hd);
        rope_neox(k[p], p, hd);
      }
    } else {
      q = linear(x, t[b + "attn_q.weight"], t[b + "attn_q.bias"], kEmbd);
      k = linear(x, t[b + "attn_k.weight"], t[b + "attn_k.bias"], kEmbd);
      v = linear(x, t[b + "attn_v.weight"], t[b + "attn_v.bias"], kEmbd);
    }
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
    if (nomic) {
      Mat g = linear(x, t[b + "ffn_gate.weight"], {}, kFf);
      for (size_t p = 0; p < n; ++p) {
        for (int i = 0; i < kFf; ++i) u[p][i] *= g[p][i] / (1.0 + std::exp(-g[p][i]));
      }
    } else {
      for (auto& row : u) {
        for (auto& e : row) e = 0.5 * e * (1.0 + std::erf(e / std::sqrt(2.0)));
      }
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

TEST(Bert, NomicBertMatchesADirectDoublePrecisionEvaluation) {
  lantern::testing::TempDir dir;
  Tensors t = write_tiny_bert(dir.file("nomic.gguf"), /*pooling=*/1, /*nomic=*/true);
  auto model = Model::load(dir.file("nomic.gguf"));
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  EXPECT_EQ((*model)->info().arch, "nomic-bert");
  const auto ids = (*model)->tokenizer().encode("a red dog sat on the mat", true, false);
  Mat ref = reference_hidden(t, ids, /*nomic=*/true);
  auto s = Session::create(*model);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  auto mean = (*s)->embed(ids, Pooling::kModel);  // the file asks for mean pooling
  ASSERT_TRUE(mean.ok()) << mean.status().to_string();
  std::vector<double> avg(kEmbd, 0.0);
  for (const auto& row : ref) {
    for (int i = 0; i < kEmbd; ++i) avg[i] += row[i] / ref.size();
  }
  auto want = normalized(avg);
  for (int i = 0; i < kEmbd; ++i) EXPECT_NEAR((*mean)[i], want[i], 2e-3) << i;  // F16 cache
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
