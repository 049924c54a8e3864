// f16 vector kernels (attention over the f16 KV cache) against scalar loops over half.h
// conversions, on odd sizes and random data from a fixed seed.
#include "liftoff/kernels/f16_vector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "liftoff/kernels/half.h"

namespace liftoff::kernels {
namespace {

constexpr size_t kSizes[] = {1, 7, 8, 9, 16, 31, 33, 64, 128, 4099};

std::vector<float> random_floats(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

std::vector<uint16_t> to_half(const std::vector<float>& v) {
  std::vector<uint16_t> h(v.size());
  for (size_t i = 0; i < v.size(); ++i) h[i] = fp32_to_fp16(v[i]);
  return h;
}

// f32 accumulation in another order: error <= n * eps * sum|a||b| (eps = 2^-24), bounded
// loosely by 1e-5 * sum|a||b| for these sizes.
double dot_tolerance(const std::vector<float>& a, const std::vector<uint16_t>& b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += std::abs(a[i] * fp16_to_fp32(b[i]));
  return 1e-5 * s + 1e-7;
}

TEST(F16Vector, ToF16RoundsLikeTheScalarConversion) {
  for (size_t n : kSizes) {
    auto x = random_floats(n, 1);
    std::vector<uint16_t> got(n);
    to_f16(x.data(), got.data(), n);
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(got[i], fp32_to_fp16(x[i])) << "n=" << n << " i=" << i;
  }
}

TEST(F16Vector, DotAndAxpyMatchScalar) {
  for (size_t n : kSizes) {
    auto a = random_floats(n, 2);
    auto b = to_half(random_floats(n, 3));
    double ref = 0;
    for (size_t i = 0; i < n; ++i) ref += static_cast<double>(a[i]) * fp16_to_fp32(b[i]);
    EXPECT_NEAR(dot_f16(a.data(), b.data(), n), ref, dot_tolerance(a, b, n)) << "n=" << n;

    auto y = random_floats(n, 4);
    auto y_ref = y;
    axpy_f16(0.37f, b.data(), y.data(), n);
    for (size_t i = 0; i < n; ++i) {
      y_ref[i] += 0.37f * fp16_to_fp32(b[i]);
      // One FMA vs a multiply then an add: at most one rounding apart.
      EXPECT_NEAR(y[i], y_ref[i], 1e-6f * (std::abs(y_ref[i]) + 1.0f)) << "n=" << n;
    }
  }
}

TEST(F16Vector, RowVariantsWalkTheStride) {
  const size_t n = 64, stride = 3 * 64 + 5, n_rows = 13;
  auto q = random_floats(n, 5);
  auto rows = to_half(random_floats(stride * n_rows, 6));
  std::vector<float> scores(n_rows);
  dot_f16_rows(q.data(), rows.data(), stride, n_rows, n, 0.125f, scores.data());
  for (size_t s = 0; s < n_rows; ++s) {
    std::vector<uint16_t> row(rows.begin() + s * stride, rows.begin() + s * stride + n);
    EXPECT_FLOAT_EQ(scores[s], 0.125f * dot_f16(q.data(), row.data(), n)) << "row " << s;
  }
  std::vector<float> y(n, 0.5f), y_ref(n, 0.5f);
  axpy_f16_rows(scores.data(), rows.data(), stride, n_rows, n, y.data());
  for (size_t s = 0; s < n_rows; ++s) axpy_f16(scores[s], rows.data() + s * stride, y_ref.data(), n);
  for (size_t i = 0; i < n; ++i) EXPECT_FLOAT_EQ(y[i], y_ref[i]);
}

}  // namespace
}  // namespace liftoff::kernels
