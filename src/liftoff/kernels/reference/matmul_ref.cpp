// Scalar reference matmul: dequantize a row, then a double-precision dot per token.
#include "liftoff/kernels/reference/matmul_ref.h"

#include <cstdint>
#include <vector>

#include "liftoff/kernels/dtype.h"
#include "liftoff/kernels/quantize.h"

namespace liftoff::kernels::reference {

void matmul_ref(const WeightMatrix& w, const float* x, size_t n_tokens, float* out) {
  std::vector<float> row(w.cols);
  const size_t stride = row_bytes(w.type, w.cols);
  for (size_t r = 0; r < w.rows; ++r) {
    dequantize_row(w.type, static_cast<const uint8_t*>(w.data) + r * stride, row.data(), w.cols);
    for (size_t t = 0; t < n_tokens; ++t) {
      double sum = 0.0;
      for (size_t c = 0; c < w.cols; ++c) sum += static_cast<double>(row[c]) * x[t * w.cols + c];
      out[t * w.rows + r] = static_cast<float>(sum);
    }
  }
}

}  // namespace liftoff::kernels::reference
