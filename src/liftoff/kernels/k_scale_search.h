// Per-group scale searches of the K-quant formats: given a small group of weights, pick the scale
// (and, for the asymmetric formats, the min) that minimise weighted squared error. These decide
// the bits llama.cpp writes, so every float operation keeps llama.cpp's order: reordering a sum
// changes a rounding and, now and then, a chosen level.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace liftoff::kernels {

// The largest group the searches accept (Q4_K/Q5_K use 32, Q6_K 16); sizes their scratch.
inline constexpr size_t kMaxSearchGroup = 32;

// Round to nearest, ties to even, for |x| < 2^22. Adding 1.5 * 2^23 pushes the fraction out of
// the float mantissa (the FPU rounds it, in the default rounding mode), and the integer is then
// read back from the low mantissa bits. Branch-free and exact in that range.
inline int nearest_int(float x) {
  const float shifted = x + 12582912.0f;
  int32_t bits;
  std::memcpy(&bits, &shifted, sizeof(bits));
  return (bits & 0x007fffff) - 0x00400000;
}

// How fit_scale_min scans candidate scales: nmax levels (15 for 4-bit, 31 for 5-bit), and
// n_steps + 1 trial inverse scales (nmax + rmin + rdelta * i) / (max - min).
struct ScaleMinSearch {
  int nmax;
  float rmin;
  float rdelta;
  int n_steps;
};

// Asymmetric fit x[i] ~= scale * levels[i] - min_out, levels in [0, nmax], minimising
// sum w[i] * err^2, where min_out >= 0 (the group minimum is never raised above zero).
// Returns scale. n <= kMaxSearchGroup. Same decisions as llama.cpp's make_qkx2_quants.
float fit_scale_min(const float* x, const float* w, size_t n, const ScaleMinSearch& search,
                    uint8_t* levels, float* min_out);

// Symmetric fit x[i] ~= scale * (levels[i] - nmax), levels in [0, 2 * nmax), minimising
// sum x[i]^2 * err^2 over 19 trial scales around nmax / max|x|. Returns scale (negative when
// the largest-magnitude element is positive: the extreme lands on level 0, i.e. -nmax).
// n <= kMaxSearchGroup. Same decisions as llama.cpp's make_qx_quants with rmse_type 1.
float fit_symmetric_scale(const float* x, size_t n, int nmax, int8_t* levels);

}  // namespace liftoff::kernels
