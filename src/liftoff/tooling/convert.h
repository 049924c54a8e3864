// `liftoff convert`: a llama2.c checkpoint, a Hugging Face folder (config.json, tokenizer.json,
// safetensors or torch.save weights) or a single weights file -> one GGUF that liftoff and
// llama.cpp load. No Python at run time. Finding defaults and printing is cli/convert_command's.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/kernels/dtype.h"

namespace liftoff::tooling {

struct ConvertOptions {
  // A llama2.c checkpoint .bin, a Hugging Face model folder, a .safetensors file, or a
  // torch.save zip (.pt / .pth / .bin).
  std::filesystem::path input;
  // Hugging Face config.json; default: config.json beside the weights (or in the folder).
  std::filesystem::path config;
  // tokenizer.json for Hugging Face inputs (default: beside the weights), the tokenizer .bin for
  // llama2.c (default: tok<vocab>.bin, then tokenizer.bin beside the checkpoint).
  std::filesystem::path tokenizer;
  std::filesystem::path output;
  // Type of 2-D weights: F32, F16, BF16 or Q8_0. Norms and biases are always F32.
  kernels::DType dtype = kernels::DType::kF32;
};

// A matrix stored as F16 instead of the requested block type: its rows do not fill whole blocks.
struct ConvertFallback {
  std::string tensor;
  uint64_t row_length = 0;
};

struct ConvertReport {
  std::string source;  // "llama2.c", "safetensors (2 files)", "pytorch"
  std::string arch;    // general.architecture written
  uint64_t n_tensors = 0;
  uint64_t n_params = 0;
  uint64_t n_tensor_bytes = 0;
  std::vector<ConvertFallback> fallbacks;
  std::vector<std::string> notes;  // e.g. how the vocabulary was padded to the embedding
};

// Converts and writes options.output atomically (temp file + rename). Errors: kInvalidArgument
// (unsupported source, type or architecture; unwritable output), kNotFound (missing input,
// config or tokenizer), kCorruptData (malformed files, missing or mis-shaped tensors), the
// readers' errors, kUnavailable (write failed). Nothing is left at the output path on error.
Result<ConvertReport> convert_model(const ConvertOptions& options);

}  // namespace liftoff::tooling
