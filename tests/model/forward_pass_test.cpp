// ForwardPass invariants on the real stories260K model: chunking, batching with other sequences
// and the placement of KV blocks must not change a sequence's logits.
#include "liftoff/model/forward_pass.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "liftoff/formats/open_model.h"
#include "test_data.h"

namespace liftoff::model {
namespace {

class ForwardPassTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto path = testing::models_dir() / "gguf" / "stories260K-f32.gguf";
    auto file = formats::open_model_file(path);
    ASSERT_TRUE(file.ok()) << file.status().to_string();
    auto m = Model::from_file(std::move(*file));
    ASSERT_TRUE(m.ok()) << m.status().to_string();
    model_ = std::make_unique<Model>(std::move(*m));
    auto cache = KvCache::create({model_->hparams().n_layer, model_->hparams().kv_dim(), 4, 64});
    ASSERT_TRUE(cache.ok());
    cache_ = std::make_unique<KvCache>(std::move(*cache));
  }

  // Logits after the last token of `tokens`, evaluated in chunks of `chunk` tokens.
  std::vector<float> run_chunked(const std::vector<int32_t>& tokens, size_t chunk,
                                 const std::vector<int32_t>& blocks) {
    ForwardPass fp(*model_, pool_, 64, 256);
    std::vector<float> last;
    for (size_t start = 0; start < tokens.size(); start += chunk) {
      const size_t n = std::min(chunk, tokens.size() - start);
      Batch b;
      b.sequences.push_back({std::span(tokens).subspan(start, n), static_cast<int64_t>(start),
                             blocks, Outputs::kLast});
      auto logits = fp.run(b, *cache_);
      EXPECT_TRUE(logits.ok()) << logits.status().to_string();
      if (!logits.ok()) return {};
      last.assign(logits->begin(), logits->end());
    }
    return last;
  }

  base::ThreadPool pool_{2};
  std::unique_ptr<Model> model_;
  std::unique_ptr<KvCache> cache_;
};

const std::vector<int32_t> kPromptA = {1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421};
const std::vector<int32_t> kPromptB = {1, 346, 306, 414, 263, 304, 341};

void expect_close(const std::vector<float>& a, const std::vector<float>& b) {
  ASSERT_EQ(a.size(), b.size());
  float worst = 0, largest = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::abs(a[i] - b[i]));
    largest = std::max(largest, std::abs(a[i]));
  }
  // Only the order of float sums may differ between the two evaluations (each batch size picks
  // its own kernels, e.g. float weights with 32+ tokens sum each dot product in one chain, fewer
  // tokens in 8 lanes). The K/V cache then rounds to f16, where a last-bit difference can become
  // one f16 step (1e-3 relative) and travel on.
  EXPECT_LT(worst, 5e-4f * largest) << "largest |logit| " << largest;
}

TEST_F(ForwardPassTest, ChunkedPrefillEqualsOneShot) {
  std::vector<int32_t> blocks(16);
  std::iota(blocks.begin(), blocks.end(), 0);
  auto one_shot = run_chunked(kPromptA, kPromptA.size(), blocks);
  auto chunked = run_chunked(kPromptA, 5, blocks);
  auto token_by_token = run_chunked(kPromptA, 1, blocks);
  ASSERT_EQ(one_shot.size(), static_cast<size_t>(model_->hparams().n_vocab));
  expect_close(one_shot, chunked);
  expect_close(one_shot, token_by_token);
}

TEST_F(ForwardPassTest, BlockPlacementAndBatchingDoNotChangeLogits) {
  std::vector<int32_t> identity(16);
  std::iota(identity.begin(), identity.end(), 0);
  auto alone_a = run_chunked(kPromptA, kPromptA.size(), identity);
  auto alone_b = run_chunked(kPromptB, kPromptB.size(), identity);

  // Both sequences in one batch, with interleaved, non-contiguous blocks.
  const std::vector<int32_t> blocks_a = {9, 2, 30, 4};
  const std::vector<int32_t> blocks_b = {17, 1};
  ForwardPass fp(*model_, pool_, 64, 256);
  Batch b;
  b.sequences.push_back({kPromptA, 0, blocks_a, Outputs::kLast});
  b.sequences.push_back({kPromptB, 0, blocks_b, Outputs::kLast});
  auto logits = fp.run(b, *cache_);
  ASSERT_TRUE(logits.ok()) << logits.status().to_string();
  const size_t v = static_cast<size_t>(model_->hparams().n_vocab);
  ASSERT_EQ(logits->size(), 2 * v);
  expect_close(alone_a, std::vector<float>(logits->begin(), logits->begin() + v));
  expect_close(alone_b, std::vector<float>(logits->begin() + v, logits->end()));
}

