// `convert` on Hugging Face checkpoints: tiny random Llama and Qwen2 models saved by PyTorch as
// safetensors (single, sharded BF16, F16) and torch.save, converted to GGUF and run by liftoff,
// must give the logits of a PyTorch forward pass (make_torch_models.py) at every position.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "liftoff/tokenizer/tokenizer.h"
#include "liftoff/tooling/convert.h"
#include "tooling/torch_models.h"

namespace liftoff::tooling {
namespace {

namespace fs = std::filesystem;
using kernels::DType;

class ConvertHf : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = fs::temp_directory_path() /
           ("liftoff_convert_hf_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(out_);
  }
  void TearDown() override { fs::remove_all(out_); }

  // Converts `input` to `type`, runs it and returns the comparison with the reference in
  // `variant`; prints the numbers the README quotes.
  testing::LogitComparison convert_and_compare(const fs::path& input, const fs::path& variant,
                                               DType type, ConvertReport* report_out = nullptr) {
    ConvertOptions o;
    o.input = input;
    o.output = out_ / "m.gguf";
    o.dtype = type;
    Result<ConvertReport> report = convert_model(o);
    EXPECT_TRUE(report.ok()) << report.status().to_string();
    if (!report.ok()) return {};
    if (report_out != nullptr) *report_out = *report;
    testing::LogitComparison c = testing::compare_with_reference(o.output, variant);
    std::printf(
        "[ measured ] %s -> %s: max |logit error| %.3g, largest |logit| %.3g, "
        "relative %.2g, %zu/%zu argmax differ\n",
        variant.filename().c_str(), std::string(kernels::dtype_info(type).name).c_str(),
        c.max_abs_error, c.max_abs_reference,
        c.max_abs_reference > 0 ? c.max_abs_error / c.max_abs_reference : 0.0, c.argmax_mismatches,
        c.n_positions);
    return c;
  }

