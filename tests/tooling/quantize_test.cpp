// liftoff quantize end to end on the shared models: every type loads and scores a sane
// perplexity; Q8_0/Q4_0 files are byte-identical, tensor by tensor, to the llama-quantize files in
// ../shared/models (same recipe, same reference encoders); metadata is carried over; requantizing
// works; the thread count does not change a byte; and bad inputs leave no output file.
#include "liftoff/tooling/quantize.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "liftoff/base/thread_pool.h"
#include "liftoff/formats/gguf_reader.h"
#include "liftoff/model/model.h"
#include "liftoff/tokenizer/tokenizer.h"
#include "liftoff/tooling/perplexity.h"
#include "test_data.h"

namespace liftoff::tooling {
namespace {

namespace fs = std::filesystem;
using kernels::DType;

class QuantizeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("liftoff_quantize_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static fs::path shared_model(const std::string& name) {
    const fs::path p = testing::models_dir() / "gguf" / name;
    EXPECT_TRUE(fs::exists(p)) << "missing shared test model " << p;
    return p;
  }

  QuantizeOptions options(const std::string& model, const char* type,
                          const std::string& out = "out.gguf") const {
    QuantizeOptions o;
    o.input = shared_model(model);
    o.output = dir_ / out;
    o.recipe = *find_quant_recipe(type);
    return o;
  }

  size_t n_entries() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++n;
    return n;
  }

  fs::path dir_;
};

// Perplexity of a GGUF on the shared ppl.txt at n_ctx 128, as llama-perplexity -c 128 -b 128.
double perplexity_of(const fs::path& path, base::ThreadPool& pool) {
  Result<formats::ModelFile> file = formats::read_gguf(path);
  EXPECT_TRUE(file.ok()) << file.status().to_string();
  if (!file.ok()) return 0;
  Result<tokenizer::Tokenizer> tok = tokenizer::Tokenizer::from_model_file(*file);
  EXPECT_TRUE(tok.ok()) << tok.status().to_string();
  Result<model::Model> model = model::Model::from_file(std::move(*file));
  EXPECT_TRUE(model.ok()) << model.status().to_string();
  if (!tok.ok() || !model.ok()) return 0;
  bool ok = false;
  const std::string text = testing::read_file(testing::reference_dir() / "ppl.txt", &ok);
  EXPECT_TRUE(ok) << "missing " << testing::reference_dir() / "ppl.txt";
  PerplexityOptions opts;
  opts.n_ctx = 128;
  opts.n_batch = 128;
  Result<PerplexityResult> r = perplexity(*model, *tok, text, opts, pool);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? r->ppl : 0;
}

TEST_F(QuantizeTest, EveryTypeLoadsAndScoresASanePerplexity) {
  base::ThreadPool pool(2);
  // llama-perplexity on the F32 file gives 3.4047 (../shared/reference/perplexity.json). Bounds:
  // 8-bit within 1 %, 5/6-bit within 3 %, 4-bit within 10 % (llama.cpp's own Q4_0 file is +5 %).
  struct Case {
    const char* type;
    double max_rel_increase;
  };
  const Case cases[] = {{"Q8_0", 0.01}, {"Q6_K", 0.01}, {"Q5_0", 0.03}, {"Q5_1", 0.03},
                        {"Q5_K", 0.03}, {"Q4_0", 0.10}, {"Q4_1", 0.10}, {"Q4_K", 0.10}};
  const double f32_ppl = perplexity_of(shared_model("stories260K-f32.gguf"), pool);
  EXPECT_NEAR(f32_ppl, 3.4047, 0.01 * 3.4047);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.type);
    const QuantizeOptions o =
        options("stories260K-f32.gguf", c.type, std::string(c.type) + ".gguf");
    Result<QuantizeReport> report = quantize_model(o, pool);
    ASSERT_TRUE(report.ok()) << report.status().to_string();
    EXPECT_LT(report->bytes_out, report->bytes_in / 2);
    EXPECT_EQ(report->n_requantized, 0u);

    Result<formats::ModelFile> file = formats::read_gguf(o.output);
    ASSERT_TRUE(file.ok()) << file.status().to_string();
    EXPECT_EQ(file->get_int("general.file_type"), static_cast<int64_t>(o.recipe.file_type));
    EXPECT_EQ(file->get_int("general.quantization_version"), 2);
    EXPECT_EQ(file->tensor_bytes(), report->bytes_out);
    const double ppl = perplexity_of(o.output, pool);
    EXPECT_GT(ppl, f32_ppl * 0.97);  // quantization noise may help a little, not a lot
    EXPECT_LT(ppl, f32_ppl * (1 + c.max_rel_increase));
    std::printf("[ quantize ] stories260K %s: %llu -> %llu tensor bytes, ppl %.4f (F32 %.4f)\n",
                c.type, static_cast<unsigned long long>(report->bytes_in),
                static_cast<unsigned long long>(report->bytes_out), ppl, f32_ppl);
  }
}

