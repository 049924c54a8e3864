// Matrix multiplication of a weight matrix in any DType by float activations. Activations are
// quantized on the fly (to Q8_0 for the *_0/*_1 types, to Q8_K for the K-types) so the inner
// loop is an integer dot product, as llama.cpp does. Dispatches to the best SIMD target at run
// time (Highway); a scalar reference lives in kernels/reference/.
#pragma once

#include <cstddef>
#include <span>

#include "liftoff/base/thread_pool.h"
#include "liftoff/kernels/dtype.h"
#include "liftoff/kernels/workspace.h"

namespace liftoff::kernels {

// A row-major weight matrix: `rows` rows (output features) of `cols` elements (input features),
// each row row_bytes(type, cols) bytes, rows contiguous. Does not own `data` (usually mmap).
struct WeightMatrix {
  DType type = DType::kF32;
  const void* data = nullptr;
  size_t rows = 0;
  size_t cols = 0;
};

// out[t * w.rows + r] = sum_c w[r][c] * x[t * w.cols + c] for t < n_tokens, r < w.rows.
// x: [n_tokens, cols] floats; out: [n_tokens, rows] floats (must not alias x).
// Splits rows (and tokens, for prefill) over `pool`; uses `ws` for quantized activations.
void matmul(const WeightMatrix& w, const float* x, size_t n_tokens, float* out,
            base::ThreadPool& pool, Workspace& ws);

// One weight matrix and where its product goes.
struct MatmulTarget {
  WeightMatrix w;
  float* out = nullptr;  // [n_tokens, w.rows]
};

// Several matmuls of the same input (Q/K/V, gate/up): out_i = W_i x for each target, with the
// activations quantized once and all rows split over one parallel job. Results are bit-identical
// to separate matmul() calls. All targets must have the same cols; at most 4 targets. Targets of
// different types are computed one after another.
void matmul_shared_input(std::span<const MatmulTarget> targets, const float* x, size_t n_tokens,
                         base::ThreadPool& pool, Workspace& ws);

}  // namespace liftoff::kernels
