// Quantizers for activations, called by matmul on every token: float rows to the Q8_0 / Q8_K
// blocks the integer dot products consume. Bit-identical to quantize_row(kQ8_0 / kQ8_K, ...);
// these entry points exist so the hot path skips the DType switch and can become SIMD.
#pragma once

#include <cstddef>

#include "liftoff/kernels/quant_blocks.h"

namespace liftoff::kernels {

// n floats -> n / 32 Q8_0 blocks. n must be a multiple of kQK. Does not allocate.
void quantize_row_q8_0(const float* x, BlockQ8_0* y, size_t n);

// n floats -> n / 256 Q8_K blocks, bsums filled. n must be a multiple of kQK_K. Does not allocate.
void quantize_row_q8_k(const float* x, BlockQ8_K* y, size_t n);

}  // namespace liftoff::kernels
