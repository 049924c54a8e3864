// liftoff prune: importance scores on hand-built matrices, unit counting, and pruned stories260K
// files (F32 and the mixed Q4_0 one) that must load, run and hold exactly the kept rows.
#include "liftoff/tooling/prune.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <vector>

#include "liftoff/engine/sequence_runner.h"
#include "liftoff/formats/open_model.h"
#include "liftoff/kernels/quantize.h"
#include "liftoff/tooling/synth.h"
#include "test_data.h"
#include "tooling/loaded_model.h"

namespace liftoff::tooling {
namespace {

namespace fs = std::filesystem;
using kernels::DType;

// ---- importance on hand-built matrices ----

TEST(PruneImportance, MagnitudeIsTheProductOfTheThreeNorms) {
  // n_ff = 4, n_embd = 2. Neuron 2 has tiny weights everywhere; neuron 0 has norms 5, 1 and 2.
  FloatMatrix gate{4, 2, {3, 4, 1, 1, 0.01f, 0, 2, 2}};
  FloatMatrix up{4, 2, {1, 0, 1, 1, 0, 0.01f, 1, 0}};
  FloatMatrix down{2,
                   4,
                   {0, 1, 0.01f, 1,  //
                    2, 1, 0, 1}};
  const std::vector<double> s = ffn_magnitude_importance(gate, up, down);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_NEAR(s[0], 5.0 * 1.0 * 2.0, 1e-9);
  EXPECT_NEAR(s[1], std::sqrt(2.0) * std::sqrt(2.0) * std::sqrt(2.0), 1e-6);
  EXPECT_LT(s[2], 1e-5);
  EXPECT_EQ(keep_most_important(s, 3), (std::vector<int64_t>{0, 1, 3}));
  EXPECT_EQ(keep_most_important(s, 1), (std::vector<int64_t>{0}));
}

TEST(PruneImportance, KeptIndicesAscendAndTiesPruneFromTheEnd) {
  const std::vector<double> s = {1.0, 3.0, 1.0, 2.0, 1.0};
  EXPECT_EQ(keep_most_important(s, 3), (std::vector<int64_t>{0, 1, 3}));
  EXPECT_EQ(keep_most_important(s, 5), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(keep_most_important(s, 0).empty());
}

TEST(PruneImportance, HeadGroupsScoreTheirValueAndOutputSlices) {
  // n_head 4, n_head_kv 2 (query heads 0,1 read kv head 0; 2,3 read kv head 1), head_dim 1,
  // n_embd 2. Group 1's output columns are zero: whatever its values, it contributes nothing.
  FloatMatrix wv{2, 2, {1, 0, 5, 5}};
  FloatMatrix wo{2,
                 4,
                 {1, 1, 0, 0,  //
                  1, 1, 0, 0}};
  const auto mag = head_group_magnitude_importance(wv, wo, 4, 2, 1);
  ASSERT_EQ(mag.size(), 2u);
  EXPECT_NEAR(mag[0], 1.0 * 2.0, 1e-9);  // ||wv row 0|| * ||wo cols 0..1||_F
  EXPECT_EQ(mag[1], 0.0);
  const std::vector<double> head_norms = {1.0, 0.5, 9.0, 9.0};
  const auto act = head_group_activation_importance(head_norms, wo, 4, 2, 1);
  EXPECT_NEAR(act[0], 1.0 * std::sqrt(2.0) + 0.5 * std::sqrt(2.0), 1e-9);
  EXPECT_EQ(act[1], 0.0);
}

TEST(PruneImportance, ActivationWeighsMeanActivityByTheDownColumn) {
  FloatMatrix down{2,
                   3,
                   {3, 0, 1,  //
                    4, 1, 0}};
  const std::vector<double> mean_abs = {0.1, 2.0, 0.0};
  const auto s = ffn_activation_importance(mean_abs, down);
  EXPECT_NEAR(s[0], 0.1 * 5.0, 1e-9);
  EXPECT_NEAR(s[1], 2.0, 1e-9);
  EXPECT_EQ(s[2], 0.0);
}

TEST(PruneUnits, RoundsAndRejectsBadFractions) {
  EXPECT_EQ(units_to_remove(0.25, 172, "x").value(), 43);
  EXPECT_EQ(units_to_remove(0.0, 172, "x").value(), 0);
  EXPECT_EQ(units_to_remove(0.01, 4, "x").value(), 1);  // a positive fraction removes something
  for (double bad : {1.0, -0.1, 1.5, std::nan("")}) {
    auto r = units_to_remove(bad, 172, "FFN neurons");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("[0, 1)"), std::string::npos) << r.status().to_string();
  }
  auto all = units_to_remove(0.9, 4, "KV head groups");  // round(3.6) = 4 of 4
  ASSERT_FALSE(all.ok());
  EXPECT_NE(all.status().message().find("remove all"), std::string::npos);
}

// ---- pruning the shared stories260K files ----

using Loaded = testing::LoadedModel;

Loaded load(const fs::path& path) { return testing::load_model(path); }

const std::vector<int32_t> kTokens = {1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315};

class PruneModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("liftoff_prune_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static fs::path shared(const char* stem) {
    const fs::path p = testing::models_dir() / "gguf" / (std::string(stem) + ".gguf");
    EXPECT_TRUE(fs::exists(p)) << "missing shared test model " << p;
    return p;
  }

