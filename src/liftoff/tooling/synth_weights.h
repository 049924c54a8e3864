// Deterministic random tensor data for synthetic models ("dummy weights"): values are generated
// per row from (seed, tensor name, row), so the bytes do not depend on the thread count, and are
// encoded with the reference quantizers. Which tensors exist and their types is synth.cpp's job.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "liftoff/base/thread_pool.h"
#include "liftoff/kernels/dtype.h"

namespace liftoff::tooling {

// How a tensor's values are drawn: mean + stddev * z, z approximately standard normal.
struct SynthInit {
  float mean = 0.0f;
  float stddev = 0.02f;
};

// Row `row` of tensor `name`: n values into `out`. Pure function of its arguments.
void synth_row_values(uint64_t seed, std::string_view name, uint64_t row, const SynthInit& init,
                      float* out, size_t n);

// A [n_rows, n_cols] tensor (GGUF dims {n_cols, n_rows}) encoded as `dtype`, rows spread over the
// pool. n_cols must be a multiple of dtype's block size (the caller picks a fitting type).
std::vector<uint8_t> synth_tensor_data(uint64_t seed, std::string_view name, uint64_t n_cols,
                                       uint64_t n_rows, kernels::DType dtype, const SynthInit& init,
                                       base::ThreadPool& pool);

}  // namespace liftoff::tooling