// The shared q8_0/q4_0 files were made by llama-quantize with ffn_down kept in F16, which is
// what our fallback does for 172-wide rows, so every tensor must match in type and bytes.
TEST_F(QuantizeTest, MatchesLlamaQuantizeFilesByteForByte) {
  base::ThreadPool pool(2);
  for (const char* model : {"stories260K", "aidreams260K"}) {
    for (const char* type : {"Q8_0", "Q4_0"}) {
      SCOPED_TRACE(std::string(model) + " " + type);
      const QuantizeOptions o = options(std::string(model) + "-f32.gguf", type);
      ASSERT_TRUE(quantize_model(o, pool).ok());
      Result<formats::ModelFile> ours = formats::read_gguf(o.output);
      std::string lower = type;
      for (char& ch : lower) ch = static_cast<char>(std::tolower(ch));
      Result<formats::ModelFile> theirs =
          formats::read_gguf(shared_model(std::string(model) + "-" + lower + ".gguf"));
      ASSERT_TRUE(ours.ok() && theirs.ok());
      ASSERT_EQ(ours->tensors.size(), theirs->tensors.size());
      for (const formats::TensorInfo& t : theirs->tensors) {
        const formats::TensorInfo* mine = ours->find_tensor(t.name);
        ASSERT_NE(mine, nullptr) << t.name;
        EXPECT_EQ(mine->dims, t.dims) << t.name;
        EXPECT_EQ(mine->dtype, t.dtype) << t.name;
        ASSERT_EQ(mine->n_bytes, t.n_bytes) << t.name;
        EXPECT_EQ(std::memcmp(mine->data, t.data, t.n_bytes), 0) << t.name << " differs";
      }
      EXPECT_EQ(ours->get_int("general.file_type"), theirs->get_int("general.file_type"));
    }
  }
}

TEST_F(QuantizeTest, CopiesMetadataAndKeepsRequestedTensors) {
  base::ThreadPool pool(2);
  QuantizeOptions o = options("stories260K-f32.gguf", "Q4_K");
  o.keep.push_back(*parse_keep_rule("f16:output,token_embd"));
  Result<QuantizeReport> report = quantize_model(o, pool);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  Result<formats::ModelFile> in = formats::read_gguf(o.input);
  Result<formats::ModelFile> out = formats::read_gguf(o.output);
  ASSERT_TRUE(in.ok() && out.ok());
  for (const auto& [key, value] : in->metadata) {
    if (key == "general.file_type") continue;
    const formats::MetaValue* copied = out->find(key);
    ASSERT_NE(copied, nullptr) << key;
    EXPECT_EQ(copied->type, value.type) << key;
    if (value.as_array() == nullptr) {
      EXPECT_EQ(copied->value, value.value) << key;
    } else {
      EXPECT_EQ(copied->as_array()->size(), value.as_array()->size()) << key;
      EXPECT_EQ(copied->as_array()->strings, value.as_array()->strings) << key;
      EXPECT_EQ(copied->as_array()->floats, value.as_array()->floats) << key;
      EXPECT_EQ(copied->as_array()->ints, value.as_array()->ints) << key;
    }
  }
  EXPECT_EQ(out->get_int("general.file_type"), 15);  // Q4_K_M
  EXPECT_EQ(out->find_tensor("output.weight")->dtype, DType::kF16);
  EXPECT_EQ(out->find_tensor("token_embd.weight")->dtype, DType::kF16);
  EXPECT_EQ(out->find_tensor("blk.0.attn_q.weight")->dtype, DType::kQ5_0);  // Q4_K fallback
  EXPECT_EQ(out->find_tensor("blk.0.attn_norm.weight")->dtype, DType::kF32);
  EXPECT_GT(perplexity_of(o.output, pool), 0);
}

TEST_F(QuantizeTest, RequantizesAQuantizedInput) {
  base::ThreadPool pool(2);
  const QuantizeOptions o = options("stories260K-q8_0.gguf", "Q4_0");
  Result<QuantizeReport> report = quantize_model(o, pool);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  // Every Q8_0 matrix but the output (Q8_0 in both recipes, so copied) is decoded and re-encoded.
  EXPECT_GT(report->n_requantized, 20u);
  for (const TensorQuantPlan& p : report->tensors) {
    if (p.name == "output.weight") EXPECT_EQ(p.to, DType::kQ8_0);
  }
  const double ppl = perplexity_of(o.output, pool);
  EXPECT_GT(ppl, 3.3);
  EXPECT_LT(ppl, 3.4047 * 1.12);
}

