// `liftoff quantize`: rewrites a model file with its weight matrices in a quantized type. Type
// decisions are quantize_plan.h's; this reads each tensor, converts its rows on the pool
// (dequantize to f32, encode with kernels::quantize_row), copies the metadata and writes the
// result through GgufWriter (temp file + rename, so a failure leaves nothing at the output path).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/base/thread_pool.h"
#include "liftoff/tooling/quantize_plan.h"

namespace liftoff::tooling {

struct QuantizeOptions {
  std::filesystem::path input;   // GGUF or llama2.c checkpoint (anything open_model_file reads)
  std::filesystem::path output;  // GGUF to write
  QuantRecipe recipe;
  std::vector<KeepRule> keep;
};

struct QuantizeReport {
  std::vector<TensorQuantPlan> tensors;  // in file order
  uint64_t bytes_in = 0;                 // tensor data of the input
  uint64_t bytes_out = 0;                // tensor data of the output
  uint64_t n_params = 0;
  // Tensors that were already quantized in the input and were decoded and encoded again (each
  // round adds its own error on top of the first one's).
  size_t n_requantized = 0;
};

// Quantizes options.input into options.output. on_tensor (optional) is called on the calling
// thread after each tensor is converted, with its index and plan. Errors: kNotFound (no input),
// kCorruptData (bad input), kInvalidArgument (output folder missing or not writable, output ==
// input, bad --keep), kUnavailable (write failed); in every error case no output file is left.
Result<QuantizeReport> quantize_model(
    const QuantizeOptions& options, base::ThreadPool& pool,
    const std::function<void(size_t, const TensorQuantPlan&)>& on_tensor = {});

// Converts one tensor of n_rows rows of `row` elements from `from` to `to`, rows spread over the
// pool. `src` holds row_bytes(from, row) * n_rows bytes; returns the encoded bytes.
std::vector<uint8_t> convert_tensor(const uint8_t* src, kernels::DType from, kernels::DType to,
                                    uint64_t row, uint64_t n_rows, base::ThreadPool& pool);

}  // namespace liftoff::tooling
