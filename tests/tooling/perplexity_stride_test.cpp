// perplexity --stride (Hugging Face-style sliding windows) on stories260K: every token after the
// first is scored exactly once, a single window equals a direct evaluation, and more overlap
// (more context per token) lowers perplexity. The default (no stride) is checked against
// llama.cpp in tests/golden.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "liftoff/engine/sequence_runner.h"
#include "liftoff/tooling/perplexity.h"
#include "test_data.h"
#include "tooling/loaded_model.h"

namespace liftoff::tooling {
namespace {

class StrideTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::LoadedModel l =
        testing::load_model(testing::models_dir() / "gguf" / "stories260K-f32.gguf");
    ASSERT_TRUE(l.model);
    model_ = std::move(l.model);
    tok_ = std::move(l.tok);
    text_ = testing::read_file(testing::reference_dir() / "ppl.txt");
    ASSERT_FALSE(text_.empty());
    n_tokens_ = static_cast<int64_t>(tok_->encode(text_, true, false).size());
  }

  Result<PerplexityResult> run(int64_t n_ctx, int64_t stride, const std::string& text) {
    PerplexityOptions o;
    o.n_ctx = n_ctx;
    o.n_batch = n_ctx;
    o.stride = stride;
    return perplexity(*model_, *tok_, text, o, pool_);
  }

  std::unique_ptr<model::Model> model_;
  std::unique_ptr<tokenizer::Tokenizer> tok_;
  std::string text_;
  int64_t n_tokens_ = 0;
  base::ThreadPool pool_{2};
};

TEST_F(StrideTest, EveryTokenAfterTheFirstIsScoredOnce) {
  ASSERT_GT(n_tokens_, 700);
  auto r = run(128, 32, text_);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->n_scored, n_tokens_ - 1);
  // Windows start at 0, 32, ... until one reaches the end.
  EXPECT_EQ(r->n_chunks, (n_tokens_ - 128 + 31) / 32 + 1);
  EXPECT_EQ(static_cast<int64_t>(r->chunk_running_ppl.size()), r->n_chunks);
  // stride == ctx: disjoint windows, whose first tokens have no context and are not scored.
  auto disjoint = run(128, 128, text_);
  ASSERT_TRUE(disjoint.ok());
  EXPECT_EQ(disjoint->n_scored, n_tokens_ - disjoint->n_chunks);
}

TEST_F(StrideTest, OneWindowEqualsADirectEvaluation) {
  const std::string text = text_.substr(0, 600);
  const std::vector<int32_t> tokens = tok_->encode(text, true, false);
  ASSERT_LT(tokens.size(), 256u);
  auto runner = engine::SequenceRunner::create(*model_, pool_, 256, 256);
  ASSERT_TRUE(runner.ok());
  auto logits = runner->eval(tokens, model::Outputs::kAll);
  ASSERT_TRUE(logits.ok());
  double nll = 0;
  for (size_t t = 1; t < tokens.size(); ++t) {
    const float* row = logits->data() + (t - 1) * 512;
    double sum = 0;
    for (int i = 0; i < 512; ++i) sum += std::exp(static_cast<double>(row[i]));
    nll += std::log(sum) - row[tokens[t]];
  }
  const double expected = std::exp(nll / static_cast<double>(tokens.size() - 1));
  for (int64_t stride : {1, 100, 256}) {
    auto r = run(256, stride, text);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r->n_chunks, 1) << stride;
    EXPECT_NEAR(r->ppl, expected, 1e-6 * expected) << stride;
  }
}

TEST_F(StrideTest, OverlapGivesContextAndLowersPerplexity) {
  auto overlapping = run(128, 32, text_);
  auto disjoint = run(128, 128, text_);
  ASSERT_TRUE(overlapping.ok() && disjoint.ok());
  EXPECT_LT(overlapping->ppl, disjoint->ppl);
  // Scoring every token with at least 96 tokens of context beats llama.cpp's second halves
  // (at least 64): 3.4047 in ../shared/reference/perplexity.json.
  EXPECT_LT(overlapping->ppl, 3.4047);
}

TEST_F(StrideTest, StrideOutsideTheWindowIsRejected) {
  auto r = run(128, 129, text_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("stride"), std::string::npos);
  EXPECT_FALSE(run(128, -1, text_).ok());
}

}  // namespace
}  // namespace liftoff::tooling
