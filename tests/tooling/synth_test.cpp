// liftoff synth: the hidden test-tiny preset written to a temp dir and read back with read_gguf
// (metadata, tensor shapes and types, value statistics), determinism, the llama-quantize
// fallbacks, and every bad-input path. Needs the shared stories260K GGUF (test-tiny's vocab).
#include "liftoff/tooling/synth.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "liftoff/base/thread_pool.h"
#include "liftoff/formats/gguf_reader.h"
#include "liftoff/kernels/quantize.h"

namespace liftoff::tooling {
namespace {

namespace fs = std::filesystem;
using kernels::DType;

fs::path models_dir() {
  const char* env = std::getenv("LIFTOFF_MODELS_DIR");
  return env != nullptr && *env != '\0' ? fs::path(env) : fs::path(LIFTOFF_DEFAULT_MODELS_DIR);
}

// A fresh directory per test, removed afterwards.
class SynthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("liftoff_synth_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    vocab_ = models_dir() / "gguf/stories260K-f32.gguf";
    ASSERT_TRUE(fs::exists(vocab_)) << "missing shared test model " << vocab_;
  }
  void TearDown() override { fs::remove_all(dir_); }

  SynthOptions tiny(DType type, const std::string& file = "m.gguf") const {
    SynthOptions o;
    o.preset = "test-tiny";
    o.dtype = type;
    o.seed = 7;
    o.vocab_path = vocab_;
    o.output_path = dir_ / file;
    return o;
  }

