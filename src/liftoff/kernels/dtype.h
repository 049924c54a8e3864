// DType: the element/block types a weight row can have, and their block geometry. Block layouts
// are the public llama.cpp (ggml) formats; the structs live in quant_blocks.h.
// Mapping a GGUF type tag to a DType belongs to formats/, not here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace liftoff::kernels {

enum class DType : uint8_t {
  kF32,
  kF16,
  kBF16,
  kQ8_0,
  kQ4_0,
  kQ4_1,
  kQ5_0,
  kQ5_1,
  kQ4_K,
  kQ5_K,
  kQ6_K,
  kQ8_K,
};

struct DTypeInfo {
  std::string_view name;  // "F32", "Q4_K", ... as llama.cpp prints them
  size_t block_elems;     // weights per block (1 for F32/F16/BF16)
  size_t block_bytes;     // bytes per block
};

const DTypeInfo& dtype_info(DType type);

// Bytes of a row of n elements; n must be a multiple of block_elems (callers validate first).
size_t row_bytes(DType type, size_t n);

// Case-insensitive "q4_k" / "Q4_K" / "f16" -> DType.
std::optional<DType> dtype_from_name(std::string_view name);

}  // namespace liftoff::kernels
