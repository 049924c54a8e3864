// Scale searches of the K-quants. Float expressions are written in llama.cpp's evaluation order
// (left to right, no fused multiply-add: this file must not be built with -ffp-contract=fast) so
// the chosen levels and scales match its reference quantizers bit for bit.
#include "liftoff/kernels/k_scale_search.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "liftoff/base/status.h"  // LIFTOFF_CHECK

namespace liftoff::kernels {
namespace {

// Below this the group is treated as all zero (llama.cpp's GROUP_MAX_EPS).
constexpr float kGroupMaxEps = 1e-15f;

// Weighted sums of one trial quantisation; all float, accumulated in index order.
struct LevelSums {
  float sum_l = 0;   // sum w * l
  float sum_l2 = 0;  // sum w * l * l
  float sum_xl = 0;  // sum w * l * x
};

}  // namespace

float fit_scale_min(const float* x, const float* w, size_t n, const ScaleMinSearch& search,
                    uint8_t* levels, float* min_out) {
  LIFTOFF_CHECK(n >= 1 && n <= kMaxSearchGroup);
  const int nmax = search.nmax;
  float min = x[0];
  float max = x[0];
  float sum_w = w[0];
  float sum_x = sum_w * x[0];
  for (size_t i = 1; i < n; ++i) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
    sum_w += w[i];
    sum_x += w[i] * x[i];
  }
  if (min > 0) min = 0;  // the offset only ever lowers the grid; positive groups start at 0
  if (max == min) {
    std::fill(levels, levels + n, uint8_t{0});
    *min_out = -min;
    return 0.0f;
  }

  // Start from the plain min..max grid and remember its error.
  float iscale = static_cast<float>(nmax) / (max - min);
  float scale = 1 / iscale;
  float best_error = 0;
  for (size_t i = 0; i < n; ++i) {
    const int l = std::clamp(nearest_int(iscale * (x[i] - min)), 0, nmax);
    levels[i] = static_cast<uint8_t>(l);
    const float diff = scale * levels[i] + min - x[i];
    best_error += w[i] * (diff * diff);
  }
  if (search.n_steps < 1) {
    *min_out = -min;
    return scale;
  }

  // Try slightly stretched/shrunk grids; for each, solve the weighted least-squares line
  // x ~= scale * l + min in closed form and keep it if it lowers the error.
  std::array<uint8_t, kMaxSearchGroup> trial;
  for (int step = 0; step <= search.n_steps; ++step) {
    iscale = (search.rmin + search.rdelta * step + nmax) / (max - min);
    LevelSums s;
    for (size_t i = 0; i < n; ++i) {
      const int l = std::clamp(nearest_int(iscale * (x[i] - min)), 0, nmax);
      trial[i] = static_cast<uint8_t>(l);
      s.sum_l += w[i] * l;
      s.sum_l2 += w[i] * l * l;
      s.sum_xl += w[i] * l * x[i];
    }
    const float det = sum_w * s.sum_l2 - s.sum_l * s.sum_l;
    if (!(det > 0)) continue;
    float this_scale = (sum_w * s.sum_xl - sum_x * s.sum_l) / det;
    float this_min = (s.sum_l2 * sum_x - s.sum_l * s.sum_xl) / det;
    if (this_min > 0) {  // a positive offset is not representable; refit through the origin
      this_min = 0;
      this_scale = s.sum_xl / s.sum_l2;
    }
    float error = 0;
    for (size_t i = 0; i < n; ++i) {
      const float diff = this_scale * trial[i] + this_min - x[i];
      error += w[i] * (diff * diff);
    }
    if (error < best_error) {
      std::copy(trial.begin(), trial.begin() + static_cast<std::ptrdiff_t>(n), levels);
      best_error = error;
      scale = this_scale;
      min = this_min;
    }
  }
  *min_out = -min;
  return scale;
}

float fit_symmetric_scale(const float* x, size_t n, int nmax, int8_t* levels) {
  LIFTOFF_CHECK(n >= 1 && n <= kMaxSearchGroup);
  float max = 0;  // signed value of the largest-magnitude element
  float amax = 0;
  for (size_t i = 0; i < n; ++i) {
    const float ax = std::fabs(x[i]);
    if (ax > amax) {
      amax = ax;
      max = x[i];
    }
  }
  if (amax < kGroupMaxEps) {
    std::fill(levels, levels + n, int8_t{0});
    return 0.0f;
  }

  // Quantises with inverse scale `iscale` into `out` (offset by nmax) and returns the weighted
  // sums sum x^2 * x * l and sum x^2 * l^2 (weights x^2 favour the large elements).
  auto quantise = [&](float iscale, int8_t* out, float* sum_lx, float* sum_l2) {
    float lx = 0;
    float l2 = 0;
    for (size_t i = 0; i < n; ++i) {
      const int l = std::clamp(nearest_int(iscale * x[i]), -nmax, nmax - 1);
      out[i] = static_cast<int8_t>(l + nmax);
      const float w = x[i] * x[i];
      lx += w * x[i] * l;
      l2 += w * l * l;
    }
    *sum_lx = lx;
    *sum_l2 = l2;
  };

  float sum_lx;
  float sum_l2;
  quantise(static_cast<float>(-nmax) / max, levels, &sum_lx, &sum_l2);
  float scale = sum_l2 != 0 ? sum_lx / sum_l2 : 0.0f;
  float best = scale * sum_lx;  // error reduction of the least-squares scale: sum_lx^2 / sum_l2

  std::array<int8_t, kMaxSearchGroup> trial;
  for (int step = -9; step <= 9; ++step) {
    if (step == 0) continue;
    const float iscale = -(nmax + 0.1f * step) / max;
    quantise(iscale, trial.data(), &sum_lx, &sum_l2);
    if (sum_l2 > 0 && sum_lx * sum_lx > best * sum_l2) {
      std::copy(trial.begin(), trial.begin() + static_cast<std::ptrdiff_t>(n), levels);
      scale = sum_lx / sum_l2;
      best = scale * sum_lx;
    }
  }
  return scale;
}

}  // namespace liftoff::kernels
