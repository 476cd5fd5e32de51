// Hyperparameter tests: valid llama/qwen2 metadata built in the test, a table of inconsistent
// metadata (each rejected with a message naming key and value), vocab-array validation, and the
// shipped fixtures' parameters.
#include "lantern/engine/model_params.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "gguf_bytes.h"
#include "test_support.h"

namespace lantern::engine {
namespace {

using lantern::testing::build_gguf;
using lantern::testing::GgufSpec;

std::vector<std::string> token_list(size_t n) {
  std::vector<std::string> t;
  for (size_t i = 0; i < n; ++i) t.push_back("t" + std::to_string(i));
  return t;
}

// A llama-style model: n_embd 64, 2 layers, 4 heads, 2 KV heads, n_ff 96, 32 tokens.
GgufSpec llama_spec(const std::string& arch = "llama") {
  GgufSpec s;
  s.str("general.architecture", arch)
      .str("general.name", "mini")
      .u32(arch + ".context_length", 256)
      .u32(arch + ".embedding_length", 64)
      .u32(arch + ".block_count", 2)
      .u32(arch + ".feed_forward_length", 96)
      .u32(arch + ".attention.head_count", 4)
      .u32(arch + ".attention.head_count_kv", 2)
      .f32(arch + ".attention.layer_norm_rms_epsilon", 1e-6f)
      .f32(arch + ".rope.freq_base", 500000.f)
      .u32("general.file_type", 15)
      .str("tokenizer.ggml.model", "llama")
      .str_array("tokenizer.ggml.tokens", token_list(32))
      .array<float>("tokenizer.ggml.scores", GgufType::kF32, std::vector<float>(32, 0.f))
      .array<int32_t>("tokenizer.ggml.token_type", GgufType::kI32, std::vector<int32_t>(32, 1))
      .u32("tokenizer.ggml.bos_token_id", 1)
      .u32("tokenizer.ggml.eos_token_id", 2)
      .u32("tokenizer.ggml.padding_token_id", 0xFFFFFFFFu);
  s.tensor("token_embd.weight", TensorType::kQ8_0, {64, 32});
  s.tensor("output_norm.weight", TensorType::kF32, {64});
  s.tensor("output.weight", TensorType::kF16, {64, 32});
  s.tensor("blk.0.attn_q.weight", TensorType::kQ8_0, {64, 64});
  return s;
}

Result<ModelParams> params_of(const GgufSpec& s) {
  auto f = GgufFile::open_memory(build_gguf(s), "m.gguf");
  if (!f.ok()) return f.status();
  return read_model_params(**f);
}

Status vocab_of(const GgufSpec& s) {
  auto f = GgufFile::open_memory(build_gguf(s), "m.gguf");
  if (!f.ok()) return f.status();
  return validate_vocab_metadata(**f);
}

TEST(ModelParams, LlamaReadsBack) {
  auto r = params_of(llama_spec());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  const ModelParams& p = *r;
  EXPECT_EQ(p.arch, "llama");
  EXPECT_EQ(p.name, "mini");
  EXPECT_TRUE(p.arch_runnable);
  EXPECT_EQ(p.n_vocab, 32u);
  EXPECT_EQ(p.n_ctx_train, 256u);
  EXPECT_EQ(p.n_embd, 64u);
  EXPECT_EQ(p.n_layer, 2u);
  EXPECT_EQ(p.n_head, 4u);
  EXPECT_EQ(p.n_head_kv, 2u);
  EXPECT_EQ(p.n_head_kv_per_layer, (std::vector<uint32_t>{2, 2}));
  EXPECT_EQ(p.n_ff, 96u);
  EXPECT_EQ(p.head_dim, 16u);
  EXPECT_EQ(p.head_dim_v, 16u);
  EXPECT_EQ(p.n_rot, 16u);
  EXPECT_FLOAT_EQ(p.norm_eps, 1e-6f);
  EXPECT_FLOAT_EQ(p.rope_freq_base, 500000.f);
  EXPECT_EQ(p.rope_type, RopeType::kNorm);
  EXPECT_EQ(p.rope_scaling, RopeScaling::kNone);
  EXPECT_FALSE(p.has_rope_freqs);
  EXPECT_FALSE(p.tied_embeddings);
  EXPECT_EQ(p.bos_id, 1);
  EXPECT_EQ(p.eos_id, 2);
  EXPECT_FALSE(p.pad_id.has_value());  // 0xFFFFFFFF means none
  EXPECT_FALSE(p.eot_id.has_value());
  EXPECT_EQ(p.file_type_name, "Q4_K_M");
  EXPECT_EQ(p.quant_mix, "Q8_0+F16");  // token_embd + attn_q: 6528 bytes, output: 4096
  EXPECT_EQ(p.n_params, 64u * 32 + 64 + 64 * 32 + 64 * 64);
  EXPECT_TRUE(check_arch_runnable(p).ok());
  EXPECT_TRUE(validate_vocab_metadata(**GgufFile::open_memory(build_gguf(llama_spec()))).ok());
}

TEST(ModelParams, Qwen2TiedAndNeox) {
  GgufSpec s = llama_spec("qwen2");
  s.tensors.erase(s.tensors.begin() + 2);  // no output.weight
  auto r = params_of(s);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->arch, "qwen2");
  EXPECT_TRUE(r->tied_embeddings);
  EXPECT_EQ(r->rope_type, RopeType::kNeox);
}

TEST(ModelParams, PerLayerArraysKeyLengthAndRopeScaling) {
  GgufSpec s = llama_spec();
  s.kvs.erase(s.kvs.begin() + 7);  // scalar head_count_kv
  s.array<int32_t>("llama.attention.head_count_kv", GgufType::kI32, {2, 4});
  s.u32("llama.attention.key_length", 32).u32("llama.attention.value_length", 24);
  s.u32("llama.rope.dimension_count", 8);
  s.str("llama.rope.scaling.type", "linear").f32("llama.rope.scaling.factor", 4.f);
  s.u32("llama.rope.scaling.original_context_length", 8192);
  s.tensor("rope_freqs.weight", TensorType::kF32, {4});
  auto r = params_of(s);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->n_head_kv_per_layer, (std::vector<uint32_t>{2, 4}));
  EXPECT_EQ(r->n_head_kv, 4u);
  EXPECT_EQ(r->head_dim_k, 32u);
  EXPECT_EQ(r->head_dim_v, 24u);
  EXPECT_EQ(r->n_rot, 8u);
  EXPECT_EQ(r->rope_scaling, RopeScaling::kLinear);
  EXPECT_FLOAT_EQ(r->rope_scaling_factor, 4.f);
  EXPECT_EQ(r->rope_scaling_orig_ctx, 8192u);
  EXPECT_TRUE(r->has_rope_freqs);