  fs::path dir_;
  fs::path vocab_;
};

struct Stats {
  double mean = 0, stddev = 0;
  bool finite = true;
};

Stats tensor_stats(const formats::TensorInfo& t) {
  const uint64_t n_cols = t.dims[0];
  const uint64_t n_rows = t.n_elements() / n_cols;
  const size_t row_bytes = kernels::row_bytes(t.dtype, n_cols);
  std::vector<float> row(n_cols);
  double sum = 0, sum_sq = 0;
  Stats s;
  for (uint64_t r = 0; r < n_rows; ++r) {
    kernels::dequantize_row(t.dtype, t.data + r * row_bytes, row.data(), n_cols);
    for (float v : row) {
      s.finite = s.finite && std::isfinite(v);
      sum += v;
      sum_sq += static_cast<double>(v) * v;
    }
  }
  const double n = static_cast<double>(t.n_elements());
  s.mean = sum / n;
  s.stddev = std::sqrt(std::max(0.0, sum_sq / n - s.mean * s.mean));
  return s;
}

std::vector<char> file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(SynthTest, WritesTheLlamaLayoutWithMetadata) {
  base::ThreadPool pool(2);
  Result<SynthReport> report = synthesize_model(tiny(DType::kF16), pool);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_TRUE(report->fallbacks.empty());
  EXPECT_TRUE(report->vocab_notes.empty()) << "stories260K has exactly 512 tokens";

  Result<formats::ModelFile> file = formats::read_gguf(dir_ / "m.gguf");
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  EXPECT_EQ(file->get_string("general.architecture"), "llama");
  EXPECT_EQ(file->get_int("general.file_type"), 1);  // LLAMA_FTYPE_MOSTLY_F16
  EXPECT_EQ(file->get_int("llama.embedding_length"), 64);
  EXPECT_EQ(file->get_int("llama.feed_forward_length"), 256);
  EXPECT_EQ(file->get_int("llama.block_count"), 2);
  EXPECT_EQ(file->get_int("llama.attention.head_count"), 4);
  EXPECT_EQ(file->get_int("llama.attention.head_count_kv"), 2);
  EXPECT_EQ(file->get_int("llama.rope.dimension_count"), 16);
  EXPECT_EQ(file->get_int("llama.context_length"), 256);
  EXPECT_EQ(file->get_int("llama.vocab_size"), 512);
  EXPECT_NEAR(*file->get_float("llama.attention.layer_norm_rms_epsilon"), 1e-5, 1e-9);
  EXPECT_EQ(file->get_float("llama.rope.freq_base"), 10000.0);
  ASSERT_NE(file->get_array("tokenizer.ggml.tokens"), nullptr);
  EXPECT_EQ(file->get_array("tokenizer.ggml.tokens")->size(), 512u);
  EXPECT_EQ(file->get_string("tokenizer.ggml.model"), "llama");
  EXPECT_EQ(file->get_int("tokenizer.ggml.bos_token_id"), 1);

  // token_embd, output_norm, output + 9 per layer.
  EXPECT_EQ(file->tensors.size(), 3u + 2 * 9);
  const auto expect_tensor = [&](const std::string& name, std::vector<uint64_t> dims, DType type) {
    const formats::TensorInfo* t = file->find_tensor(name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(t->dims, dims) << name;
    EXPECT_EQ(t->dtype, type) << name;
  };
  expect_tensor("token_embd.weight", {64, 512}, DType::kF16);
  expect_tensor("output.weight", {64, 512}, DType::kF16);
  expect_tensor("output_norm.weight", {64}, DType::kF32);
  for (int l = 0; l < 2; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    expect_tensor(b + "attn_norm.weight", {64}, DType::kF32);
    expect_tensor(b + "attn_q.weight", {64, 64}, DType::kF16);
    expect_tensor(b + "attn_k.weight", {64, 32}, DType::kF16);
    expect_tensor(b + "attn_v.weight", {64, 32}, DType::kF16);
    expect_tensor(b + "attn_output.weight", {64, 64}, DType::kF16);
    expect_tensor(b + "ffn_norm.weight", {64}, DType::kF32);
    expect_tensor(b + "ffn_gate.weight", {64, 256}, DType::kF16);
    expect_tensor(b + "ffn_up.weight", {64, 256}, DType::kF16);
    expect_tensor(b + "ffn_down.weight", {256, 64}, DType::kF16);
  }
  uint64_t n_params = 0;
  for (const auto& t : file->tensors) n_params += t.n_elements();
  EXPECT_EQ(n_params, report->n_params);
}

TEST_F(SynthTest, ValuesHaveTheIntendedStatistics) {
  base::ThreadPool pool(2);
  ASSERT_TRUE(synthesize_model(tiny(DType::kF32), pool).ok());
  Result<formats::ModelFile> file = formats::read_gguf(dir_ / "m.gguf");
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  // 32768 samples of N(0, 0.02): the sample mean is within 4 standard errors (4 * 0.02 / 181)
  // and the sample stddev within 2%.
  Stats embd = tensor_stats(*file->find_tensor("token_embd.weight"));
  EXPECT_NEAR(embd.mean, 0.0, 4.5e-4);
  EXPECT_NEAR(embd.stddev, 0.02, 0.02 * 0.02);
  // 64 samples of N(1, 0.02): mean within 4 standard errors (0.0025 each).
  Stats norm = tensor_stats(*file->find_tensor("blk.1.ffn_norm.weight"));
  EXPECT_NEAR(norm.mean, 1.0, 0.01);
  EXPECT_NEAR(norm.stddev, 0.02, 0.008);
  // Different tensors get different streams.
  const auto* q = file->find_tensor("blk.0.attn_q.weight");
  const auto* o = file->find_tensor("blk.0.attn_output.weight");
  EXPECT_NE(std::vector<uint8_t>(q->data, q->data + q->n_bytes),
            std::vector<uint8_t>(o->data, o->data + o->n_bytes));
}

TEST_F(SynthTest, EveryTypeRoundTripsWithSaneValues) {
  base::ThreadPool pool(2);
  const DType types[] = {DType::kF32,  DType::kF16,  DType::kBF16, DType::kQ8_0,
                         DType::kQ4_0, DType::kQ4_1, DType::kQ5_0, DType::kQ5_1,
                         DType::kQ4_K, DType::kQ5_K, DType::kQ6_K};
  for (DType type : types) {
    const std::string name(kernels::dtype_info(type).name);
    SCOPED_TRACE(name);
    Result<SynthReport> report = synthesize_model(tiny(type, name + ".gguf"), pool);
    ASSERT_TRUE(report.ok()) << report.status().to_string();
    Result<formats::ModelFile> file = formats::read_gguf(dir_ / (name + ".gguf"));
    ASSERT_TRUE(file.ok()) << file.status().to_string();
    EXPECT_EQ(file->get_int("general.file_type"), *llama_file_type(type));
    // ffn_down's rows (256) fit every block, so it always has the requested type.
    const formats::TensorInfo* down = file->find_tensor("blk.0.ffn_down.weight");
    EXPECT_EQ(down->dtype, type);
    // 4-bit types add about 10% rounding noise to N(0, 0.02); allow 15%.
    Stats s = tensor_stats(*down);
    EXPECT_TRUE(s.finite);
    EXPECT_NEAR(s.mean, 0.0, 1e-3);
    EXPECT_NEAR(s.stddev, 0.02, 0.02 * 0.15);
  }
}

TEST_F(SynthTest, KTypesFallBackAsLlamaQuantizeDoes) {
  base::ThreadPool pool(2);
  Result<SynthReport> report = synthesize_model(tiny(DType::kQ4_K), pool);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  // Rows of 64: token_embd, output, and q/k/v/o/gate/up in both layers.
  EXPECT_EQ(report->fallbacks.size(), 2u + 2 * 6);
  for (const SynthFallback& f : report->fallbacks) {
    EXPECT_EQ(f.requested, DType::kQ4_K);
    EXPECT_EQ(f.used, DType::kQ5_0) << f.tensor;
  }
  Result<formats::ModelFile> file = formats::read_gguf(dir_ / "m.gguf");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->find_tensor("blk.0.attn_q.weight")->dtype, DType::kQ5_0);
  EXPECT_EQ(file->find_tensor("blk.0.ffn_down.weight")->dtype, DType::kQ4_K);
  EXPECT_EQ(file->find_tensor("output_norm.weight")->dtype, DType::kF32);
  EXPECT_EQ(file->get_int("general.file_type"), 14);  // LLAMA_FTYPE_MOSTLY_Q4_K_S
}

TEST(SynthStorageType, MatchesLlamaQuantizeFallbacks) {
  EXPECT_EQ(*synth_storage_type(DType::kQ4_K, 576), DType::kQ5_0);  // SmolLM-135M's n_embd
  EXPECT_EQ(*synth_storage_type(DType::kQ5_K, 960), DType::kQ5_1);  // SmolLM-360M's n_embd
  EXPECT_EQ(*synth_storage_type(DType::kQ6_K, 576), DType::kQ8_0);
  EXPECT_EQ(*synth_storage_type(DType::kQ4_K, 1536), DType::kQ4_K);
  EXPECT_EQ(*synth_storage_type(DType::kQ4_K, 48), DType::kF16);  // fits no 32-block either
  EXPECT_EQ(*synth_storage_type(DType::kF16, 7), DType::kF16);
  Result<DType> bad = synth_storage_type(DType::kQ4_0, 48);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SynthTest, SameSeedSameBytesWhateverTheThreadCount) {
  base::ThreadPool one(1);
  base::ThreadPool two(2);
  ASSERT_TRUE(synthesize_model(tiny(DType::kQ4_K, "a.gguf"), one).ok());
  ASSERT_TRUE(synthesize_model(tiny(DType::kQ4_K, "b.gguf"), two).ok());
  SynthOptions other_seed = tiny(DType::kQ4_K, "c.gguf");
  other_seed.seed = 8;
  ASSERT_TRUE(synthesize_model(other_seed, two).ok());
  EXPECT_EQ(file_bytes(dir_ / "a.gguf"), file_bytes(dir_ / "b.gguf"));
  EXPECT_NE(file_bytes(dir_ / "a.gguf"), file_bytes(dir_ / "c.gguf"));
}

TEST_F(SynthTest, BadInputsAreErrors) {
  base::ThreadPool pool(1);
  SynthOptions o = tiny(DType::kF16);
  o.preset = "no-such-model";
  Result<SynthReport> r = synthesize_model(o, pool);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("smol-135m"), std::string::npos) << "lists known presets";

  r = synthesize_model(tiny(DType::kQ8_K), pool);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);

  o = tiny(DType::kF16);
  o.output_path = dir_ / "missing-folder" / "m.gguf";
  r = synthesize_model(o, pool);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(o.output_path));

  o.output_path = dir_;  // a directory
  r = synthesize_model(o, pool);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);

  o = tiny(DType::kF16);
  o.vocab_path = dir_ / "no-vocab.gguf";
  r = synthesize_model(o, pool);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(o.output_path));
}

}  // namespace
}  // namespace liftoff::tooling
