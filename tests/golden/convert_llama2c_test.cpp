// Golden test: `liftoff convert` of the llama2.c checkpoints gives the GGUFs llama.cpp made from
// them (../shared/models/gguf, see MANIFEST.md sections 2 and 5): the same metadata and, tensor
// by tensor, the same names, shapes, types and bytes, for F32, F16 and Q8_0 (whose 172-wide
// ffn_down rows stay F16 in both).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <filesystem>

#include "liftoff/formats/gguf_reader.h"
#include "liftoff/tooling/convert.h"
#include "test_data.h"

namespace liftoff {
namespace {

namespace fs = std::filesystem;

struct Case {
  const char* checkpoint;
  const char* tokenizer;
  kernels::DType type;
  const char* reference;  // under gguf/
};

class ConvertLlama2cGolden : public ::testing::TestWithParam<Case> {};

bool same_value(const formats::MetaValue& a, const formats::MetaValue& b) {
  if (a.as_array() != nullptr || b.as_array() != nullptr) {
    const formats::MetaArray* x = a.as_array();
    const formats::MetaArray* y = b.as_array();
    return x != nullptr && y != nullptr && x->element_type == y->element_type &&
           x->strings == y->strings && x->ints == y->ints && x->floats == y->floats;
  }
  if (a.as_string() != nullptr || b.as_string() != nullptr) {
    return a.as_string() != nullptr && b.as_string() != nullptr && *a.as_string() == *b.as_string();
  }
  return a.type == b.type && a.as_float() == b.as_float();
}

TEST_P(ConvertLlama2cGolden, MatchesLlamaCppConversion) {
  const Case c = GetParam();
  const fs::path models = testing::models_dir();
  const fs::path out = fs::temp_directory_path() /
                       ("liftoff_convert_golden_" + std::to_string(::getpid()) + ".gguf");
  tooling::ConvertOptions o;
  o.input = models / "llama2c" / c.checkpoint;
  o.tokenizer = models / "llama2c" / c.tokenizer;
  o.output = out;
  o.dtype = c.type;
  auto report = tooling::convert_model(o);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  auto ours = formats::read_gguf(out);
  fs::remove(out);
  ASSERT_TRUE(ours.ok()) << ours.status().to_string();
  const fs::path ref_path = models / "gguf" / c.reference;
  auto ref = formats::read_gguf(ref_path);
  ASSERT_TRUE(ref.ok()) << "missing or unreadable " << ref_path << ": " << ref.status().to_string();

  for (const auto& [key, value] : ref->metadata) {
    const formats::MetaValue* mine = ours->find(key);
    if (key == "general.quantization_version" && mine == nullptr) continue;
    ASSERT_NE(mine, nullptr) << "missing key " << key;
    EXPECT_TRUE(same_value(value, *mine)) << "key " << key;
  }
  ASSERT_EQ(ours->tensors.size(), ref->tensors.size());
  size_t n_fallback_f16 = 0;
  for (const formats::TensorInfo& r : ref->tensors) {
    SCOPED_TRACE(r.name);
    const formats::TensorInfo* t = ours->find_tensor(r.name);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->dims, r.dims);
    EXPECT_EQ(t->dtype, r.dtype);
    ASSERT_EQ(t->n_bytes, r.n_bytes);
    EXPECT_EQ(std::memcmp(t->data, r.data, r.n_bytes), 0) << "bytes differ";
    n_fallback_f16 += c.type == kernels::DType::kQ8_0 && t->dtype == kernels::DType::kF16;
  }
  EXPECT_EQ(report->fallbacks.size(), n_fallback_f16);
}

INSTANTIATE_TEST_SUITE_P(Models, ConvertLlama2cGolden,
                         ::testing::Values(Case{"stories260K.bin", "tok512.bin",
                                                kernels::DType::kF32, "stories260K-f32.gguf"},
                                           Case{"stories260K.bin", "tok512.bin",
                                                kernels::DType::kF16, "stories260K-f16.gguf"},
                                           Case{"stories260K.bin", "tok512.bin",
                                                kernels::DType::kQ8_0, "stories260K-q8_0.gguf"},
                                           Case{"aidreams260K.bin", "aidreams-tok512.bin",
                                                kernels::DType::kF32, "aidreams260K-f32.gguf"},
                                           Case{"aidreams260K.bin", "aidreams-tok512.bin",
                                                kernels::DType::kQ8_0, "aidreams260K-q8_0.gguf"}),
                         [](const auto& info) {
                           std::string name = fs::path(info.param.reference).stem().string();
                           for (char& ch : name)
                             ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           return name;
                         });

}  // namespace
}  // namespace liftoff