  // Logits of every position of kTokens.
  std::vector<float> logits(const model::Model& m) {
    auto runner = engine::SequenceRunner::create(m, pool_, 64, 64);
    EXPECT_TRUE(runner.ok());
    if (!runner.ok()) return {};
    auto out = runner->eval(kTokens, model::Outputs::kAll);
    EXPECT_TRUE(out.ok()) << out.status().to_string();
    if (!out.ok()) return {};
    return {out->begin(), out->end()};
  }

  // Prunes `in` with magnitude importance; returns the plan and the reloaded output.
  std::pair<PrunePlan, Loaded> prune(const Loaded& in, PruneOptions o,
                                     PruneOutput* written = nullptr,
                                     const ActivationStats* stats = nullptr) {
    auto plan = plan_pruning(*in.model, o, stats);
    EXPECT_TRUE(plan.ok()) << plan.status().to_string();
    if (!plan.ok()) return {};
    auto w = write_pruned_model(*in.model, *plan, dir_ / "out.gguf");
    EXPECT_TRUE(w.ok()) << w.status().to_string();
    if (!w.ok()) return {};
    if (written) *written = *w;
    return {std::move(*plan), load(dir_ / "out.gguf")};
  }

  // Row r of a tensor, as floats.
  static std::vector<float> row(const model::Model& m, const std::string& name, uint64_t r) {
    const formats::TensorInfo* t = m.file().find_tensor(name);
    EXPECT_NE(t, nullptr) << name;
    if (t == nullptr) return {};
    std::vector<float> out(t->dims[0]);
    kernels::dequantize_row(t->dtype, t->data + r * kernels::row_bytes(t->dtype, t->dims[0]),
                            out.data(), out.size());
    return out;
  }

