// The type decisions of `liftoff quantize` on hand-built tensor tables (no data needed): which
// tensors are matrices, output/tied-embedding handling, the _M/_S layer upgrades, fallbacks for
// rows a block does not divide, and --keep parsing, matching and errors.
#include "liftoff/tooling/quantize_plan.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace liftoff::tooling {
namespace {

using kernels::DType;

formats::TensorInfo tensor(const std::string& name, std::vector<uint64_t> dims,
                           DType type = DType::kF32) {
  formats::TensorInfo t;
  t.name = name;
  t.dims = std::move(dims);
  t.dtype = type;
  t.n_bytes = kernels::row_bytes(type, t.dims[0]) * (t.n_elements() / t.dims[0]);
  return t;
}

// A llama-shaped table: n_layer layers of rows `width` (ffn_down rows `ff`), untied output.
formats::ModelFile model(int n_layer, uint64_t width, uint64_t ff, bool tied = false) {
  formats::ModelFile f;
  f.tensors.push_back(tensor("token_embd.weight", {width, 512}));
  f.tensors.push_back(tensor("output_norm.weight", {width}));
  if (!tied) f.tensors.push_back(tensor("output.weight", {width, 512}));
  for (int l = 0; l < n_layer; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    f.tensors.push_back(tensor(b + "attn_norm.weight", {width}));
    f.tensors.push_back(tensor(b + "attn_q.weight", {width, width}));
    f.tensors.push_back(tensor(b + "attn_q.bias", {width}));
    f.tensors.push_back(tensor(b + "attn_v.weight", {width, width}));
    f.tensors.push_back(tensor(b + "attn_output.weight", {width, width}));
    f.tensors.push_back(tensor(b + "ffn_down.weight", {ff, width}));
    f.tensors.push_back(tensor(b + "ffn_up.weight", {width, ff}));
  }
  return f;
}

const TensorQuantPlan& find(const std::vector<TensorQuantPlan>& plan, const std::string& name) {
  for (const TensorQuantPlan& p : plan) {
    if (p.name == name) return p;
  }
  ADD_FAILURE() << "no tensor " << name;
  return plan.front();
}

std::vector<TensorQuantPlan> plan_of(const formats::ModelFile& f, const char* type,
                                     std::vector<KeepRule> keep = {}) {
  std::optional<QuantRecipe> r = find_quant_recipe(type);
  EXPECT_TRUE(r.has_value()) << type;
  Result<std::vector<TensorQuantPlan>> plan = plan_quantization(f, *r, keep);
  EXPECT_TRUE(plan.ok()) << plan.status().to_string();
  return plan.ok() ? *plan : std::vector<TensorQuantPlan>{};
}

TEST(QuantizePlan, RecipeNamesAndFileTypes) {
  EXPECT_EQ(find_quant_recipe("q4_k")->name, "Q4_K_M");
  EXPECT_EQ(find_quant_recipe("Q5_K")->name, "Q5_K_M");
  EXPECT_EQ(find_quant_recipe("Q8_0")->file_type, 7u);
  EXPECT_EQ(find_quant_recipe("Q4_0")->file_type, 2u);
  EXPECT_EQ(find_quant_recipe("Q4_K_M")->file_type, 15u);
  EXPECT_EQ(find_quant_recipe("Q4_K_S")->file_type, 14u);
  EXPECT_EQ(find_quant_recipe("Q6_K")->file_type, 18u);
  EXPECT_FALSE(find_quant_recipe("Q3_K").has_value());
  EXPECT_FALSE(find_quant_recipe("F16").has_value());
  EXPECT_FALSE(find_quant_recipe("").has_value());
}

TEST(QuantizePlan, OnlyWeightMatricesAreQuantized) {
  const auto plan = plan_of(model(2, 256, 512), "Q8_0");
  EXPECT_EQ(find(plan, "output_norm.weight").to, DType::kF32);
  EXPECT_EQ(find(plan, "output_norm.weight").reason, TypeReason::kNotAMatrix);
  EXPECT_EQ(find(plan, "blk.0.attn_norm.weight").to, DType::kF32);
  EXPECT_EQ(find(plan, "blk.0.attn_q.bias").to, DType::kF32);
  EXPECT_EQ(find(plan, "blk.0.attn_q.weight").to, DType::kQ8_0);
  EXPECT_EQ(find(plan, "token_embd.weight").to, DType::kQ8_0);
  EXPECT_EQ(find(plan, "output.weight").to, DType::kQ8_0);
  // Sizes: a 256x256 F32 matrix is 262144 bytes; in Q8_0 8 blocks of 34 bytes per row.
  EXPECT_EQ(find(plan, "blk.0.attn_q.weight").bytes_in, 256u * 256 * 4);
  EXPECT_EQ(find(plan, "blk.0.attn_q.weight").bytes_out, 256u * 8 * 34);
}

TEST(QuantizePlan, OutputGetsQ6KOrQ8_0) {
  auto plan = plan_of(model(2, 256, 512), "Q4_0");
  EXPECT_EQ(find(plan, "output.weight").to, DType::kQ6_K);
  EXPECT_EQ(find(plan, "output.weight").reason, TypeReason::kOutput);
  EXPECT_EQ(find(plan, "token_embd.weight").to, DType::kQ4_0);  // untied: the base type
  // Rows of 64: Q6_K does not fit, Q8_0 (llama.cpp's choice for the output in that case).
  plan = plan_of(model(2, 64, 172), "Q4_0");
  EXPECT_EQ(find(plan, "output.weight").to, DType::kQ8_0);
  plan = plan_of(model(2, 64, 172), "Q4_K");
  EXPECT_EQ(find(plan, "output.weight").to, DType::kQ8_0);
  EXPECT_FALSE(find(plan, "output.weight").wanted.has_value());
}

TEST(QuantizePlan, TiedEmbeddingIsTreatedAsTheOutput) {
  const auto plan = plan_of(model(2, 256, 512, /*tied=*/true), "Q4_K");
  EXPECT_EQ(find(plan, "token_embd.weight").to, DType::kQ6_K);
  EXPECT_EQ(find(plan, "token_embd.weight").reason, TypeReason::kOutput);
}

TEST(QuantizePlan, MediumMixGivesMoreBitsToSomeLayers) {
  // 8 layers: n/8 = 1, 7n/8 = 7, so layers 0, 7 and (i - 1) % 3 == 2 -> 3, 6 get Q6_K.
  const auto plan = plan_of(model(8, 256, 512), "Q4_K_M");
  for (int l = 0; l < 8; ++l) {
    const bool more = l == 0 || l == 3 || l == 6 || l == 7;
    const std::string b = "blk." + std::to_string(l) + ".";
    EXPECT_EQ(find(plan, b + "attn_v.weight").to, more ? DType::kQ6_K : DType::kQ4_K) << l;
    EXPECT_EQ(find(plan, b + "ffn_down.weight").to, more ? DType::kQ6_K : DType::kQ4_K) << l;
    EXPECT_EQ(find(plan, b + "attn_q.weight").to, DType::kQ4_K) << l;
  }
  const auto small = plan_of(model(8, 256, 512), "Q4_K_S");
  // Q4_K_S: the first four attn_v and the first eighth of ffn_down get Q5_K.
  EXPECT_EQ(find(small, "blk.3.attn_v.weight").to, DType::kQ5_K);
  EXPECT_EQ(find(small, "blk.4.attn_v.weight").to, DType::kQ4_K);
  EXPECT_EQ(find(small, "blk.0.ffn_down.weight").to, DType::kQ5_K);
  EXPECT_EQ(find(small, "blk.1.ffn_down.weight").to, DType::kQ4_K);
  // Q5_K_S has no upgrades, Q6_K none either.
  EXPECT_EQ(find(plan_of(model(8, 256, 512), "Q5_K_S"), "blk.0.attn_v.weight").to, DType::kQ5_K);
}

TEST(QuantizePlan, FusedQkvCountsAsAttnVAndBiasesDoNotShiftLayers) {
  // 8 layers with a fused QKV matrix and ffn_down biases: the more-bits layers stay 0, 3, 6, 7.
  formats::ModelFile f;
  f.metadata["general.architecture"] = {formats::GgufType::kString, std::string("llama")};
  f.metadata["llama.block_count"] = {formats::GgufType::kUint32, uint64_t{8}};
  f.tensors.push_back(tensor("token_embd.weight", {256, 512}));
  for (int l = 0; l < 8; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    f.tensors.push_back(tensor(b + "attn_qkv.weight", {256, 768}));
    f.tensors.push_back(tensor(b + "ffn_down.bias", {256}));
    f.tensors.push_back(tensor(b + "ffn_down.weight", {512, 256}));
  }
  const auto plan = plan_of(f, "Q4_K");
  for (int l = 0; l < 8; ++l) {
    const bool more = l == 0 || l == 3 || l == 6 || l == 7;
    const std::string b = "blk." + std::to_string(l) + ".";
    EXPECT_EQ(find(plan, b + "attn_qkv.weight").to, more ? DType::kQ6_K : DType::kQ4_K) << l;
    EXPECT_EQ(find(plan, b + "ffn_down.weight").to, more ? DType::kQ6_K : DType::kQ4_K) << l;
    EXPECT_EQ(find(plan, b + "ffn_down.bias").to, DType::kF32) << l;
  }
}

TEST(QuantizePlan, FallbacksForRowsTheBlockDoesNotDivide) {
  // stories260K's shape: rows of 64 (ffn_down 172), 5 layers.
  auto plan = plan_of(model(5, 64, 172), "Q4_K");
  const TensorQuantPlan& q = find(plan, "blk.0.attn_q.weight");
  EXPECT_EQ(q.to, DType::kQ5_0);
  ASSERT_TRUE(q.wanted.has_value());
  EXPECT_EQ(*q.wanted, DType::kQ4_K);
  // 5 layers: layers 2 and 4 are "more bits" (Q6_K), which falls back to Q8_0.
  EXPECT_EQ(find(plan, "blk.2.attn_v.weight").to, DType::kQ8_0);
  EXPECT_EQ(find(plan, "blk.1.attn_v.weight").to, DType::kQ5_0);
  // 172 is not a multiple of 32 either: F16.
  EXPECT_EQ(find(plan, "blk.0.ffn_down.weight").to, DType::kF16);
  EXPECT_EQ(find(plan, "blk.2.ffn_down.weight").to, DType::kF16);

  EXPECT_EQ(find(plan_of(model(5, 64, 172), "Q5_K"), "blk.0.attn_q.weight").to, DType::kQ5_1);
  EXPECT_EQ(find(plan_of(model(5, 64, 172), "Q6_K"), "blk.0.attn_q.weight").to, DType::kQ8_0);
  // A 32-block type that does not fit goes straight to F16 (llama-quantize stops there).
  plan = plan_of(model(5, 64, 172), "Q8_0");
  EXPECT_EQ(find(plan, "blk.0.ffn_down.weight").to, DType::kF16);
  EXPECT_EQ(*find(plan, "blk.0.ffn_down.weight").wanted, DType::kQ8_0);
  EXPECT_EQ(find(plan, "blk.0.ffn_up.weight").to, DType::kQ8_0);
}

TEST(QuantizePlan, KeepPatternsMatchWholeNameParts) {
  EXPECT_TRUE(keep_pattern_matches("output", "output.weight"));
  EXPECT_FALSE(keep_pattern_matches("output", "blk.0.attn_output.weight"));
  EXPECT_FALSE(keep_pattern_matches("output", "output_norm.weight"));
  EXPECT_TRUE(keep_pattern_matches("token_embd", "token_embd.weight"));
  EXPECT_TRUE(keep_pattern_matches("ffn_down", "blk.12.ffn_down.weight"));
  EXPECT_FALSE(keep_pattern_matches("down", "blk.12.ffn_down.weight"));
  EXPECT_TRUE(keep_pattern_matches("blk.1", "blk.1.ffn_down.weight"));
  EXPECT_FALSE(keep_pattern_matches("blk.1", "blk.12.ffn_down.weight"));
  EXPECT_TRUE(keep_pattern_matches("blk.3.attn_v", "blk.3.attn_v.weight"));
  EXPECT_TRUE(keep_pattern_matches("output.weight", "output.weight"));
  EXPECT_FALSE(keep_pattern_matches("", "output.weight"));
}

TEST(QuantizePlan, KeepRulesParseAndApply) {
  Result<KeepRule> rule = parse_keep_rule("f16:output,token_embd");
  ASSERT_TRUE(rule.ok()) << rule.status().to_string();
  EXPECT_EQ(rule->type, DType::kF16);
  EXPECT_EQ(rule->patterns, (std::vector<std::string>{"output", "token_embd"}));
  const auto plan = plan_of(model(2, 256, 512), "Q4_K", {*rule, *parse_keep_rule("q8_0:blk.1")});
  EXPECT_EQ(find(plan, "output.weight").to, DType::kF16);
  EXPECT_EQ(find(plan, "output.weight").reason, TypeReason::kKept);
  EXPECT_EQ(find(plan, "token_embd.weight").to, DType::kF16);
  EXPECT_EQ(find(plan, "blk.1.attn_q.weight").to, DType::kQ8_0);
  EXPECT_EQ(find(plan, "blk.1.attn_norm.weight").to, DType::kF32);  // not a matrix: untouched
  EXPECT_EQ(find(plan, "blk.0.attn_q.weight").to, DType::kQ4_K);
}

TEST(QuantizePlan, KeepErrors) {
  EXPECT_EQ(parse_keep_rule("output").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse_keep_rule("q9_9:output").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse_keep_rule("q8_k:output").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse_keep_rule("f16:").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse_keep_rule("f16:a,,b").status().code(), StatusCode::kInvalidArgument);

  const QuantRecipe q4 = *find_quant_recipe("Q4_0");
  // A pattern that names nothing is a typo, not a silent no-op.
  Result<std::vector<TensorQuantPlan>> plan =
      plan_quantization(model(2, 64, 172), q4, {*parse_keep_rule("f16:ouptut")});
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("ouptut"), std::string::npos);
  // A kept type that does not fit the rows.
  plan = plan_quantization(model(2, 64, 172), q4, {*parse_keep_rule("q8_0:ffn_down")});
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("172"), std::string::npos);
}

}  // namespace
}  // namespace liftoff::tooling
