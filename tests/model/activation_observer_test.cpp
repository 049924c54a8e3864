// ActivationObserver on stories260K: called once per layer with [n_tokens, q_dim] / [n_tokens,
// n_ff] rows, showing exactly the pre-projection activations, and without changing the logits.
#include "liftoff/model/activation_observer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "liftoff/formats/open_model.h"
#include "liftoff/kernels/elementwise.h"
#include "liftoff/model/forward_pass.h"
#include "test_data.h"

namespace liftoff::model {
namespace {

class Recorder : public ActivationObserver {
 public:
  void on_attention_heads(int64_t layer, std::span<const float> heads, size_t n) override {
    attn_layers.push_back(layer);
    attn_sizes.push_back(heads.size() / n);
    if (layer == 0) attn0.assign(heads.begin(), heads.end());
  }
  void on_ffn_hidden(int64_t layer, std::span<const float> hidden, size_t n) override {
    ffn_layers.push_back(layer);
    ffn_sizes.push_back(hidden.size() / n);
  }
  std::vector<int64_t> attn_layers, ffn_layers;
  std::vector<size_t> attn_sizes, ffn_sizes;
  std::vector<float> attn0;
};

TEST(ActivationObserver, SeesEveryLayerAndLeavesLogitsAlone) {
  auto file = formats::open_model_file(testing::models_dir() / "gguf" / "stories260K-f32.gguf");
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  auto m = Model::from_file(std::move(*file));
  ASSERT_TRUE(m.ok());
  const HParams& hp = m->hparams();
  base::ThreadPool pool(2);
  auto cache = KvCache::create({hp.n_layer, hp.kv_dim(), 16, 4});
  ASSERT_TRUE(cache.ok());
  const std::vector<int32_t> tokens = {1};  // BOS alone: attention of one position is its value
  const std::vector<int32_t> blocks = {0, 1, 2, 3};
  Batch batch;
  batch.sequences.push_back({tokens, 0, blocks, Outputs::kLast});

  ForwardPass plain(*m, pool, 8, 64);
  auto expected = plain.run(batch, *cache);
  ASSERT_TRUE(expected.ok());
  const std::vector<float> expected_logits(expected->begin(), expected->end());

  ForwardPass observed(*m, pool, 8, 64);
  Recorder rec;
  observed.set_observer(&rec);
  auto logits = observed.run(batch, *cache);
  ASSERT_TRUE(logits.ok());
  EXPECT_EQ(std::vector<float>(logits->begin(), logits->end()), expected_logits);
  EXPECT_EQ(rec.attn_layers, (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(rec.ffn_layers, (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(rec.attn_sizes, std::vector<size_t>(5, static_cast<size_t>(hp.q_dim())));
  EXPECT_EQ(rec.ffn_sizes, std::vector<size_t>(5, static_cast<size_t>(hp.n_ff)));

  // Layer 0, head h: W_v (rows of kv head h / 2) times the normalised BOS embedding.
  const auto& w = m->weights();
  const float* embd = static_cast<const float*>(w.token_embd.data) + 1 * hp.n_embd;
  std::vector<float> xn(hp.n_embd);
  kernels::rms_norm(embd, w.layers[0].attn_norm.data(), hp.rms_eps, xn.data(), hp.n_embd);
  const float* wv = static_cast<const float*>(w.layers[0].wv.data);
  ASSERT_EQ(rec.attn0.size(), static_cast<size_t>(hp.q_dim()));
  for (int64_t h = 0; h < hp.n_head; ++h) {
    const int64_t kv = h / (hp.n_head / hp.n_head_kv);
    for (int64_t i = 0; i < hp.head_dim; ++i) {
      double v = 0;
      for (int64_t c = 0; c < hp.n_embd; ++c)
        v += double(wv[(kv * hp.head_dim + i) * hp.n_embd + c]) * xn[c];
      // V goes through the F16 KV cache: a relative error of ~1e-3.
      EXPECT_NEAR(rec.attn0[h * hp.head_dim + i], v, 2e-3 * std::max(1.0, std::fabs(v)))
          << "head " << h << " dim " << i;
    }
  }
}

}  // namespace
}  // namespace liftoff::model
