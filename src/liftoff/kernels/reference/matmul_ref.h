// Scalar reference for kernels::matmul: every weight row is decoded with the reference
// dequantizer (kernels/quantize.h) and dotted with the unquantized activations in double.
// Slow and obviously correct; the test oracle for the SIMD kernels.
#pragma once

#include <cstddef>

#include "liftoff/kernels/matmul.h"

namespace liftoff::kernels::reference {

// Same contract as kernels::matmul (out[t * w.rows + r]); single-threaded, allocates a row.
void matmul_ref(const WeightMatrix& w, const float* x, size_t n_tokens, float* out);

}  // namespace liftoff::kernels::reference
