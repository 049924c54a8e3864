// DType geometry table.
#include "liftoff/kernels/dtype.h"

#include <array>
#include <cctype>
#include <string>

#include "liftoff/kernels/quant_blocks.h"

namespace liftoff::kernels {
namespace {

constexpr std::array<DTypeInfo, 12> kInfos = {{
    {"F32", 1, 4},
    {"F16", 1, 2},
    {"BF16", 1, 2},
    {"Q8_0", kQK, sizeof(BlockQ8_0)},
    {"Q4_0", kQK, sizeof(BlockQ4_0)},
    {"Q4_1", kQK, sizeof(BlockQ4_1)},
    {"Q5_0", kQK, sizeof(BlockQ5_0)},
    {"Q5_1", kQK, sizeof(BlockQ5_1)},
    {"Q4_K", kQK_K, sizeof(BlockQ4_K)},
    {"Q5_K", kQK_K, sizeof(BlockQ5_K)},
    {"Q6_K", kQK_K, sizeof(BlockQ6_K)},
    {"Q8_K", kQK_K, sizeof(BlockQ8_K)},
}};

}  // namespace

const DTypeInfo& dtype_info(DType type) { return kInfos[static_cast<size_t>(type)]; }

size_t row_bytes(DType type, size_t n) {
  const DTypeInfo& info = dtype_info(type);
  return n / info.block_elems * info.block_bytes;
}

std::optional<DType> dtype_from_name(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (size_t i = 0; i < kInfos.size(); ++i) {
    if (kInfos[i].name == upper) return static_cast<DType>(i);
  }
  return std::nullopt;
}

}  // namespace liftoff::kernels
