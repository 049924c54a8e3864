// Integration tests of the `liftoff` binary: real processes, real shared models. Every subcommand
// must give clear errors and a non-zero exit on bad input, and the happy paths must produce what
// the README promises.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <sys/wait.h>

#include "cli/liftoff_process.h"
#include "test_data.h"

namespace liftoff {
namespace {

using testing::ProcessResult;

// Runs `liftoff ARGS` with stdout and stderr captured separately.
ProcessResult run_liftoff(const std::string& args) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("liftoff_cli_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ProcessResult r = testing::run_liftoff(args, dir);
  std::filesystem::remove_all(dir);
  return r;
}

std::string model(const char* stem) {
  return (testing::models_dir() / "gguf" / (std::string(stem) + ".gguf")).string();
}

TEST(Cli, RunGreedyIsTheReferenceContinuation) {
  auto r = run_liftoff("run -m " + model("stories260K-f32") +
                       " -p 'Once upon a time' -n 32 --temp 0 -t 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Greedy text from ../shared/reference/greedy-stories260K-f32.json, prompt echoed first.
  EXPECT_EQ(r.out,
            "Once upon a time, there was a little girl named Lily. She loved to play outside in "
            "the park. One day, she saw\n");
  EXPECT_NE(r.err.find("tok/s"), std::string::npos);
}

TEST(Cli, SameSeedSameText) {
  const std::string args = "run -m " + model("stories260K-q8_0") +
                           " -p 'The little dog' -n 24 --temp 1 --seed 7 --no-display-prompt";
  auto a = run_liftoff(args), b = run_liftoff(args);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_FALSE(a.out.empty());
}

TEST(Cli, RunsLlama2cCheckpointDirectly) {
  const auto dir = testing::models_dir() / "llama2c";
  auto r = run_liftoff("run -m " + (dir / "stories260K.bin").string() + " --tokenizer " +
                       (dir / "tok512.bin").string() + " -p 'Once upon a time' -n 8 --temp 0");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Once upon a time, there was a little girl\n");
}

TEST(Cli, BenchJsonHasLlamaBenchFields) {
  auto r = run_liftoff("bench -m " + model("stories260K-q8_0") + " -p 16 -n 8 -r 2 -t 2 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 2u);
  for (const auto& row : j) {
    for (const char* key : {"n_prompt", "n_gen", "n_threads", "avg_ts", "stddev_ts", "type"}) {
      EXPECT_TRUE(row.contains(key)) << key;
    }
    EXPECT_GT(row["avg_ts"].get<double>(), 0.0);
    EXPECT_EQ(row["n_threads"].get<int>(), 2);
    EXPECT_EQ(row["samples_ts"].size(), 2u);
  }
  EXPECT_EQ(j[0]["n_prompt"].get<int>(), 16);
  EXPECT_EQ(j[1]["n_gen"].get<int>(), 8);
}

TEST(Cli, PerplexityMatchesReference) {
  const auto text = (testing::reference_dir() / "ppl.txt").string();
  auto r = run_liftoff("perplexity -m " + model("stories260K-f32") + " -f " + text +
                       " -c 128 -b 128 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["n_chunks"].get<int>(), 6);
  EXPECT_NEAR(j["ppl"].get<double>(), 3.4047, 0.01 * 3.4047);
}

struct BadInvocation {
  const char* name;
  std::string args;
  const char* expected_in_stderr;
};

class CliErrors : public ::testing::TestWithParam<BadInvocation> {};

TEST_P(CliErrors, ClearMessageAndNonZeroExit) {
  auto r = run_liftoff(GetParam().args);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(GetParam().expected_in_stderr), std::string::npos) << r.err;
}

const std::string kTiny = model("stories260K-f32");

void PrintTo(const BadInvocation& b, std::ostream* os) { *os << b.name; }

INSTANTIATE_TEST_SUITE_P(
    All, CliErrors,
    ::testing::Values(
        BadInvocation{"NoSubcommand", "", "subcommand"},
        BadInvocation{"UnknownFlag", "run --bogus", "bogus"},
        BadInvocation{"MissingModel", "run -m /nonexistent/model.gguf -p hi", "not found"},
        BadInvocation{"NotAModel", "run -m " + testing::reference_dir().string() + "/ppl.txt -p hi",
                      "neither a GGUF"},
        BadInvocation{"DirectoryAsModel", "run -m /tmp -p hi", "directory"},
        BadInvocation{"NegativeTemperature", "run -m " + kTiny + " -p hi --temp -1", "temperature"},
        BadInvocation{"TopPOutOfRange", "run -m " + kTiny + " -p hi --top-p 1.5", "top_p"},
        BadInvocation{"NotANumber", "run -m " + kTiny + " -p hi -n many", "many"},
        BadInvocation{"PromptLongerThanContext", "run -m " + kTiny + " -p 'a b c d e f g' -c 4",
                      "context"},
        BadInvocation{"BenchNothingToDo", "bench -m " + kTiny + " -p 0 -n 0", "nothing to measure"},
        BadInvocation{"PerplexityNeedsFile", "perplexity -m " + kTiny, "--file"},
        BadInvocation{"PerplexityMissingFile", "perplexity -m " + kTiny + " -f /nonexistent.txt",
                      "not found"},
        BadInvocation{"PerplexityTextTooShort",
                      "perplexity -m " + kTiny + " -f /etc/hostname -c 512", "fewer than one chunk"},
        BadInvocation{"BadLogLevel", "--log-level loud run -m " + kTiny + " -p hi", "loud"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace liftoff
