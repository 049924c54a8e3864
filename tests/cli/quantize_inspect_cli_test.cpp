// `liftoff quantize` and `liftoff inspect` as processes: the per-tensor report, the output file
// that loads, --json that parses, and clear errors with a non-zero exit that leave no output file.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/liftoff_process.h"
#include "test_data.h"

namespace liftoff {
namespace {

namespace fs = std::filesystem;

using testing::ProcessResult;

class QuantizeInspectCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("liftoff_qi_cli_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  ProcessResult run(const std::string& args) const { return testing::run_liftoff(args, dir_); }

  static std::string model(const char* stem) {
    return (testing::models_dir() / "gguf" / (std::string(stem) + ".gguf")).string();
  }

  fs::path dir_;
};

TEST_F(QuantizeInspectCli, QuantizeReportsEveryTensorAndTheOutputInspects) {
  const std::string out = (dir_ / "q4k.gguf").string();
  ProcessResult q = run("quantize " + model("stories260K-f32") + " " + out +
                        " --type q4_k --keep f16:output -t 2");
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_NE(q.out.find("blk.0.attn_q.weight"), std::string::npos) << q.out;
  EXPECT_NE(q.out.find("F32 -> Q5_0"), std::string::npos) << q.out;
  EXPECT_NE(q.out.find("fallback: Q4_K blocks do not divide rows of 64"), std::string::npos);
  EXPECT_NE(q.out.find("(--keep)"), std::string::npos);
  EXPECT_NE(q.out.find("wrote " + out + ": Q4_K_M"), std::string::npos) << q.out;
  EXPECT_NE(q.err.find("fallback type"), std::string::npos) << q.err;

  ProcessResult i = run("inspect " + out + " --json");
  ASSERT_EQ(i.exit_code, 0) << i.err;
  const nlohmann::json j = nlohmann::json::parse(i.out);
  EXPECT_EQ(j["file_type_name"], "Q4_K_M");
  EXPECT_EQ(j["tensor_types"]["F16"]["tensors"], 6);  // output + 5 x ffn_down
  EXPECT_TRUE(j["tensor_types"].contains("Q5_0"));

  ProcessResult text = run("inspect " + out + " --ctx 256 --parallel 4");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("memory plan:     ctx 256 x parallel 4"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("liftoff runs on the CPU"), std::string::npos);
}

TEST_F(QuantizeInspectCli, QuantizeErrorsLeaveNothingBehind) {
  const std::string out = (dir_ / "out.gguf").string();
  ProcessResult r = run("quantize " + model("stories260K-f32") + " " + out + " --type Q3_X");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown --type 'Q3_X'"), std::string::npos) << r.err;

  r = run("quantize /nonexistent/in.gguf " + out + " --type Q8_0");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not found"), std::string::npos) << r.err;

  r = run("quantize " + model("stories260K-f32") + " " + (dir_ / "missing" / "o.gguf").string() +
          " --type Q8_0");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;

  r = run("quantize " + model("stories260K-f32") + " " + out + " --type Q8_0 --keep f16");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("TYPE:name1,name2"), std::string::npos) << r.err;

  r = run("quantize " + model("stories260K-f32") + " " + out + " --type Q8_0 --keep f16:outptu");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("matches no weight matrix"), std::string::npos) << r.err;

  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(QuantizeInspectCli, InspectErrors) {
  ProcessResult r = run("inspect /nonexistent/model.gguf");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not found"), std::string::npos) << r.err;
  r = run("inspect " + (testing::reference_dir() / "ppl.txt").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("liftoff inspect:"), std::string::npos) << r.err;
  r = run("inspect " + model("stories260K-f32") + " --parallel 0");
  EXPECT_NE(r.exit_code, 0);
}

}  // namespace
}  // namespace liftoff
