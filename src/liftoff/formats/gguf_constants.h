// On-disk constants of the GGUF container shared by the reader and the writer (the spec's
// numbers, not a policy); the type-tag mapping lives in ggml_type.h.
#pragma once

#include <cstdint>
#include <string_view>

namespace liftoff::formats {

inline constexpr uint32_t kGgufMagic = 0x46554747;  // "GGUF" read as a little-endian uint32
inline constexpr uint32_t kGgufMinVersion = 2;      // v1 used 32-bit counts; llama.cpp dropped it
inline constexpr uint32_t kGgufMaxVersion = 3;
inline constexpr uint32_t kGgufDefaultAlignment = 32;
inline constexpr std::string_view kGgufAlignmentKey = "general.alignment";
inline constexpr uint32_t kGgufMaxDims = 4;
// llama.cpp stores tensor names in a char[64] (GGML_MAX_NAME), NUL included.
inline constexpr size_t kGgufMaxTensorNameBytes = 63;

// Smallest possible encodings, used to reject a count that the remaining bytes could never
// hold before anything is allocated for it.
inline constexpr uint64_t kGgufMinKvBytes = 8 + 4 + 1;  // key length, type, u8 value
// Tensor info: name length, n_dims, one dim, type, offset.
inline constexpr uint64_t kGgufMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;

}  // namespace liftoff::formats