TEST_F(ForwardPassTest, DecodeStepAndPrefillMixInOneBatch) {
  std::vector<int32_t> identity(16);
  std::iota(identity.begin(), identity.end(), 0);
  auto alone_a = run_chunked(kPromptA, kPromptA.size(), identity);
  auto alone_b = run_chunked(kPromptB, kPromptB.size(), identity);

  // A's prompt minus its last token is already cached (blocks 20..); then one batch carries A's
  // decode step and B's whole prefill (blocks 40..).
  const std::vector<int32_t> blocks_a = {20, 21, 22, 23};
  const std::vector<int32_t> blocks_b = {40, 41};
  ForwardPass fp(*model_, pool_, 64, 256);
  const std::span<const int32_t> a(kPromptA);
  Batch warm;
  warm.sequences.push_back({a.first(a.size() - 1), 0, blocks_a, Outputs::kNone});
  ASSERT_TRUE(fp.run(warm, *cache_).ok());
  Batch mixed;
  mixed.sequences.push_back({a.last(1), static_cast<int64_t>(a.size() - 1), blocks_a, Outputs::kLast});
  mixed.sequences.push_back({kPromptB, 0, blocks_b, Outputs::kLast});
  auto logits = fp.run(mixed, *cache_);
  ASSERT_TRUE(logits.ok()) << logits.status().to_string();
  const size_t v = static_cast<size_t>(model_->hparams().n_vocab);
  ASSERT_EQ(logits->size(), 2 * v);
  expect_close(alone_a, std::vector<float>(logits->begin(), logits->begin() + v));
  expect_close(alone_b, std::vector<float>(logits->begin() + v, logits->end()));
}

TEST_F(ForwardPassTest, AllOutputsMatchPerTokenLogits) {
  std::vector<int32_t> blocks(16);
  std::iota(blocks.begin(), blocks.end(), 0);
  ForwardPass fp(*model_, pool_, 64, 256);
  Batch b;
  b.sequences.push_back({kPromptB, 0, blocks, Outputs::kAll});
  auto all = fp.run(b, *cache_);
  ASSERT_TRUE(all.ok());
  const size_t v = static_cast<size_t>(model_->hparams().n_vocab);
  ASSERT_EQ(all->size(), kPromptB.size() * v);
  std::vector<float> all_copy(all->begin(), all->end());
  for (size_t i = 1; i <= kPromptB.size(); ++i) {
    std::vector<int32_t> prefix(kPromptB.begin(), kPromptB.begin() + i);
    auto last = run_chunked(prefix, prefix.size(), blocks);
    expect_close(last, std::vector<float>(all_copy.begin() + (i - 1) * v, all_copy.begin() + i * v));
  }
}

TEST_F(ForwardPassTest, RejectsInvalidBatches) {
  ForwardPass fp(*model_, pool_, 8, 32);
  const std::vector<int32_t> blocks = {0, 1};
  const std::vector<int32_t> bad_token = {1, 512};
  Batch b1;
  b1.sequences.push_back({bad_token, 0, blocks, Outputs::kLast});
  auto r1 = fp.run(b1, *cache_);
  ASSERT_FALSE(r1.ok());
  EXPECT_NE(r1.status().message().find("512"), std::string::npos);

  const std::vector<int32_t> nine(9, 5);
  Batch b2;
  b2.sequences.push_back({nine, 0, {}, Outputs::kLast});
  EXPECT_FALSE(fp.run(b2, *cache_).ok());  // too many tokens for max_batch_tokens = 8

  const std::vector<int32_t> five(5, 5);
  const std::vector<int32_t> one_block = {0};
  Batch b3;
  b3.sequences.push_back({five, 0, one_block, Outputs::kLast});  // 5 positions, 4 slots
  EXPECT_FALSE(fp.run(b3, *cache_).ok());

  Batch b4;
  b4.sequences.push_back({five, 30, blocks, Outputs::kLast});  // beyond max_context 32
  EXPECT_FALSE(fp.run(b4, *cache_).ok());

  const std::vector<int32_t> out_of_pool = {0, 64};
  Batch b5;
  b5.sequences.push_back({five, 0, out_of_pool, Outputs::kLast});
  EXPECT_FALSE(fp.run(b5, *cache_).ok());
}

}  // namespace
}  // namespace liftoff::model