  GgufSpec l3 = llama_spec();
  l3.f32("llama.rope.scaling.factor", 8.f)
      .f32("llama.rope.scaling.low_freq_factor", 1.f)
      .f32("llama.rope.scaling.high_freq_factor", 4.f);
  auto r3 = params_of(l3);
  ASSERT_TRUE(r3.ok()) << r3.status().to_string();
  EXPECT_EQ(r3->rope_scaling, RopeScaling::kLlama3);
  EXPECT_FLOAT_EQ(r3->rope_high_freq_factor, 4.f);
}

TEST(ModelParams, TableArchitecturesWithoutForwardPass) {
  GgufSpec s = llama_spec("deepseek2");
  auto r = params_of(s);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_FALSE(r->arch_runnable);
  Status st = check_arch_runnable(*r);
  EXPECT_EQ(st.code(), StatusCode::kUnsupported);
  EXPECT_NE(st.message().find("'deepseek2'"), std::string::npos) << st.message();
}

struct BadParams {
  const char* name;
  std::function<void(GgufSpec&)> mutate;
  StatusCode code;
  const char* expect;
};

void set_u32(GgufSpec& s, const std::string& key, uint32_t v) {
  for (auto& kv : s.kvs) {
    if (kv.key == key) {
      kv.type = static_cast<uint32_t>(GgufType::kU32);
      kv.payload.clear();
      lantern::testing::put(kv.payload, v);
      return;
    }
  }
  s.u32(key, v);
}

void remove_key(GgufSpec& s, const std::string& key) {
  std::erase_if(s.kvs, [&](const auto& kv) { return kv.key == key; });
}

