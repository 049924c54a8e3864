// `convert` refuses bad input with a clear error and leaves no output: pickles that would run
// code (os.system, builtins.eval) are refused before anything executes, config.json problems
// name the key, missing or mismatched tensors name the tensor, bad output folders fail early.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "liftoff/tooling/convert.h"
#include "tooling/torch_models.h"

namespace liftoff::tooling {
namespace {

namespace fs = std::filesystem;

class ConvertErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = fs::temp_directory_path() /
           ("liftoff_convert_errors_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(out_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(out_, fs::perms::owner_all, ec);
    fs::remove_all(out_);
  }

  Status convert(const fs::path& input, const fs::path& output = {}) {
    ConvertOptions o;
    o.input = input;
    o.output = output.empty() ? out_ / "m.gguf" : output;
    Result<ConvertReport> r = convert_model(o);
    return r.ok() ? Status::ok() : r.status();
  }

  // A copy of a generated variant whose config.json is edited by `edit`.
  fs::path variant_with_config(const fs::path& source, auto edit) {
    const fs::path dir = out_ / "variant";
    fs::copy(source, dir, fs::copy_options::recursive);
    std::ifstream in(dir / "config.json");
    nlohmann::json config = nlohmann::json::parse(in);
    edit(config);
    std::ofstream(dir / "config.json") << config.dump();
    return dir;
  }

  fs::path out_;
};

TEST_F(ConvertErrors, PickleCallingOsSystemIsRefusedAndNotRun) {
  LIFTOFF_REQUIRE_TORCH_MODELS(dir);
  for (const char* variant : {"evil_system", "evil_eval"}) {
    SCOPED_TRACE(variant);
    const fs::path marker = dir / variant / "executed";
    Status s = convert(dir / variant);
    ASSERT_FALSE(s.is_ok());
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    // os.system pickles as posix.system on Linux; eval, at torch.save's protocol 2, as
    // __builtin__.eval (Python 2's name for the module).
    const std::string global =
        std::string(variant) == "evil_system" ? "'posix.system'" : "'__builtin__.eval'";
    EXPECT_NE(s.message().find("refusing global " + global), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("nothing was executed"), std::string::npos) << s.message();
    EXPECT_FALSE(fs::exists(marker)) << "the pickle's command ran";
    EXPECT_FALSE(fs::exists(out_ / "m.gguf"));
  }
}

TEST_F(ConvertErrors, MissingConfigKeyIsNamed) {
  LIFTOFF_REQUIRE_TORCH_MODELS(dir);
  const fs::path v = variant_with_config(dir / "llama_st", [](auto& c) { c.erase("hidden_size"); });
  Status s = convert(v);
  EXPECT_EQ(s.code(), StatusCode::kCorruptData);
  EXPECT_NE(s.message().find("config.json has no 'hidden_size'"), std::string::npos) << s.message();
  EXPECT_FALSE(fs::exists(out_ / "m.gguf"));
}

TEST_F(ConvertErrors, ConfigThatDisagreesWithTheWeightsNamesTheTensor) {
  LIFTOFF_REQUIRE_TORCH_MODELS(dir);
  const fs::path v =
      variant_with_config(dir / "llama_st", [](auto& c) { c["intermediate_size"] = 96; });
  Status s = convert(v);
  EXPECT_EQ(s.code(), StatusCode::kCorruptData);
  EXPECT_NE(s.message().find("tensor 'model.layers.0.mlp.gate_proj.weight' has shape [128, 64] "
                             "but config.json implies [96, 64]"),
            std::string::npos)
      << s.message();
}

TEST_F(ConvertErrors, MoreLayersThanTheCheckpointHoldsIsAMissingTensor) {
  LIFTOFF_REQUIRE_TORCH_MODELS(dir);
  const fs::path v =
      variant_with_config(dir / "llama_st", [](auto& c) { c["num_hidden_layers"] = 3; });
  Status s = convert(v);
  EXPECT_NE(s.message().find("no tensor for 'blk.2.attn_norm.weight'"), std::string::npos)
      << s.message();
}

TEST_F(ConvertErrors, UnsupportedArchitectureAndRopeScalingAreRefused) {
  LIFTOFF_REQUIRE_TORCH_MODELS(dir);
  fs::path v = variant_with_config(dir / "llama_st",
                                   [](auto& c) { c["architectures"] = {"GPT2LMHeadModel"}; });
  Status s = convert(v);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("architecture 'GPT2LMHeadModel' is not supported"), std::string::npos)
      << s.message();
  fs::remove_all(v);
  v = variant_with_config(dir / "llama_st", [](auto& c) {
    c["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}};
  });
  s = convert(v);
  EXPECT_NE(s.message().find("rope_scaling"), std::string::npos) << s.message();
}

TEST_F(ConvertErrors, MissingTokenizerAndConfigAreNotFound) {
  LIFTOFF_REQUIRE_TORCH_MODELS(dir);
  const fs::path v = out_ / "no_tok";
  fs::copy(dir / "llama_st", v, fs::copy_options::recursive);
  fs::remove(v / "tokenizer.json");
  Status s = convert(v);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("pass --tokenizer"), std::string::npos) << s.message();
  fs::remove(v / "config.json");
  s = convert(v);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("pass --config"), std::string::npos) << s.message();
}

