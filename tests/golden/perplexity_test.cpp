// Golden test: perplexity on ../shared/reference/ppl.txt within 1 % of llama-perplexity's value
// for every shared GGUF (same method: -c 128 -b 128).
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "liftoff/base/thread_pool.h"
#include "liftoff/formats/open_model.h"
#include "liftoff/tooling/perplexity.h"
#include "test_data.h"

namespace liftoff {
namespace {

TEST(PerplexityGolden, WithinOnePercentOfLlamaCpp) {
  bool ok = false;
  const auto ref_text = testing::read_file(testing::reference_dir() / "perplexity.json", &ok);
  ASSERT_TRUE(ok) << "missing " << testing::reference_dir() / "perplexity.json";
  const std::string text = testing::read_file(testing::reference_dir() / "ppl.txt", &ok);
  ASSERT_TRUE(ok) << "missing " << testing::reference_dir() / "ppl.txt";
  const auto ref = nlohmann::json::parse(ref_text);
  base::ThreadPool pool(2);
  ASSERT_FALSE(ref["results"].empty());
  for (const auto& r : ref["results"]) {
    // "models/gguf/x.gguf" relative to shared/
    const auto model_path = testing::models_dir().parent_path() / r["model"].get<std::string>();
    SCOPED_TRACE(model_path.string());
    auto file = formats::open_model_file(model_path);
    ASSERT_TRUE(file.ok()) << file.status().to_string();
    auto tok = tokenizer::Tokenizer::from_model_file(*file);
    ASSERT_TRUE(tok.ok()) << tok.status().to_string();
    auto model = model::Model::from_file(std::move(*file));
    ASSERT_TRUE(model.ok()) << model.status().to_string();
    tooling::PerplexityOptions opts;
    opts.n_ctx = r["n_ctx"].get<int64_t>();
    opts.n_batch = opts.n_ctx;
    auto result = tooling::perplexity(*model, *tok, text, opts, pool);
    ASSERT_TRUE(result.ok()) << result.status().to_string();
    const double expected = r["ppl"].get<double>();
    EXPECT_EQ(result->n_chunks, r["n_chunks"].get<int64_t>());
    EXPECT_NEAR(result->ppl, expected, 0.01 * expected);
    std::printf("[ golden   ] %s: ppl %.4f (llama.cpp %.4f, %+.3f%%)\n",
                model_path.filename().c_str(), result->ppl, expected,
                100.0 * (result->ppl - expected) / expected);
  }
}

}  // namespace
}  // namespace liftoff
