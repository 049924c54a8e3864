// Golden test: the llama2.c checkpoints, read directly and after `liftoff convert` to GGUF,
// reproduce run.c's greedy token ids from ../shared/models/llama2c/*.greedy.txt.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <unistd.h>
#include <sstream>
#include <string>
#include <vector>

#include "liftoff/base/thread_pool.h"
#include "liftoff/engine/generate.h"
#include "liftoff/formats/open_model.h"
#include "liftoff/tooling/convert.h"
#include "test_data.h"

namespace liftoff {
namespace {

struct RunCCase {
  std::string prompt;
  int64_t steps = 0;
  std::vector<int32_t> prompt_ids;
  std::vector<int32_t> generated_ids;
};

std::vector<int32_t> parse_ids(const std::string& s) {
  std::istringstream in(s);
  std::vector<int32_t> ids;
  for (int32_t id; in >> id;) ids.push_back(id);
  return ids;
}

std::vector<RunCCase> parse_golden(const std::string& text) {
  std::vector<RunCCase> cases;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    auto value = [&](const char* key) -> const char* {
      const size_t n = std::strlen(key);
      return line.compare(0, n, key) == 0 ? line.c_str() + n : nullptr;
    };
    if (line.rfind("[case", 0) == 0) cases.emplace_back();
    if (cases.empty()) continue;
    if (const char* v = value("prompt: ")) {
      cases.back().prompt = std::string(v) == "(empty string)" ? "" : v;
    } else if (const char* v = value("steps: ")) {
      cases.back().steps = std::stoll(v);
    } else if (const char* v = value("prompt_ids: ")) {
      cases.back().prompt_ids = parse_ids(v);
    } else if (const char* v = value("generated_ids: ")) {
      cases.back().generated_ids = parse_ids(v);
    }
  }
  return cases;
}

class Llama2cGolden : public ::testing::TestWithParam<std::pair<const char*, const char*>> {
 protected:
  // run.c's cases for the checkpoint, or a failure naming the missing golden file.
  std::vector<RunCCase> golden_cases() {
    const std::string stem = std::filesystem::path(GetParam().first).stem().string();
    const auto path = testing::models_dir() / "llama2c" / (stem + ".greedy.txt");
    bool ok = false;
    auto cases = parse_golden(testing::read_file(path, &ok));
    EXPECT_TRUE(ok) << "missing " << path;
    EXPECT_FALSE(cases.empty());
    return cases;
  }

  // Greedy decoding of `file` reproduces every case's prompt ids and generated ids.
  void expect_greedy_matches(formats::ModelFile file, const std::vector<RunCCase>& cases) {
    auto tok = tokenizer::Tokenizer::from_model_file(file);
    ASSERT_TRUE(tok.ok()) << tok.status().to_string();
    auto model = model::Model::from_file(std::move(file));
    ASSERT_TRUE(model.ok()) << model.status().to_string();
    base::ThreadPool pool(2);
    for (const auto& c : cases) {
      SCOPED_TRACE("prompt: '" + c.prompt + "'");
      EXPECT_EQ(tok->encode(c.prompt, true, true), c.prompt_ids);
      auto runner = engine::SequenceRunner::create(*model, pool, c.steps, 64);
      ASSERT_TRUE(runner.ok());
      engine::GenerateOptions opts;
      opts.sampling.temperature = 0.0f;
      // run.c: `steps` positions in all, and it stops when it samples BOS (id 1).
      opts.max_tokens = c.steps - static_cast<int64_t>(c.prompt_ids.size()) + 1;
      std::vector<int32_t> got;
      engine::GenerateCallbacks cb;
      cb.on_token = [&](const engine::SampledToken& t) {
        if (t.token == 1) return false;
        got.push_back(t.token);
        return static_cast<int64_t>(got.size()) < static_cast<int64_t>(c.generated_ids.size());
      };
      auto out = engine::generate(*runner, *tok, c.prompt_ids, opts, cb);
      ASSERT_TRUE(out.ok()) << out.status().to_string();
      EXPECT_EQ(got, c.generated_ids);
    }
  }
};

TEST_P(Llama2cGolden, GreedyIdsMatchRunC) {
  const auto [checkpoint, tokenizer_file] = GetParam();
  const auto cases = golden_cases();
  const auto dir = testing::models_dir() / "llama2c";
  auto file = formats::open_model_file(dir / checkpoint, dir / tokenizer_file);
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  expect_greedy_matches(std::move(*file), cases);
}

// `liftoff convert` of the checkpoint (F32 GGUF) decodes exactly like run.c too.
TEST_P(Llama2cGolden, ConvertedGgufGreedyIdsMatchRunC) {
  const auto [checkpoint, tokenizer_file] = GetParam();
  const auto cases = golden_cases();
  const auto dir = testing::models_dir() / "llama2c";
  const auto out = std::filesystem::temp_directory_path() /
                   ("liftoff_llama2c_convert_" + std::to_string(::getpid()) + ".gguf");
  tooling::ConvertOptions o;
  o.input = dir / checkpoint;
  o.tokenizer = dir / tokenizer_file;
  o.output = out;
  auto report = tooling::convert_model(o);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_EQ(report->source, "llama2.c");
  auto file = formats::open_model_file(out);
  std::filesystem::remove(out);  // the mapping stays valid after unlink
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  EXPECT_EQ(file->version, 3u);
  expect_greedy_matches(std::move(*file), cases);
}

INSTANTIATE_TEST_SUITE_P(Checkpoints, Llama2cGolden,
                         ::testing::Values(std::make_pair("stories260K.bin", "tok512.bin"),
                                           std::make_pair("aidreams260K.bin", "aidreams-tok512.bin")),
                         [](const auto& info) {
                           return std::string(info.param.first).substr(0, 8);
                         });

}  // namespace
}  // namespace liftoff
