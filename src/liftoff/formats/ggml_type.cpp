// The ggml type-tag table: which tags exist, what they are called, and which DType (if any)
// liftoff reads them as. Tag numbers are the GGML_TYPE_* values of ggml.h; removed tags
// (4, 5, 31-33, 36-38) are absent because no valid file can carry them.
#include "liftoff/formats/ggml_type.h"

#include <optional>

#include "liftoff/formats/gguf_reader.h"

namespace liftoff::formats {
namespace {

using kernels::DType;

struct GgmlType {
  uint32_t tag;
  std::string_view name;
  std::optional<DType> dtype;  // nullopt: a real ggml type liftoff has no kernels for
};

// One tag per line, as the ggml.h enum reads.
// clang-format off
constexpr GgmlType kGgmlTypes[] = {
    {0, "F32", DType::kF32},
    {1, "F16", DType::kF16},
    {2, "Q4_0", DType::kQ4_0},
    {3, "Q4_1", DType::kQ4_1},
    {6, "Q5_0", DType::kQ5_0},
    {7, "Q5_1", DType::kQ5_1},
    {8, "Q8_0", DType::kQ8_0},
    {9, "Q8_1", std::nullopt},
    {10, "Q2_K", std::nullopt},
    {11, "Q3_K", std::nullopt},
    {12, "Q4_K", DType::kQ4_K},
    {13, "Q5_K", DType::kQ5_K},
    {14, "Q6_K", DType::kQ6_K},
    {15, "Q8_K", DType::kQ8_K},
    {16, "IQ2_XXS", std::nullopt},
    {17, "IQ2_XS", std::nullopt},
    {18, "IQ3_XXS", std::nullopt},
    {19, "IQ1_S", std::nullopt},
    {20, "IQ4_NL", std::nullopt},
    {21, "IQ3_S", std::nullopt},
    {22, "IQ2_S", std::nullopt},
    {23, "IQ4_XS", std::nullopt},
    {24, "I8", std::nullopt},
    {25, "I16", std::nullopt},
    {26, "I32", std::nullopt},
    {27, "I64", std::nullopt},
    {28, "F64", std::nullopt},
    {29, "IQ1_M", std::nullopt},
    {30, "BF16", DType::kBF16},
    {34, "TQ1_0", std::nullopt},
    {35, "TQ2_0", std::nullopt},
    {39, "MXFP4", std::nullopt},
    {40, "NVFP4", std::nullopt},
    {41, "Q1_0", std::nullopt},
    {42, "Q2_0", std::nullopt},
};
// clang-format on

const GgmlType* find(uint32_t tag) {
  for (const GgmlType& t : kGgmlTypes) {
    if (t.tag == tag) return &t;
  }
  return nullptr;
}

}  // namespace

std::string_view ggml_type_name(uint32_t ggml_type) {
  const GgmlType* t = find(ggml_type);
  return t != nullptr ? t->name : "unknown";
}

std::optional<kernels::DType> dtype_from_ggml_type(uint32_t ggml_type) {
  const GgmlType* t = find(ggml_type);
  return t != nullptr ? t->dtype : std::nullopt;
}

uint32_t ggml_type_from_dtype(kernels::DType dtype) {
  for (const GgmlType& t : kGgmlTypes) {
    if (t.dtype == dtype) return t.tag;
  }
  // Every DType is in the table; reaching here means a DType was added without a tag.
  LIFTOFF_CHECK(false);
  return 0;
}

}  // namespace liftoff::formats
