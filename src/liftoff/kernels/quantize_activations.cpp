// Activation quantizers (Q8_0, Q8_K). Scalar and written so the compiler can vectorise the inner
// loops; they also serve as the Q8_0/Q8_K reference encoders, so rounding follows llama.cpp's
// quantize_row_q8_0_ref / quantize_row_q8_K_ref exactly.
#include "liftoff/kernels/quantize_activations.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "liftoff/kernels/half.h"
#include "liftoff/kernels/k_scale_search.h"  // nearest_int

namespace liftoff::kernels {
namespace {

// roundf() semantics (ties away from zero) for |v| < 2^23 without a libm call: truncate the
// magnitude, then bump it when the dropped fraction is at least one half (the subtraction is
// exact in that range).
inline int round_half_away(float v) {
  const float a = std::fabs(v);
  int i = static_cast<int>(a);
  if (a - static_cast<float>(i) >= 0.5f) ++i;
  return v < 0 ? -i : i;
}

}  // namespace

void quantize_row_q8_0(const float* x, BlockQ8_0* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, x += kQK) {
    float amax = 0.0f;
    for (size_t j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[b].d = fp32_to_fp16(d);
    for (size_t j = 0; j < kQK; ++j) y[b].qs[j] = static_cast<int8_t>(round_half_away(x[j] * id));
  }
}

void quantize_row_q8_k(const float* x, BlockQ8_K* y, size_t n) {
  for (size_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    float amax = 0.0f;
    float max = 0.0f;  // signed value of the largest-magnitude element
    for (size_t j = 0; j < kQK_K; ++j) {
      if (std::fabs(x[j]) > amax) {
        amax = std::fabs(x[j]);
        max = x[j];
      }
    }
    if (amax == 0) {
      // llama.cpp leaves bsums unwritten here; zero is the only value consistent with qs.
      std::memset(&y[b], 0, sizeof(BlockQ8_K));
      continue;
    }
    // The extreme element maps to -127 (not -128) so |q| <= 127 and q * q-products stay in range.
    const float iscale = -127.f / max;
    for (size_t j = 0; j < kQK_K; ++j) {
      y[b].qs[j] = static_cast<int8_t>(std::min(127, nearest_int(iscale * x[j])));
    }
    for (size_t g = 0; g < kQK_K / 16; ++g) {
      int sum = 0;
      for (size_t i = 0; i < 16; ++i) sum += y[b].qs[16 * g + i];
      y[b].bsums[g] = static_cast<int16_t>(sum);
    }
    y[b].d = 1 / iscale;
  }
}

}  // namespace liftoff::kernels