  fs::path dir_;
  base::ThreadPool pool_{2};
};

TEST_F(PruneModelTest, FfnQuarterShrinksEveryLayerAndKeepsTheChosenRows) {
  Loaded in = load(shared("stories260K-f32"));
  ASSERT_TRUE(in.model);
  auto [plan, out] = prune(in, {0.25, 0.0, PruneMethod::kMagnitude});
  ASSERT_TRUE(out.model);
  EXPECT_EQ(plan.n_ff, 129);  // 172 - round(43)
  EXPECT_EQ(out.model->hparams().n_ff, 129);
  EXPECT_EQ(out.model->file().get_int("llama.feed_forward_length"), 129);
  EXPECT_EQ(out.model->hparams().n_head, 8);
  for (int64_t l = 0; l < 5; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    const auto& keep = plan.ffn_keep[static_cast<size_t>(l)];
    ASSERT_EQ(keep.size(), 129u);
    EXPECT_TRUE(std::is_sorted(keep.begin(), keep.end()));
    for (size_t i : {size_t{0}, size_t{64}, size_t{128}}) {
      EXPECT_EQ(row(*out.model, p + "ffn_gate.weight", i),
                row(*in.model, p + "ffn_gate.weight", keep[i]));
      EXPECT_EQ(row(*out.model, p + "ffn_up.weight", i),
                row(*in.model, p + "ffn_up.weight", keep[i]));
    }
    // ffn_down keeps the same columns.
    const auto down_in = row(*in.model, p + "ffn_down.weight", 7);
    const auto down_out = row(*out.model, p + "ffn_down.weight", 7);
    ASSERT_EQ(down_out.size(), 129u);
    for (size_t i = 0; i < keep.size(); ++i) EXPECT_EQ(down_out[i], down_in[keep[i]]);
    // The removed neurons are the least important ones.
    const auto& w = in.model->weights().layers[static_cast<size_t>(l)];
    const auto scores =
        ffn_magnitude_importance(to_float(w.w_gate), to_float(w.w_up), to_float(w.w_down));
    double min_kept = 1e300, max_removed = 0;
    for (int64_t i = 0; i < 172; ++i) {
      const bool kept = std::binary_search(keep.begin(), keep.end(), i);
      if (kept) {
        min_kept = std::min(min_kept, scores[i]);
      } else {
        max_removed = std::max(max_removed, scores[i]);
      }
    }
    EXPECT_GE(min_kept, max_removed) << "layer " << l;
  }
  const auto l = logits(*out.model);
  ASSERT_EQ(l.size(), kTokens.size() * 512);
  for (float v : l) ASSERT_TRUE(std::isfinite(v));
  EXPECT_NE(l, logits(*in.model));
}

TEST_F(PruneModelTest, PruningNothingGivesIdenticalLogits) {
  Loaded in = load(shared("stories260K-f32"));
  ASSERT_TRUE(in.model);
  auto [plan, out] = prune(in, {0.0, 0.0, PruneMethod::kMagnitude});
  ASSERT_TRUE(out.model);
  EXPECT_EQ(out.model->hparams().n_ff, 172);
  EXPECT_EQ(logits(*out.model), logits(*in.model));
}

TEST_F(PruneModelTest, HeadGroupsGoWholeSoGqaStaysConsistent) {
  Loaded in = load(shared("stories260K-f32"));
  ASSERT_TRUE(in.model);
  auto [plan, out] = prune(in, {0.0, 0.25, PruneMethod::kMagnitude});
  ASSERT_TRUE(out.model);
  const auto& hp = out.model->hparams();
  EXPECT_EQ(hp.n_head_kv, 3);  // one of 4 KV groups
  EXPECT_EQ(hp.n_head, 6);     // with its 2 query heads
  EXPECT_EQ(hp.n_head % hp.n_head_kv, 0);
  EXPECT_EQ(hp.head_dim, 8);  // stated as key_length now that n_embd / n_head is not 8
  EXPECT_EQ(out.model->file().get_int("llama.attention.key_length"), 8);
  EXPECT_EQ(hp.n_ff, 172);
  for (int64_t l = 0; l < 5; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    const auto& groups = plan.kv_group_keep[static_cast<size_t>(l)];
    ASSERT_EQ(groups.size(), 3u);
    for (size_t g = 0; g < 3; ++g) {
      for (uint64_t i = 0; i < 8; ++i) {  // kv head rows, then both query heads' rows
        EXPECT_EQ(row(*out.model, p + "attn_k.weight", g * 8 + i),
                  row(*in.model, p + "attn_k.weight", groups[g] * 8 + i));
        EXPECT_EQ(row(*out.model, p + "attn_v.weight", g * 8 + i),
                  row(*in.model, p + "attn_v.weight", groups[g] * 8 + i));
        EXPECT_EQ(row(*out.model, p + "attn_q.weight", g * 16 + i),
                  row(*in.model, p + "attn_q.weight", groups[g] * 16 + i));
        EXPECT_EQ(row(*out.model, p + "attn_q.weight", g * 16 + 8 + i),
                  row(*in.model, p + "attn_q.weight", groups[g] * 16 + 8 + i));
      }
    }
    const auto o_in = row(*in.model, p + "attn_output.weight", 3);
    const auto o_out = row(*out.model, p + "attn_output.weight", 3);
    ASSERT_EQ(o_out.size(), 48u);
    for (size_t g = 0; g < 3; ++g) {
      for (size_t c = 0; c < 16; ++c) EXPECT_EQ(o_out[g * 16 + c], o_in[groups[g] * 16 + c]);
    }
  }
  const auto l = logits(*out.model);
  ASSERT_EQ(l.size(), kTokens.size() * 512);
  for (float v : l) ASSERT_TRUE(std::isfinite(v));
}

TEST_F(PruneModelTest, QuantizedInputKeepsTypesWhereRowsAllowAndFallsBackToF16) {
  Loaded in = load(shared("stories260K-q4_0"));
  ASSERT_TRUE(in.model);
  PruneOutput written;
  auto [plan, out] = prune(in, {0.25, 0.25, PruneMethod::kMagnitude}, &written);
  ASSERT_TRUE(out.model);
  const auto& f = out.model->file();
  // Row slices keep Q4_0; ffn_down was F16 already; attn_output rows of 48 cannot be Q4_0.
  EXPECT_EQ(f.find_tensor("blk.0.ffn_gate.weight")->dtype, DType::kQ4_0);
  EXPECT_EQ(f.find_tensor("blk.0.attn_q.weight")->dtype, DType::kQ4_0);
  EXPECT_EQ(f.find_tensor("blk.0.ffn_down.weight")->dtype, DType::kF16);
  EXPECT_EQ(f.find_tensor("blk.0.attn_output.weight")->dtype, DType::kF16);
  ASSERT_EQ(written.fallbacks.size(), 5u);  // attn_output of each layer
  EXPECT_NE(written.fallbacks[0].find("Q4_0 -> F16"), std::string::npos) << written.fallbacks[0];
  EXPECT_EQ(out.model->hparams().n_ff, 129);
  for (float v : logits(*out.model)) ASSERT_TRUE(std::isfinite(v));
}

TEST_F(PruneModelTest, QuantizedFfnDownKeepsItsTypeByRoundingTheNeuronCount) {
  // A synthetic llama with every matrix Q8_0 and n_ff 256, so ffn_down rows are 256 wide:
  // 0.2 of 256 leaves 205, rounded to 192 so that ffn_down stays Q8_0.
  auto synth_q8 = [&](const char* preset, const char* file) {
    SynthOptions so;
    so.preset = preset;
    so.dtype = DType::kQ8_0;
    so.seed = 3;
    so.vocab_path = shared("stories260K-f32");
    so.output_path = dir_ / file;
    auto synth = synthesize_model(so, pool_);
    EXPECT_TRUE(synth.ok()) << synth.status().to_string();
    return load(dir_ / file);
  };
  Loaded in = synth_q8("test-tiny", "synth.gguf");
  ASSERT_TRUE(in.model);
  ASSERT_EQ(in.model->hparams().n_ff, 256);
  ASSERT_EQ(in.model->hparams().n_head_kv, 2);
  PruneOutput written;
  auto [plan, out] = prune(in, {0.2, 0.5, PruneMethod::kMagnitude}, &written);
  ASSERT_TRUE(out.model);
  EXPECT_EQ(out.model->hparams().n_ff, 192);
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_NE(plan.notes[0].find("205 to 192"), std::string::npos) << plan.notes[0];
  EXPECT_TRUE(written.fallbacks.empty());
  const auto& f = out.model->file();
  EXPECT_EQ(f.find_tensor("blk.0.ffn_down.weight")->dtype, DType::kQ8_0);
  EXPECT_EQ(f.find_tensor("blk.0.attn_output.weight")->dtype, DType::kQ8_0);  // 2 heads x 16
  EXPECT_EQ(out.model->hparams().n_head, 2);
  EXPECT_EQ(out.model->hparams().n_head_kv, 1);
  for (float v : logits(*out.model)) ASSERT_TRUE(std::isfinite(v));

  // qwen2: FFN pruning works, head pruning is refused (llama.cpp could not load the result).
  Loaded qwen = synth_q8("test-tiny-qwen2", "qwen2.gguf");
  ASSERT_TRUE(qwen.model);
  auto heads = plan_pruning(*qwen.model, {0.0, 0.5, PruneMethod::kMagnitude}, nullptr);
  ASSERT_FALSE(heads.ok());
  EXPECT_NE(heads.status().message().find("llama architecture only"), std::string::npos);
  auto [qplan, qout] = prune(qwen, {0.25, 0.0, PruneMethod::kMagnitude});
  ASSERT_TRUE(qout.model);
  EXPECT_EQ(qout.model->hparams().n_ff, 192);
  for (float v : logits(*qout.model)) ASSERT_TRUE(std::isfinite(v));
}

TEST_F(PruneModelTest, ActivationPruningKeepsTheMostActiveNeurons) {
  Loaded in = load(shared("stories260K-f32"));
  ASSERT_TRUE(in.model);
  const std::string text = testing::read_file(testing::reference_dir() / "ppl.txt");
  ASSERT_FALSE(text.empty());
  auto stats = collect_activation_stats(*in.model, *in.tok, text, 128, pool_);
  ASSERT_TRUE(stats.ok()) << stats.status().to_string();
  EXPECT_GT(stats->n_tokens, 500);
  ASSERT_EQ(stats->ffn_mean_abs.size(), 5u);
  ASSERT_EQ(stats->head_mean_norm[0].size(), 8u);
  for (double v : stats->ffn_mean_abs[2]) EXPECT_TRUE(std::isfinite(v) && v >= 0);
  for (double v : stats->head_mean_norm[2]) EXPECT_GT(v, 0.0);

  auto [plan, out] = prune(in, {0.25, 0.0, PruneMethod::kActivation}, nullptr, &*stats);
  ASSERT_TRUE(out.model);
  EXPECT_EQ(out.model->hparams().n_ff, 129);
  const auto magnitude = plan_pruning(*in.model, {0.25, 0.0, PruneMethod::kMagnitude}, nullptr);
  ASSERT_TRUE(magnitude.ok());
  EXPECT_NE(plan.ffn_keep, magnitude->ffn_keep);  // the two criteria really differ

  auto no_stats = plan_pruning(*in.model, {0.25, 0.0, PruneMethod::kActivation}, nullptr);
  EXPECT_FALSE(no_stats.ok());
}

TEST_F(PruneModelTest, BadFractionsAreRejectedBeforeWriting) {
  Loaded in = load(shared("stories260K-f32"));
  ASSERT_TRUE(in.model);
  EXPECT_FALSE(plan_pruning(*in.model, {1.0, 0.0, PruneMethod::kMagnitude}, nullptr).ok());
  EXPECT_FALSE(plan_pruning(*in.model, {-0.1, 0.0, PruneMethod::kMagnitude}, nullptr).ok());
  EXPECT_FALSE(plan_pruning(*in.model, {0.0, 0.9, PruneMethod::kMagnitude}, nullptr).ok());
  EXPECT_FALSE(fs::exists(dir_ / "out.gguf"));
}

}  // namespace
}  // namespace liftoff::tooling
