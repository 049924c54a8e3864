// Safetensors files (Hugging Face's weight format: 8-byte little-endian header length, a JSON
// header naming each tensor's dtype, shape and byte range, then the raw data) presented as a
// ModelFile whose tensors keep their Hugging Face names. Mapping names to GGUF is tooling's job.
#pragma once

#include <cstdint>
#include <filesystem>

#include "liftoff/base/status.h"
#include "liftoff/formats/model_file.h"

namespace liftoff::formats {

// The largest header accepted (the safetensors spec's own limit).
inline constexpr uint64_t kSafetensorsMaxHeaderBytes = 100u * 1024 * 1024;

// Maps `path` and validates the header before any tensor is exposed: header length within
// [2, kSafetensorsMaxHeaderBytes] and inside the file, a JSON object, dtype F32/F16/BF16,
// shape x dtype size == the byte range, ranges inside the data area and not overlapping.
// Tensor dims are in GGUF order (reversed shape); data points into the mapping (not aligned).
// Errors: kNotFound/kUnavailable (I/O), kCorruptData (naming the tensor and byte offsets),
// kInvalidArgument (a dtype other than F32/F16/BF16).
Result<ModelFile> read_safetensors(const std::filesystem::path& path);

}  // namespace liftoff::formats
