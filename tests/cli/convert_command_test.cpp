// `liftoff convert` as a process: the success line on stdout, the Q8_0 fallback note and the
// errors (one line on stderr, non-zero exit) for bad flags and inputs.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "cli/liftoff_process.h"
#include "test_data.h"

namespace liftoff {
namespace {

namespace fs = std::filesystem;

using CliRun = testing::ProcessResult;

class ConvertCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("liftoff_convert_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliRun run(const std::string& args) { return testing::run_liftoff("convert " + args, dir_); }

  fs::path dir_;
};

TEST_F(ConvertCommand, ConvertsALlama2cCheckpointAndReportsFallbacks) {
  const fs::path llama2c = testing::models_dir() / "llama2c";
  const CliRun r =
      run((llama2c / "stories260K.bin").string() + " --tokenizer " +
          (llama2c / "tok512.bin").string() + " -o " + (dir_ / "s.gguf").string() + " --type q8_0");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("llama from llama2.c, Q8_0, 48 tensors"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("5 tensor(s) stored as F16, not Q8_0: rows of 172 do not fill whole "
                       "32-element blocks"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(fs::is_regular_file(dir_ / "s.gguf"));
}

TEST_F(ConvertCommand, ErrorsAreOneLineAndNonZero) {
  const fs::path ckpt = testing::models_dir() / "llama2c" / "stories260K.bin";
  CliRun r = run(ckpt.string() + " -o " + (dir_ / "x.gguf").string() + " --type q4_k");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err,
            "liftoff convert: invalid argument: unknown --type 'q4_k' (one of f32, f16, "
            "bf16, q8_0)\n");
  r = run((dir_ / "missing.bin").string() + " -o " + (dir_ / "x.gguf").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("liftoff convert: not found: input"), std::string::npos) << r.err;
  r = run(ckpt.string() + " -o " + (dir_ / "no" / "x.gguf").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "x.gguf"));
}

}  // namespace
}  // namespace liftoff