  fs::path out_;
};

// Bounds on max |logit error| / max |reference logit| over every position and vocabulary entry.
// liftoff computes in f32 but keeps K/V in f16 (as llama.cpp does by default); the reference is
// float64. The weights are bfloat16 values, so F32, F16 and BF16 files hold them exactly and
// give the same error. Measured (README "liftoff convert"): llama 5.2e-4, qwen2 1.7e-4; Q8_0
// 2.1e-2 and 1.0e-2. The bounds leave about 2x room; the top token must agree everywhere.
constexpr double kExactWeightsTolerance = 1e-3;
constexpr double kQ8Tolerance = 5e-2;

double relative_error(const testing::LogitComparison& c) {
  return c.max_abs_reference > 0 ? c.max_abs_error / c.max_abs_reference : 1.0;
}

TEST_F(ConvertHf, LlamaSafetensorsF32MatchesPytorch) {
  LIFTOFF_REQUIRE_TORCH_MODELS(dir);
  ConvertReport report;
  auto c = convert_and_compare(dir / "llama_st", dir / "llama_st", DType::kF32, &report);
  ASSERT_GT(c.n_values, 0u);
  EXPECT_LE(relative_error(c), kExactWeightsTolerance);
  EXPECT_EQ(c.argmax_mismatches, 0u);
  EXPECT_EQ(report.arch, "llama");
  EXPECT_EQ(report.source, "safetensors");
  EXPECT_TRUE(report.fallbacks.empty());
  // 2 layers x 9 tensors + token_embd, output_norm, output.
  EXPECT_EQ(report.n_tensors, 21u);
}

TEST_F(ConvertHf, LlamaShardedBf16SafetensorsMatchesPytorch) {
  LIFTOFF_REQUIRE_TORCH_MODELS(dir);
  ConvertReport report;
  auto c = convert_and_compare(dir / "llama_sharded", dir / "llama_sharded", DType::kF32, &report);
  ASSERT_GT(c.n_values, 0u);
  // The weights are bfloat16 values, so the BF16 shards hold them exactly.
  EXPECT_LE(relative_error(c), kExactWeightsTolerance);
  EXPECT_EQ(report.source, "safetensors (2 shards)");
}

TEST_F(ConvertHf, LlamaTorchSaveMatchesPytorch) {
  LIFTOFF_REQUIRE_TORCH_MODELS(dir);
  ConvertReport report;
  auto c = convert_and_compare(dir / "llama_pt" / "pytorch_model.bin", dir / "llama_pt",
                               DType::kF32, &report);
  ASSERT_GT(c.n_values, 0u);
  EXPECT_LE(relative_error(c), kExactWeightsTolerance);
  EXPECT_EQ(report.source, "pytorch");
}

TEST_F(ConvertHf, Qwen2F16SafetensorsMatchesPytorch) {
  LIFTOFF_REQUIRE_TORCH_MODELS(dir);
  ConvertReport report;
  auto c = convert_and_compare(dir / "qwen2_st", dir / "qwen2_st", DType::kF32, &report);
  ASSERT_GT(c.n_values, 0u);
  EXPECT_LE(relative_error(c), kExactWeightsTolerance);
  EXPECT_EQ(c.argmax_mismatches, 0u);
  EXPECT_EQ(report.arch, "qwen2");
  // Tied: no output.weight (2 layers x 12 tensors + token_embd, output_norm).
  EXPECT_EQ(report.n_tensors, 26u);
  ASSERT_EQ(report.notes.size(), 2u);
  EXPECT_NE(report.notes[0].find("lm_head.weight ignored"), std::string::npos);
  EXPECT_NE(report.notes[1].find("padded from 279 to 288"), std::string::npos);
}

TEST_F(ConvertHf, Qwen2TorchSaveMatchesPytorch) {
  LIFTOFF_REQUIRE_TORCH_MODELS(dir);
  auto c = convert_and_compare(dir / "qwen2_pt", dir / "qwen2_pt", DType::kF32);
  ASSERT_GT(c.n_values, 0u);
  EXPECT_LE(relative_error(c), kExactWeightsTolerance);
}

TEST_F(ConvertHf, OutputTypesStayCloseToPytorch) {
  LIFTOFF_REQUIRE_TORCH_MODELS(dir);
  for (const char* variant : {"llama_st", "qwen2_st"}) {
    SCOPED_TRACE(variant);
    auto f16 = convert_and_compare(dir / variant, dir / variant, DType::kF16);
    EXPECT_LE(relative_error(f16), kExactWeightsTolerance);
    EXPECT_EQ(f16.argmax_mismatches, 0u);
    auto bf16 = convert_and_compare(dir / variant, dir / variant, DType::kBF16);
    EXPECT_LE(relative_error(bf16), kExactWeightsTolerance);
    EXPECT_EQ(bf16.argmax_mismatches, 0u);
    ConvertReport report;
    auto q8 = convert_and_compare(dir / variant, dir / variant, DType::kQ8_0, &report);
    EXPECT_LE(relative_error(q8), kQ8Tolerance);
    EXPECT_EQ(q8.argmax_mismatches, 0u);
    if (std::string(variant) == "qwen2_st") {
      // down_proj rows are 136 wide: not whole 32-blocks, stored F16 and reported.
      ASSERT_EQ(report.fallbacks.size(), 2u);
      EXPECT_EQ(report.fallbacks[0].tensor, "blk.0.ffn_down.weight");
      EXPECT_EQ(report.fallbacks[0].row_length, 136u);
    } else {
      EXPECT_TRUE(report.fallbacks.empty());
    }
  }
}

TEST_F(ConvertHf, WritesTheTokenizerAndChatTemplate) {
  LIFTOFF_REQUIRE_TORCH_MODELS(dir);
  ConvertOptions o;
  o.input = dir / "qwen2_st";
  o.output = out_ / "q.gguf";
  ASSERT_TRUE(convert_model(o).ok());
  auto file = formats::open_model_file(o.output);
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  EXPECT_EQ(file->get_string("general.architecture"), "qwen2");
  EXPECT_EQ(file->get_string("tokenizer.ggml.model"), "gpt2");
  EXPECT_EQ(file->get_array("tokenizer.ggml.tokens")->size(), 288u);
  EXPECT_EQ(file->get_array("tokenizer.ggml.tokens")->strings[287], "[PAD287]");
  EXPECT_EQ(file->get_array("tokenizer.ggml.token_type")->ints[287], 5);  // unused
  EXPECT_EQ(file->get_int("tokenizer.ggml.eos_token_id"), 278);           // <|im_end|>
  EXPECT_EQ(file->get_bool("tokenizer.ggml.add_bos_token"), false);
  EXPECT_NE(file->get_string("tokenizer.chat_template").value_or("").find("<|im_start|>"),
            std::string::npos);
  EXPECT_EQ(file->get_float("qwen2.rope.freq_base"), 1e6);
  EXPECT_NEAR(*file->get_float("qwen2.attention.layer_norm_rms_epsilon"), 1e-6, 1e-12);
  EXPECT_EQ(file->get_int("general.file_type"), 0);
  auto tok = tokenizer::Tokenizer::from_model_file(*file);
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  // " the" is two merges deep in the tiny BPE: one token.
  EXPECT_EQ(tok->encode(" the", false, false).size(), 1u);
}

}  // namespace
}  // namespace liftoff::tooling
