// Scalar references of the vector kernels. Accumulations are in double so the reference is
// more accurate than any SIMD version it checks; elementwise functions evaluate in double and
// round once.
#include "liftoff/kernels/reference/elementwise_ref.h"

#include <algorithm>
#include <cmath>

namespace liftoff::kernels::reference {

void rms_norm(const float* x, const float* weight, float eps, float* out, size_t n) {
  double sum_sq = 0;
  for (size_t i = 0; i < n; ++i) sum_sq += static_cast<double>(x[i]) * x[i];
  const double scale = 1.0 / std::sqrt(sum_sq / static_cast<double>(n) + eps);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(x[i] * scale * weight[i]);
}

void silu_mul(const float* gate, const float* up, float* out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const double g = gate[i];
    out[i] = static_cast<float>(g / (1.0 + std::exp(-g)) * up[i]);
  }
}

void gelu_mul(const float* gate, const float* up, float* out, size_t n) {
  constexpr double kSqrt2OverPi = 0.79788456080286535588;
  for (size_t i = 0; i < n; ++i) {
    const double g = gate[i];
    const double gelu = 0.5 * g * (1.0 + std::tanh(kSqrt2OverPi * g * (1.0 + 0.044715 * g * g)));
    out[i] = static_cast<float>(gelu * up[i]);
  }
}

void softmax(float* x, size_t n) {
  const float max = *std::max_element(x, x + n);
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(x[i]) - max);
  for (size_t i = 0; i < n; ++i) {
    x[i] = static_cast<float>(std::exp(static_cast<double>(x[i]) - max) / sum);
  }
}

void axpy(float a, const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = static_cast<float>(static_cast<double>(a) * x[i] + y[i]);
}

float dot(const float* a, const float* b, size_t n) {
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += static_cast<double>(a[i]) * b[i];
  return static_cast<float>(sum);
}

void add(const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] += x[i];
}

void rope(float* x, size_t n_heads, size_t head_dim, size_t n_rot, int32_t pos, float freq_base,
          float freq_scale, RopeMode mode) {
  const float theta_scale = std::pow(freq_base, -2.0f / static_cast<float>(n_rot));
  const size_t half = n_rot / 2;
  float theta = static_cast<float>(pos);
  for (size_t p = 0; p < half; ++p) {
    const float angle = freq_scale * theta;
    const float c = std::cos(angle);
    const float s = std::sin(angle);
    theta *= theta_scale;
    // Normal: the pair is adjacent (2p, 2p+1); NeoX: the two halves of the rotated dims.
    const size_t i0 = mode == RopeMode::kNormal ? 2 * p : p;
    const size_t i1 = mode == RopeMode::kNormal ? 2 * p + 1 : p + half;
    for (size_t h = 0; h < n_heads; ++h) {
      float* head = x + h * head_dim;
      const float x0 = head[i0];
      const float x1 = head[i1];
      head[i0] = x0 * c - x1 * s;
      head[i1] = x0 * s + x1 * c;
    }
  }
}

}  // namespace liftoff::kernels::reference
