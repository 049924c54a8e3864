// Round-trip tests of quantize_row / dequantize_row for every DType: per-element error bounds
// derived from each format's step size, and relative RMS error bounds for the K-types, whose
// scale search trades a few large errors for a smaller total.
#include "liftoff/kernels/quantize.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "liftoff/kernels/dtype.h"
#include "liftoff/kernels/half.h"
#include "liftoff/kernels/quant_blocks.h"
#include "liftoff/kernels/quantize_activations.h"

namespace liftoff::kernels {
namespace {

constexpr DType kAllTypes[] = {DType::kF32,  DType::kF16,  DType::kBF16, DType::kQ8_0,
                               DType::kQ4_0, DType::kQ4_1, DType::kQ5_0, DType::kQ5_1,
                               DType::kQ4_K, DType::kQ5_K, DType::kQ6_K, DType::kQ8_K};

std::vector<float> gaussian(size_t n, uint32_t seed, float sigma = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, sigma);
  std::vector<float> x(n);
  for (float& v : x) v = dist(rng);
  return x;
}

std::vector<float> round_trip(DType type, const std::vector<float>& x) {
  std::vector<uint8_t> q(row_bytes(type, x.size()));
  quantize_row(type, x.data(), q.data(), x.size());
  std::vector<float> y(x.size());
  dequantize_row(type, q.data(), y.data(), x.size());
  return y;
}

double relative_rms_error(const std::vector<float>& x, const std::vector<float>& y) {
  double err = 0;
  double ref = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    err += (static_cast<double>(x[i]) - y[i]) * (static_cast<double>(x[i]) - y[i]);
    ref += static_cast<double>(x[i]) * x[i];
  }
  return std::sqrt(err / ref);
}

// Relative RMS error bound per type for N(0, 1) data. A uniform quantiser with step D has RMS
// error D / sqrt(12); D is (block |max|) / (levels / 2) for the symmetric types and
// (block range) / (levels - 1) for the min/scale types, which predicts the measured values
// (seed 42, 2048 elements): Q8_0 0.0055, Q4_0 0.089, Q4_1 0.077, Q5_0 0.044, Q5_1 0.038,
// Q4_K 0.072, Q5_K 0.037, Q6_K 0.018 (0.020 at sigma 1e-3, where its super-scale is a half
// subnormal), Q8_K 0.0074. Bounds sit 10-35% above, to catch a broken format, not a rounding.
double rms_bound(DType type) {
  switch (type) {
    case DType::kF32:
      return 0.0;
    case DType::kF16:
      return 4e-4;  // 11-bit mantissa: 2^-11 / sqrt(3) ~ 2.8e-4
    case DType::kBF16:
      return 3e-3;  // 8-bit mantissa: 2^-8 / sqrt(3) ~ 2.3e-3
    case DType::kQ8_0:
      return 0.0075;
    case DType::kQ4_0:
      return 0.10;
    case DType::kQ4_1:
      return 0.10;
    case DType::kQ5_0:
      return 0.05;
    case DType::kQ5_1:
      return 0.05;
    case DType::kQ4_K:
      return 0.085;
    case DType::kQ5_K:
      return 0.045;
    case DType::kQ6_K:
      return 0.021;
    case DType::kQ8_K:
      return 0.0085;
  }
  return 0;
}

TEST(Quantize, RoundTripRelativeRmsErrorIsBounded) {
  const std::vector<float> x = gaussian(8 * kQK_K, 42);
  for (DType type : kAllTypes) {
    SCOPED_TRACE(std::string(dtype_info(type).name));
    const double err = relative_rms_error(x, round_trip(type, x));
    EXPECT_LE(err, rms_bound(type));
    if (type != DType::kF32) {
      EXPECT_GT(err, 0.0);  // the data is not on any grid
    }
  }
}

TEST(Quantize, RoundTripIsScaleInvariantOverMagnitudes) {
  // Small and large magnitudes stay inside half precision's normal range for the block scales.
  for (float sigma : {1e-3f, 1.0f, 300.0f}) {
    const std::vector<float> x = gaussian(4 * kQK_K, 7, sigma);
    for (DType type : kAllTypes) {
      SCOPED_TRACE(std::string(dtype_info(type).name) + " sigma=" + std::to_string(sigma));
      EXPECT_LE(relative_rms_error(x, round_trip(type, x)), rms_bound(type) * 1.1);
    }
  }
}

TEST(Quantize, F32IsExactAndHalfTypesRoundPerElement) {
  const std::vector<float> x = gaussian(100, 3);
  EXPECT_EQ(round_trip(DType::kF32, x), x);
  const std::vector<float> h = round_trip(DType::kF16, x);
  const std::vector<float> b = round_trip(DType::kBF16, x);
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(h[i], fp16_to_fp32(fp32_to_fp16(x[i])));
    EXPECT_EQ(b[i], bf16_to_fp32(fp32_to_bf16(x[i])));
  }
}

