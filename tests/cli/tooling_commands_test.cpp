// Integration tests of `liftoff prune`, `compare`, `distill-data` and `perplexity --stride`:
// the real binary on the shared stories260K files, happy paths and every bad-input path.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "cli/liftoff_process.h"
#include "test_data.h"

namespace liftoff {
namespace {

namespace fs = std::filesystem;

using testing::ProcessResult;

class ToolingCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("liftoff_tooling_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  ProcessResult liftoff(const std::string& args) { return testing::run_liftoff(args, dir_); }

  std::string write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return (dir_ / name).string();
  }

  static std::string model(const char* stem) {
    return (testing::models_dir() / "gguf" / (std::string(stem) + ".gguf")).string();
  }
  static std::string ppl_text() { return (testing::reference_dir() / "ppl.txt").string(); }

  fs::path dir_;
};

TEST_F(ToolingCli, PruneWritesAModelThatRuns) {
  const std::string out = (dir_ / "pruned.gguf").string();
  auto r = liftoff("prune " + model("stories260K-f32") + " " + out + " --ffn 0.25 --heads 0.25 " +
                   "--eval " + ppl_text() + " -c 128 --bench-gen 8 -r 1 -t 2 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["n_ff"], nlohmann::json({172, 129}));
  EXPECT_EQ(j["n_head"], nlohmann::json({8, 6}));
  EXPECT_EQ(j["n_head_kv"], nlohmann::json({4, 3}));
  EXPECT_LT(j["after"]["bytes"].get<double>(), j["before"]["bytes"].get<double>());
  EXPECT_NEAR(j["before"]["ppl"].get<double>(), 3.4047, 0.01 * 3.4047);
  EXPECT_GT(j["after"]["ppl"].get<double>(), 1.0);
  EXPECT_GT(j["after"]["decode_tok_s"].get<double>(), 0.0);
  auto run = liftoff("run -m " + out + " -p 'Once upon a time' -n 8 --temp 0 -t 2");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.rfind("Once upon a time", 0), 0u) << run.out;
}

TEST_F(ToolingCli, CompareModelWithItself) {
  auto r = liftoff("compare -m " + model("stories260K-f32") + " -m " + model("stories260K-f32") +
                   " -f " + ppl_text() + " -c 128 -t 2 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kl_mean"].get<double>(), 0.0);
  EXPECT_EQ(j["top1_agreement"].get<double>(), 1.0);
  EXPECT_EQ(j["n_chunks"], 6);
}

TEST_F(ToolingCli, DistillDataWritesOneLinePerPrompt) {
  const std::string prompts =
      write("p.jsonl", "{\"prompt\": \"Once upon a time\"}\n{\"prompt\": \"The dog\"}\n");
  const std::string out = (dir_ / "d.jsonl").string();
  auto r = liftoff("distill-data -m " + model("stories260K-f32") + " -f " + prompts + " -o " + out +
                   " -n 8 --top-k 3 -t 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out);
  int n = 0;
  for (std::string line; std::getline(in, line); ++n) {
    auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["token_ids"].size(), 8u);
    EXPECT_EQ(j["logprobs"]["content"][0]["top_logprobs"].size(), 3u);
  }
  EXPECT_EQ(n, 2);
}

TEST_F(ToolingCli, PerplexityStrideScoresEveryToken) {
  auto r = liftoff("perplexity -m " + model("stories260K-f32") + " -f " + ppl_text() +
                   " -c 128 --stride 64 -t 2 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["stride"], 64);
  EXPECT_GT(j["n_scored"].get<int>(), 700);
}

struct BadInvocation {
  const char* name;
  std::string args;
  const char* expected_in_stderr;
};

void PrintTo(const BadInvocation& b, std::ostream* os) { *os << b.name; }

class ToolingCliErrors : public ToolingCli, public ::testing::WithParamInterface<BadInvocation> {};

TEST_P(ToolingCliErrors, ClearMessageAndNonZeroExit) {
  write("bad.jsonl", "{\"prompt\": \"ok\"}\n{\"prompt\": \"unterminated\n");
  std::string args = GetParam().args;
  // BAD and OUT stand for files in this test's directory.
  for (auto [token, path] : {std::pair{"BAD", dir_ / "bad.jsonl"}, std::pair{"OUT", dir_ / "o"}}) {
    for (size_t at; (at = args.find(token)) != std::string::npos;)
      args.replace(at, 3, path.string());
  }
  auto r = liftoff(args);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(GetParam().expected_in_stderr), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "o")) << "no output may be left behind";
}

const std::string kF32 = (testing::models_dir() / "gguf/stories260K-f32.gguf").string();
const std::string kDreams = (testing::models_dir() / "gguf/aidreams260K-f32.gguf").string();
const std::string kText = (testing::reference_dir() / "ppl.txt").string();

INSTANTIATE_TEST_SUITE_P(
    All, ToolingCliErrors,
    ::testing::Values(
        BadInvocation{"PruneMissingInput", "prune /nonexistent.gguf OUT --ffn 0.25", "not found"},
        BadInvocation{"PruneFractionOne", "prune " + kF32 + " OUT --ffn 1.0", "[0, 1)"},
        BadInvocation{"PruneNegativeFraction", "prune " + kF32 + " OUT --ffn -0.1", "[0, 1)"},
        BadInvocation{"PruneAllHeads", "prune " + kF32 + " OUT --heads 0.9", "remove all"},
        BadInvocation{"PruneUnknownMethod", "prune " + kF32 + " OUT --method random", "random"},
        BadInvocation{"PruneActivationNeedsCalib", "prune " + kF32 + " OUT --method activation",
                      "--calib"},
        BadInvocation{"PruneMissingCalib", "prune " + kF32 + " OUT --calib /nonexistent.txt",
                      "not found"},
        BadInvocation{"PruneOntoItself", "prune " + kF32 + " " + kF32 + " --ffn 0.25",
                      "is the input file"},
        BadInvocation{"PruneOntoItselfByAnotherPath",
                      "prune " + kF32 + " " + (testing::models_dir() / "gguf/../gguf").string() +
                          "/stories260K-f32.gguf --ffn 0.25",
                      "is the input file"},
        BadInvocation{"CompareOneModel", "compare -m " + kF32 + " -f " + kText, "exactly two"},
        BadInvocation{"CompareVocabMismatch",
                      "compare -m " + kF32 + " -m " + kDreams + " -f " + kText,
                      "different vocabularies"},
        BadInvocation{"CompareMissingModel",
                      "compare -m " + kF32 + " -m /nonexistent.gguf -f " + kText, "not found"},
        BadInvocation{"CompareMissingText",
                      "compare -m " + kF32 + " -m " + kF32 + " -f /nonexistent", "not found"},
        BadInvocation{"DistillBadJsonl", "distill-data -m " + kF32 + " -f BAD -o OUT", "line 2"},
        BadInvocation{"DistillMissingPrompts",
                      "distill-data -m " + kF32 + " -f /nonexistent -o OUT", "not found"},
        BadInvocation{"DistillTopKTooBig", "distill-data -m " + kF32 + " -f BAD -o OUT --top-k 50",
                      "top-k"},
        BadInvocation{"PerplexityStrideTooLong",
                      "perplexity -m " + kF32 + " -f " + kText + " -c 128 --stride 200", "stride"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace liftoff
