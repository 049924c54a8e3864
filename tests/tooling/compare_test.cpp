// liftoff compare on the shared stories260K files: a model against itself is KL 0 / agreement 1,
// F32 against the mixed Q4_0 file diverges a little, and foreign vocabularies are refused.
#include "liftoff/tooling/compare.h"

#include <gtest/gtest.h>

#include <memory>

#include "liftoff/tooling/perplexity.h"
#include "test_data.h"
#include "tooling/loaded_model.h"

namespace liftoff::tooling {
namespace {

using Loaded = testing::LoadedModel;

Loaded load(const char* stem) {
  return testing::load_model(testing::models_dir() / "gguf" / (std::string(stem) + ".gguf"));
}

class CompareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    text_ = testing::read_file(testing::reference_dir() / "ppl.txt");
    ASSERT_FALSE(text_.empty()) << "missing " << testing::reference_dir() / "ppl.txt";
  }
  std::string text_;
  base::ThreadPool pool_{2};
  CompareOptions options_{128, 128};
};

TEST_F(CompareTest, ModelAgainstItselfHasNoDivergence) {
  Loaded a = load("stories260K-f32"), b = load("stories260K-f32");
  ASSERT_TRUE(a.model && b.model);
  auto r = compare_models(*a.model, *b.model, *a.tok, text_, options_, pool_);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->n_chunks, 6);
  EXPECT_EQ(r->n_scored, 6 * 63);  // positions 64..126 of each 128-token chunk
  EXPECT_EQ(r->kl_mean, 0.0);
  EXPECT_EQ(r->kl_max, 0.0);
  EXPECT_EQ(r->top1_agreement, 1.0);
  EXPECT_EQ(r->ppl_a, r->ppl_b);
  // The same chunks as llama-perplexity: ../shared/reference/perplexity.json says 3.4047.
  EXPECT_NEAR(r->ppl_a, 3.4047, 0.01 * 3.4047);
}

TEST_F(CompareTest, QuantizedModelDivergesALittle) {
  Loaded a = load("stories260K-f32"), b = load("stories260K-q4_0");
  ASSERT_TRUE(a.model && b.model);
  ASSERT_TRUE(check_same_vocab(*a.tok, *b.tok).is_ok());
  auto r = compare_models(*a.model, *b.model, *a.tok, text_, options_, pool_);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_GT(r->kl_mean, 0.0);
  EXPECT_LT(r->kl_mean, 0.5);  // still the same model: a fraction of a nat at most
  EXPECT_LE(r->kl_median, r->kl_p99);
  EXPECT_LE(r->kl_p99, r->kl_max);
  EXPECT_LT(r->top1_agreement, 1.0);
  EXPECT_GT(r->top1_agreement, 0.8);
  // ppl_b is what `liftoff perplexity` reports for B with the same chunks, up to rounding:
  // perplexity subtracts the largest logit in float, compare in double.
  auto ppl_b = perplexity(*b.model, *b.tok, text_, {128, 128}, pool_);
  ASSERT_TRUE(ppl_b.ok());
  EXPECT_NEAR(r->ppl_b, ppl_b->ppl, 1e-7 * ppl_b->ppl);
  EXPECT_NEAR(r->ppl_b, 3.5742, 0.02 * 3.5742);  // llama.cpp's q4_0 value
}

TEST_F(CompareTest, DifferentVocabulariesAreRefused) {
  Loaded a = load("stories260K-f32"), b = load("aidreams260K-f32");
  ASSERT_TRUE(a.tok && b.tok);
  // Both have 512 tokens, but not the same ones.
  const Status st = check_same_vocab(*a.tok, *b.tok);
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("different vocabularies"), std::string::npos) << st.to_string();
  EXPECT_NE(st.message().find("token "), std::string::npos);
}

TEST_F(CompareTest, TextShorterThanAChunkIsAnError) {
  Loaded a = load("stories260K-f32");
  ASSERT_TRUE(a.model);
  auto r = compare_models(*a.model, *a.model, *a.tok, "Once upon a time", options_, pool_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("fewer than one chunk"), std::string::npos);
}

}  // namespace
}  // namespace liftoff::tooling
