// Synthetic models: a GGUF with a real checkpoint's exact shape and vocabulary but random weights
// (like vLLM's dummy weights), loadable by llama.cpp and liftoff alike, so both engines can be
// benchmarked on the same file without downloading the checkpoint. Finding the vocab file and
// parsing flags is cli/synth_command.cpp's job.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/base/thread_pool.h"
#include "liftoff/kernels/dtype.h"
#include "liftoff/tooling/synth_preset.h"

namespace liftoff::tooling {

struct SynthOptions {
  std::string preset;                           // a synth_presets() name
  kernels::DType dtype = kernels::DType::kF16;  // of every matrix, token_embd included
  uint64_t seed = 42;
  // GGUF whose tokenizer.* metadata is used, or a Hugging Face tokenizer.json (byte-level BPE).
  std::filesystem::path vocab_path;
  std::filesystem::path output_path;
};

// A matrix stored in another type than asked, because its row length does not fit the block.
struct SynthFallback {
  std::string tensor;
  uint64_t row_length = 0;
  kernels::DType requested;
  kernels::DType used;
};

struct SynthReport {
  SynthPreset preset;
  uint32_t file_type = 0;  // general.file_type written (llama.cpp's LLAMA_FTYPE_*)
  uint64_t n_params = 0;
  uint64_t n_tensor_bytes = 0;
  std::vector<SynthFallback> fallbacks;
  std::vector<std::string> vocab_notes;  // how the vocabulary was fitted (cut, padded, remapped)
};

// The type a matrix with rows of n_cols weights is stored in when `requested` is asked for,
// decided as llama-quantize does: a K type whose 256-block does not divide the row falls back
// (Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0), then to F16 if the 32-block does not divide it
// either. Error kInvalidArgument for a non-K type whose block does not divide the row (llama.cpp
// has no fallback for those).
Result<kernels::DType> synth_storage_type(kernels::DType requested, uint64_t n_cols);

// llama.cpp's LLAMA_FTYPE_* for a file whose matrices are all `dtype` (K types map to the
// "small" variant: Q4_K -> Q4_K_S, which has the fewest per-tensor exceptions). Error
// kInvalidArgument for a type that is not a weight-file type (Q8_K).
Result<uint32_t> llama_file_type(kernels::DType dtype);

// Generates the model and writes it to options.output_path (atomically: nothing is left behind
// on error). Deterministic for a given seed, whatever the pool size. Errors: kInvalidArgument
// (unknown preset, unsupported type, output folder missing or not writable), kNotFound /
// kCorruptData (vocab file), kUnavailable (write failed).
Result<SynthReport> synthesize_model(const SynthOptions& options, base::ThreadPool& pool);

}  // namespace liftoff::tooling