// Per-element bounds of the 32-blocks. A code is x / d rounded, so its error is d / 2, plus the
// error of storing d (and m) in half precision, times the largest code. The symmetric types map
// the signed extreme to the most negative code; the opposite extreme can clip by one more step.
TEST(Quantize, LegacyBlocksStayWithinHalfAStep) {
  const std::vector<float> x = gaussian(64 * kQK, 11);
  const size_t n = x.size();
  std::vector<float> y(n);
  for (DType type : {DType::kQ8_0, DType::kQ4_0, DType::kQ5_0, DType::kQ4_1, DType::kQ5_1}) {
    SCOPED_TRACE(std::string(dtype_info(type).name));
    std::vector<uint8_t> q(row_bytes(type, n));
    quantize_row(type, x.data(), q.data(), n);
    dequantize_row(type, q.data(), y.data(), n);
    for (size_t b = 0; b < n / kQK; ++b) {
      const float* xb = x.data() + b * kQK;
      const auto [lo, hi] = std::minmax_element(xb, xb + kQK);
      const double amax = std::max(std::fabs(*lo), std::fabs(*hi));
      double d = 0;      // exact step
      double d_err = 0;  // |d - stored d| times the largest code magnitude, plus |m - stored m|
      double clip = 0;   // extra error allowed on the clipped extreme
      const uint8_t* blk = q.data() + b * dtype_info(type).block_bytes;
      uint16_t d16;
      std::memcpy(&d16, blk, 2);
      switch (type) {
        case DType::kQ8_0:
          d = amax / 127;
          d_err = 127 * std::fabs(d - fp16_to_fp32(d16));
          break;
        case DType::kQ4_0:
        case DType::kQ5_0: {
          const double levels = type == DType::kQ4_0 ? 8 : 16;
          d = amax / levels;
          d_err = levels * std::fabs(d - std::fabs(fp16_to_fp32(d16)));
          clip = d / 2;
          break;
        }
        default: {  // Q4_1, Q5_1
          const double levels = type == DType::kQ4_1 ? 15 : 31;
          uint16_t m16;
          std::memcpy(&m16, blk + 2, 2);
          d = (static_cast<double>(*hi) - *lo) / levels;
          d_err = levels * std::fabs(d - fp16_to_fp32(d16)) + std::fabs(*lo - fp16_to_fp32(m16));
          break;
        }
      }
      const double bound = d / 2 + clip + d_err + 1e-6 * amax;
      for (size_t j = 0; j < kQK; ++j) {
        ASSERT_LE(std::fabs(xb[j] - y[b * kQK + j]), bound) << "block " << b << " elem " << j;
      }
    }
  }
}

TEST(Quantize, Q8KStaysWithinHalfAStepAndFillsBsums) {
  const std::vector<float> x = gaussian(4 * kQK_K, 5);
  std::vector<BlockQ8_K> q(4);
  quantize_row_q8_k(x.data(), q.data(), x.size());
  std::vector<float> y(x.size());
  dequantize_row(DType::kQ8_K, q.data(), y.data(), x.size());
  for (size_t b = 0; b < q.size(); ++b) {
    float amax = 0;
    for (size_t j = 0; j < kQK_K; ++j) amax = std::max(amax, std::fabs(x[b * kQK_K + j]));
    // d is stored as float, so the only error is rounding to a step of amax / 127.
    EXPECT_NEAR(std::fabs(q[b].d), amax / 127, 1e-6 * amax);
    for (size_t j = 0; j < kQK_K; ++j) {
      ASSERT_LE(std::fabs(x[b * kQK_K + j] - y[b * kQK_K + j]), amax / 127 * (0.5 + 1e-5));
      ASSERT_GE(q[b].qs[j], -127);
    }
    for (size_t g = 0; g < kQK_K / 16; ++g) {
      int sum = 0;
      for (size_t i = 0; i < 16; ++i) sum += q[b].qs[g * 16 + i];
      EXPECT_EQ(q[b].bsums[g], sum);
    }
  }
}

TEST(Quantize, ActivationEntryPointsMatchQuantizeRow) {
  const std::vector<float> x = gaussian(2 * kQK_K, 9);
  std::vector<BlockQ8_0> a(x.size() / kQK);
  std::vector<BlockQ8_0> b(x.size() / kQK);
  quantize_row_q8_0(x.data(), a.data(), x.size());
  quantize_row(DType::kQ8_0, x.data(), b.data(), x.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(BlockQ8_0)), 0);
}

// Many blocks of one row are independent: encoding a row equals encoding its blocks one by one.
TEST(Quantize, RowIsConcatenationOfBlocks) {
  const std::vector<float> x = gaussian(3 * kQK_K, 13);
  for (DType type : kAllTypes) {
    SCOPED_TRACE(std::string(dtype_info(type).name));
    const DTypeInfo& info = dtype_info(type);
    const size_t step = std::max<size_t>(info.block_elems, 32);
    std::vector<uint8_t> whole(row_bytes(type, x.size()));
    quantize_row(type, x.data(), whole.data(), x.size());
    std::vector<uint8_t> parts(whole.size());
    for (size_t i = 0; i < x.size(); i += step) {
      quantize_row(type, x.data() + i, parts.data() + row_bytes(type, i), step);
    }
    EXPECT_EQ(whole, parts);
  }
}

}  // namespace
}  // namespace liftoff::kernels