TEST_F(QuantizeTest, SameBytesWhateverTheThreadCount) {
  base::ThreadPool one(1);
  base::ThreadPool three(3);
  const QuantizeOptions a = options("stories260K-f32.gguf", "Q4_K", "a.gguf");
  const QuantizeOptions b = options("stories260K-f32.gguf", "Q4_K", "b.gguf");
  ASSERT_TRUE(quantize_model(a, one).ok());
  ASSERT_TRUE(quantize_model(b, three).ok());
  EXPECT_TRUE(testing::read_file(a.output) == testing::read_file(b.output));
}

TEST_F(QuantizeTest, ConvertTensorRoundTripsEveryType) {
  base::ThreadPool pool(2);
  // 3 rows of 256: every block size divides it. Decoding what we encode must be close.
  std::vector<float> x(3 * 256);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.37f * static_cast<float>(i)) * 0.5f;
  const auto* src = reinterpret_cast<const uint8_t*>(x.data());
  // Bounds for max |x| = 0.5: the symmetric types put the extreme on level -2^(b-1), so the
  // opposite extreme saturates at 2^(b-1) - 1 and may be one step off (Q4_0: 0.5 / 8 = 0.0625);
  // the asymmetric ones are half a step of range / (2^b - 1) plus the rounding of their scales.
  struct Case {
    DType type;
    double max_err;
  };
  const Case cases[] = {{DType::kQ8_0, 0.005}, {DType::kQ6_K, 0.02},  {DType::kQ5_0, 0.035},
                        {DType::kQ5_1, 0.035}, {DType::kQ5_K, 0.035}, {DType::kQ4_0, 0.07},
                        {DType::kQ4_1, 0.07},  {DType::kQ4_K, 0.07},  {DType::kF16, 0.001}};
  for (const Case& c : cases) {
    const DType t = c.type;
    SCOPED_TRACE(std::string(kernels::dtype_info(t).name));
    const std::vector<uint8_t> q = convert_tensor(src, DType::kF32, t, 256, 3, pool);
    ASSERT_EQ(q.size(), 3 * kernels::row_bytes(t, 256));
    const std::vector<uint8_t> back = convert_tensor(q.data(), t, DType::kF32, 256, 3, pool);
    const auto* y = reinterpret_cast<const float*>(back.data());
    double max_err = 0;
    for (size_t i = 0; i < x.size(); ++i)
      max_err = std::max(max_err, double(std::fabs(x[i] - y[i])));
    EXPECT_LT(max_err, c.max_err);
    EXPECT_GT(max_err, 0.0);  // every type loses something on these values
  }
}

TEST_F(QuantizeTest, ErrorsLeaveNoOutputFile) {
  base::ThreadPool pool(2);
  QuantizeOptions o = options("stories260K-f32.gguf", "Q8_0");

  QuantizeOptions missing = o;
  missing.input = dir_ / "nope.gguf";
  EXPECT_EQ(quantize_model(missing, pool).status().code(), StatusCode::kNotFound);

  QuantizeOptions no_dir = o;
  no_dir.output = dir_ / "no_such_dir" / "out.gguf";
  Result<QuantizeReport> r = quantize_model(no_dir, pool);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("no_such_dir"), std::string::npos);

  QuantizeOptions is_dir = o;
  is_dir.output = dir_;
  EXPECT_EQ(quantize_model(is_dir, pool).status().code(), StatusCode::kInvalidArgument);

  // A truncated GGUF: corrupt data, and no half-written output.
  const std::string bytes = testing::read_file(o.input);
  {
    std::ofstream cut(dir_ / "cut.gguf", std::ios::binary);
    cut.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }
  QuantizeOptions corrupt = o;
  corrupt.input = dir_ / "cut.gguf";
  EXPECT_EQ(quantize_model(corrupt, pool).status().code(), StatusCode::kCorruptData);

  // Writing over the input is refused before anything is read.
  QuantizeOptions onto_input = o;
  onto_input.input = dir_ / "cut.gguf";
  onto_input.output = dir_ / "cut.gguf";
  EXPECT_EQ(quantize_model(onto_input, pool).status().code(), StatusCode::kInvalidArgument);

  // A --keep that names nothing fails after reading, before writing.
  QuantizeOptions bad_keep = o;
  bad_keep.keep.push_back(*parse_keep_rule("f16:no_such_tensor"));
  EXPECT_EQ(quantize_model(bad_keep, pool).status().code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(n_entries(), 1u);  // only cut.gguf
  EXPECT_FALSE(fs::exists(o.output));
}

}  // namespace
}  // namespace liftoff::tooling