TEST_F(ConvertErrors, ShardIndexThatLiesIsRefused) {
  LIFTOFF_REQUIRE_TORCH_MODELS(dir);
  const fs::path v = out_ / "sharded";
  fs::copy(dir / "llama_sharded", v, fs::copy_options::recursive);
  nlohmann::json index = nlohmann::json::parse(std::ifstream(v / "model.safetensors.index.json"));
  index["weight_map"]["model.norm.weight"] = "model-00001-of-00002.safetensors";
  std::ofstream(v / "model.safetensors.index.json") << index.dump();
  Status s = convert(v);
  EXPECT_EQ(s.code(), StatusCode::kCorruptData);
  EXPECT_NE(s.message().find("'model.norm.weight' is in model-00002-of-00002.safetensors but "
                             "the index says model-00001-of-00002.safetensors"),
            std::string::npos)
      << s.message();
  index["weight_map"]["model.norm.weight"] = "../../etc/passwd";
  std::ofstream(v / "model.safetensors.index.json") << index.dump();
  s = convert(v);
  EXPECT_NE(s.message().find("is not a file name"), std::string::npos) << s.message();
}

TEST_F(ConvertErrors, BadOutputFolderFailsBeforeConverting) {
  LIFTOFF_REQUIRE_TORCH_MODELS(dir);
  Status s = convert(dir / "llama_st", out_ / "missing" / "m.gguf");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("does not exist"), std::string::npos) << s.message();
  EXPECT_FALSE(fs::exists(out_ / "missing"));
  if (::geteuid() != 0) {  // root may write anywhere
    fs::create_directories(out_ / "ro");
    fs::permissions(out_ / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    s = convert(dir / "llama_st", out_ / "ro" / "m.gguf");
    EXPECT_NE(s.message().find("is not writable"), std::string::npos) << s.message();
    EXPECT_TRUE(fs::is_empty(out_ / "ro"));
  }
}

TEST_F(ConvertErrors, GgufInputAndMissingInputAreRefused) {
  Status s = convert(testing::models_dir() / "gguf" / "stories260K-f32.gguf");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("is already a GGUF file"), std::string::npos) << s.message();
  s = convert(out_ / "nothing-here");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
}

TEST_F(ConvertErrors, OnlyWeightFileTypesAreAccepted) {
  ConvertOptions o;
  o.input = testing::models_dir() / "llama2c" / "stories260K.bin";
  o.output = out_ / "m.gguf";
  o.dtype = kernels::DType::kQ4_K;
  Result<ConvertReport> r = convert_model(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("F32, F16, BF16 or Q8_0"), std::string::npos);
}

}  // namespace
}  // namespace liftoff::tooling
