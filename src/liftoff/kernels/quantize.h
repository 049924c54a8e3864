// Row conversion between float and every DType: the reference (scalar) definitions of the block
// formats. Used to read embeddings, to write synthetic/quantized models, and as the test oracle
// for the SIMD dot products.
#pragma once

#include <cstddef>

#include "liftoff/kernels/dtype.h"

namespace liftoff::kernels {

// dst[0..n) = the values encoded in `src` (a row of n elements of `type`).
// n must be a multiple of dtype_info(type).block_elems.
void dequantize_row(DType type, const void* src, float* dst, size_t n);

// Encodes n floats as a row of `type` (round-to-nearest as llama.cpp's reference quantizers do,
// so files we write load in llama.cpp and decode to the same values).
void quantize_row(DType type, const float* src, void* dst, size_t n);

}  // namespace liftoff::kernels
