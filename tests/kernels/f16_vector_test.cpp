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

// Every head count up to 9 (groups of 4, then the rest) and widths with and without a tail:
// each head's scores and outputs match the one-head dot/axpy on the same rows.
TEST(F16Vector, RowVariantsServeEveryHeadOfAGroup) {
  for (size_t n : {size_t{8}, size_t{64}, size_t{9}, size_t{100}}) {
    for (size_t heads = 1; heads <= 9; ++heads) {
      const size_t stride = 3 * n + 5, n_rows = 13, scores_stride = 17, y_stride = n + 3;
      auto q = random_floats(heads * n, 5);
      auto data = to_half(random_floats(stride * n_rows, 6));
      const F16Rows rows{data.data(), stride, n_rows, n};
      std::vector<float> scores(heads * scores_stride, -1.0f);
      dot_f16_rows(rows, q.data(), n, heads, 0.125f, scores.data(), scores_stride);
      for (size_t h = 0; h < heads; ++h) {
        for (size_t s = 0; s < n_rows; ++s) {
          std::vector<float> qh(q.begin() + h * n, q.begin() + (h + 1) * n);
          std::vector<uint16_t> row(data.begin() + s * stride, data.begin() + s * stride + n);
          EXPECT_NEAR(scores[h * scores_stride + s], 0.125f * dot_f16(qh.data(), row.data(), n),
                      0.125 * dot_tolerance(qh, row, n))
              << "n=" << n << " heads=" << heads << " head " << h << " row " << s;
        }
      }
      auto y = random_floats(heads * y_stride, 7);
      auto y_ref = y;
      axpy_f16_rows(rows, scores.data(), scores_stride, heads, y.data(), y_stride);
      for (size_t h = 0; h < heads; ++h) {
        for (size_t s = 0; s < n_rows; ++s) {
          axpy_f16(scores[h * scores_stride + s], data.data() + s * stride,
                   y_ref.data() + h * y_stride, n);
        }
      }
      for (size_t i = 0; i < y.size(); ++i) {
        // The padding between heads (i % y_stride >= n) must stay untouched.
        EXPECT_NEAR(y[i], y_ref[i], 1e-5f * (std::abs(y_ref[i]) + 1.0f))
            << "n=" << n << " heads=" << heads << " i=" << i;
      }
    }
  }
}

}  // namespace
}  // namespace liftoff::kernels