TEST(ModelParams, InconsistentMetadataIsRejected) {
  const std::vector<BadParams> cases = {
      {"unsupported architecture", [](GgufSpec& s) { s.kvs[0].payload.clear(); lantern::testing::put_str(s.kvs[0].payload, "phi3"); },
       StatusCode::kUnsupported, "unsupported architecture 'phi3' (known: llama, qwen2"},
      {"no architecture", [](GgufSpec& s) { remove_key(s, "general.architecture"); }, StatusCode::kCorruption,
       "general.architecture"},
      {"n_embd % n_head", [](GgufSpec& s) { set_u32(s, "llama.attention.head_count", 6); set_u32(s, "llama.attention.head_count_kv", 3); },
       StatusCode::kCorruption, "n_embd 64 is not a multiple of n_head 6"},
      {"n_head % n_head_kv", [](GgufSpec& s) { set_u32(s, "llama.attention.head_count_kv", 3); },
       StatusCode::kCorruption, "key 'llama.attention.head_count_kv': layer 0: n_head 4 is not a multiple of n_head_kv 3"},
      {"n_head_kv 0", [](GgufSpec& s) { set_u32(s, "llama.attention.head_count_kv", 0); }, StatusCode::kCorruption,
       "value 0 not in 1.."},
      {"per-layer array too short",
       [](GgufSpec& s) {
         remove_key(s, "llama.attention.head_count_kv");
         s.array<int32_t>("llama.attention.head_count_kv", GgufType::kI32, {2, 2, 2});
       },
       StatusCode::kCorruption, "key 'llama.attention.head_count_kv': per-layer array has 3 entries, n_layer is 2"},
      {"per-layer n_ff wrong length",
       [](GgufSpec& s) {
         remove_key(s, "llama.feed_forward_length");
         s.array<uint32_t>("llama.feed_forward_length", GgufType::kU32, {96});
       },
       StatusCode::kCorruption, "per-layer array has 1 entries, n_layer is 2"},
      {"block_count missing", [](GgufSpec& s) { remove_key(s, "llama.block_count"); }, StatusCode::kNotFound,
       "required key 'llama.block_count' not found"},
      {"block_count absurd", [](GgufSpec& s) { set_u32(s, "llama.block_count", 1u << 30); }, StatusCode::kCorruption,
       "key 'llama.block_count': value 1073741824 not in 1..4096"},
      {"context_length as string",
       [](GgufSpec& s) { remove_key(s, "llama.context_length"); s.str("llama.context_length", "256"); },
       StatusCode::kCorruption, "key 'llama.context_length': expected u32, found string"},
      {"eps negative",
       [](GgufSpec& s) { remove_key(s, "llama.attention.layer_norm_rms_epsilon"); s.f32("llama.attention.layer_norm_rms_epsilon", -1.f); },
       StatusCode::kCorruption, "layer_norm_rms_epsilon': value -1"},
      {"bos id >= n_vocab", [](GgufSpec& s) { set_u32(s, "tokenizer.ggml.bos_token_id", 32); },
       StatusCode::kCorruption, "key 'tokenizer.ggml.bos_token_id': token id 32 >= n_vocab 32"},
      {"eot id >= n_vocab", [](GgufSpec& s) { s.u32("tokenizer.ggml.eot_token_id", 100); }, StatusCode::kCorruption,
       "token id 100 >= n_vocab 32"},
      {"embedding shape", [](GgufSpec& s) { s.tensors[0].ne = {64, 31}; }, StatusCode::kCorruption,
       "tensor 'token_embd.weight': shape [64, 31] does not match n_embd 64, n_vocab 32"},
      {"weights of type I32", [](GgufSpec& s) { s.tensor("blk.0.extra", TensorType::kI32, {4}); },
       StatusCode::kUnsupported, "tensor 'blk.0.extra': type I32 is not supported"},
      {"odd rope dims", [](GgufSpec& s) { s.u32("llama.rope.dimension_count", 7); }, StatusCode::kCorruption,
       "value 7 is odd"},
      {"rope dims > head_dim", [](GgufSpec& s) { s.u32("llama.rope.dimension_count", 32); }, StatusCode::kCorruption,
       "value 32 not in 2..16"},
      {"rope_freqs wrong length", [](GgufSpec& s) { s.tensor("rope_freqs.weight", TensorType::kF32, {16}); },
       StatusCode::kCorruption, "tensor 'rope_freqs.weight': expected F32 [8]"},
      {"unknown rope scaling", [](GgufSpec& s) { s.str("llama.rope.scaling.type", "longrope"); },
       StatusCode::kUnsupported, "rope scaling 'longrope' is not supported"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    GgufSpec s = llama_spec();
    c.mutate(s);
    auto r = params_of(s);
    ASSERT_FALSE(r.ok()) << "accepted";
    EXPECT_EQ(r.status().code(), c.code) << r.status().to_string();
    const std::string& m = r.status().message();
    EXPECT_NE(m.find("m.gguf"), std::string::npos) << "must name the file: " << m;
    EXPECT_NE(m.find(c.expect), std::string::npos) << "expected '" << c.expect << "' in: " << m;
  }
}

TEST(ModelParams, VocabMetadataValidation) {
  const std::vector<BadParams> cases = {
      {"scores shorter",
       [](GgufSpec& s) { remove_key(s, "tokenizer.ggml.scores"); s.array<float>("tokenizer.ggml.scores", GgufType::kF32, std::vector<float>(31)); },
       StatusCode::kCorruption, "key 'tokenizer.ggml.scores': 31 scores for 32 tokens"},
      {"scores as int8",
       [](GgufSpec& s) { remove_key(s, "tokenizer.ggml.scores"); s.array<int8_t>("tokenizer.ggml.scores", GgufType::kI8, std::vector<int8_t>(32)); },
       StatusCode::kCorruption, "expected array of f32, found array of i8"},
      {"token types longer",
       [](GgufSpec& s) { remove_key(s, "tokenizer.ggml.token_type"); s.array<int32_t>("tokenizer.ggml.token_type", GgufType::kI32, std::vector<int32_t>(33)); },
       StatusCode::kCorruption, "33 token types for 32 tokens"},
      {"token type out of range",
       [](GgufSpec& s) {
         remove_key(s, "tokenizer.ggml.token_type");
         std::vector<int32_t> types(32, 1);
         types[7] = 9;
         s.array<int32_t>("tokenizer.ggml.token_type", GgufType::kI32, types);
       },
       StatusCode::kCorruption, "token 7 has type 9, expected 0..6"},
      {"NaN score",
       [](GgufSpec& s) {
         remove_key(s, "tokenizer.ggml.scores");
         std::vector<float> scores(32, 0.f);
         scores[3] = std::nanf("");
         s.array<float>("tokenizer.ggml.scores", GgufType::kF32, scores);
       },
       StatusCode::kCorruption, "score of token 3 is NaN"},
      {"tokens not strings",
       [](GgufSpec& s) { remove_key(s, "tokenizer.ggml.tokens"); s.array<int32_t>("tokenizer.ggml.tokens", GgufType::kI32, {1, 2}); },
       StatusCode::kCorruption, "expected array of string, found array of i32"},
      {"no tokens", [](GgufSpec& s) { remove_key(s, "tokenizer.ggml.tokens"); }, StatusCode::kNotFound,
       "'tokenizer.ggml.tokens' not found"},
      {"merges not strings", [](GgufSpec& s) { s.array<int32_t>("tokenizer.ggml.merges", GgufType::kI32, {1}); },
       StatusCode::kCorruption, "tokenizer.ggml.merges"},
      {"unk id >= n_vocab", [](GgufSpec& s) { s.i32("tokenizer.ggml.unknown_token_id", 40); },
       StatusCode::kCorruption, "key 'tokenizer.ggml.unknown_token_id': token id 40 >= n_vocab 32"},
      {"negative id", [](GgufSpec& s) { s.i32("tokenizer.ggml.cls_token_id", -5); }, StatusCode::kCorruption,
       "token id -5"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    GgufSpec s = llama_spec();
    c.mutate(s);
    Status st = vocab_of(s);
    ASSERT_FALSE(st.ok()) << "accepted";
    EXPECT_EQ(st.code(), c.code) << st.to_string();
    EXPECT_NE(st.message().find("m.gguf"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(c.expect), std::string::npos) << "expected '" << c.expect << "' in: " << st.message();
  }
}

TEST(ModelParams, Formatting) {
  EXPECT_EQ(format_param_count(260'000), "260K");
  EXPECT_EQ(format_param_count(1'543'714'304), "1.5B");
  EXPECT_EQ(format_param_count(7'000'000'000), "7B");
  EXPECT_EQ(format_param_count(14'770'033'664), "14.8B");
  EXPECT_EQ(format_param_count(999), "999");
  EXPECT_EQ(file_type_name(15), "Q4_K_M");
  EXPECT_EQ(file_type_name(1), "F16");
  EXPECT_EQ(file_type_name(999), "");
}

TEST(ModelParams, ShippedFixtures) {
  LT_REQUIRE_SHARED(shared);
  struct Want {
    const char* file;
    const char* arch;
    uint32_t n_embd, n_layer, n_head, n_head_kv, n_ff, n_ctx;
    bool tied, rope_freqs;
    const char* mix;
  };
  const Want wants[] = {
      {"models/fixtures/tiny-qwen2-q4_k_m.gguf", "qwen2", 256, 3, 8, 2, 768, 512, true, false, "Q4_K+Q6_K"},
      {"models/fixtures/tiny-qwen2-f32.gguf", "qwen2", 256, 3, 8, 2, 768, 512, true, false, "F32"},
      {"models/fixtures/tiny-llama-q8_0.gguf", "llama", 256, 3, 8, 2, 768, 512, false, false, "Q8_0"},
      {"models/fixtures/tiny-llama-bf16.gguf", "llama", 256, 3, 8, 2, 768, 512, false, false, "BF16"},
      {"models/fixtures/tiny-llama3-q4_k_m.gguf", "llama", 256, 3, 8, 2, 768, 512, false, true, "Q4_K+Q6_K"},
      {"models/real/aidreams260K.gguf", "llama", 64, 4, 4, 4, 172, 128, false, false, "F32"},
  };
  for (const Want& w : wants) {
    SCOPED_TRACE(w.file);
    auto f = GgufFile::open(shared + "/" + w.file);
    ASSERT_TRUE(f.ok()) << f.status().to_string();
    auto p = read_model_params(**f);
    ASSERT_TRUE(p.ok()) << p.status().to_string();
    EXPECT_EQ(p->arch, w.arch);
    EXPECT_EQ(p->n_embd, w.n_embd);
    EXPECT_EQ(p->n_layer, w.n_layer);
    EXPECT_EQ(p->n_head, w.n_head);
    EXPECT_EQ(p->n_head_kv, w.n_head_kv);
    EXPECT_EQ(p->n_ff, w.n_ff);
    EXPECT_EQ(p->n_ctx_train, w.n_ctx);
    EXPECT_EQ(p->n_vocab, 512u);
    EXPECT_EQ(p->tied_embeddings, w.tied);
    EXPECT_EQ(p->has_rope_freqs, w.rope_freqs);
    EXPECT_EQ(p->quant_mix, w.mix);
    EXPECT_EQ(p->bos_id, 1);
    EXPECT_EQ(p->eos_id, 2);
    EXPECT_TRUE(validate_vocab_metadata(**f).ok());
  }
  // Every vocabulary file passes vocab validation and reads as parameters.
  for (const char* name : {"bert-bge", "deepseek-coder", "deepseek-llm", "falcon", "gpt-2", "llama-spm", "mpt",
                           "phi-3", "refact", "starcoder"}) {
    SCOPED_TRACE(name);
    auto f = GgufFile::open(shared + "/vocab/ggml-vocab-" + name + ".gguf");
    ASSERT_TRUE(f.ok()) << f.status().to_string();
    Status v = validate_vocab_metadata(**f);
    EXPECT_TRUE(v.ok()) << v.to_string();
  }
  auto bert = GgufFile::open(shared + "/vocab/ggml-vocab-bert-bge.gguf");
  ASSERT_TRUE(bert.ok());
  auto bp = read_model_params(**bert);
  ASSERT_TRUE(bp.ok()) << bp.status().to_string();
  EXPECT_FALSE(bp->norm_is_rms);
  EXPECT_FALSE(bp->causal);
  EXPECT_EQ(bp->n_vocab, 30522u);
  EXPECT_EQ(bp->rope_type, RopeType::kNone);
}

}  // namespace
}  // namespace lantern::engine
