// GGUF v2/v3 reader: parses header, metadata and tensor infos from an mmap, validating every
// count, length, type and offset against the file; weights are not copied.
#pragma once

#include <filesystem>
#include <optional>

#include "liftoff/base/status.h"
#include "liftoff/formats/model_file.h"

namespace liftoff::formats {

// Errors are kCorruptData (or kNotFound for a missing file) with a message that names the
// problem and its byte offset, e.g. "GGUF tensor 'output.weight': data ends at byte 1,234 but
// the file has 1,000 bytes". Never crashes, never allocates more than the file could justify.
Result<ModelFile> read_gguf(const std::filesystem::path& path);

// Same, over bytes the caller keeps alive (used by tests and by read_gguf).
Result<ModelFile> parse_gguf(std::span<const uint8_t> bytes);

// ggml type tag (GGML_TYPE_*) -> DType, or nullopt for a type liftoff does not support.
std::optional<kernels::DType> dtype_from_ggml_type(uint32_t ggml_type);
uint32_t ggml_type_from_dtype(kernels::DType dtype);

}  // namespace liftoff::formats
