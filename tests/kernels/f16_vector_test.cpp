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

// Keys stored slot-minor ([width][stride]): every head count up to 9 (groups of 4, then the
// rest), blocks whose slot count is and is not a multiple of the vector length, partly filled
// blocks. Scores match a scalar dot product; slots past `count` are never written.
TEST(F16Vector, ColumnScoresServeEveryHeadOfAGroup) {
  for (size_t stride : {size_t{5}, size_t{16}, size_t{19}, size_t{32}}) {
    for (size_t count : {size_t{1}, stride - 1, stride}) {
      if (count == 0) continue;
      for (size_t width : {size_t{8}, size_t{9}, size_t{64}}) {
        for (size_t heads = 1; heads <= 9; ++heads) {
          const size_t scores_stride = stride + 3;
          auto q = random_floats(heads * width, 5);
          auto data = to_half(random_floats(width * stride, 6));
          std::vector<float> scores(heads * scores_stride, -1.0f);
          dot_f16_columns({data.data(), stride, count, width}, q.data(), width, heads, 0.125f,
                          scores.data(), scores_stride);
          for (size_t h = 0; h < heads; ++h) {
            for (size_t s = 0; s < scores_stride; ++s) {
              const float got = scores[h * scores_stride + s];
              if (s >= count) {
                ASSERT_EQ(got, -1.0f) << "slot " << s << " past count " << count << " written";
                continue;
              }
              std::vector<float> qh(q.begin() + h * width, q.begin() + (h + 1) * width);
              std::vector<uint16_t> key(width);
              double ref = 0;
              for (size_t i = 0; i < width; ++i) {
                key[i] = data[i * stride + s];
                ref += static_cast<double>(qh[i]) * fp16_to_fp32(key[i]);
              }
              ASSERT_NEAR(got, 0.125 * ref, 0.125 * dot_tolerance(qh, key, width))
                  << "stride=" << stride << " count=" << count << " width=" << width
                  << " heads=" << heads << " head " << h << " slot " << s;
            }
          }
        }
      }
    }
  }
}

// Values stored slot-major: each head's weighted row sum matches one-head axpy calls.
TEST(F16Vector, RowSumsServeEveryHeadOfAGroup) {
  for (size_t n : {size_t{8}, size_t{64}, size_t{9}, size_t{100}}) {
    for (size_t heads = 1; heads <= 9; ++heads) {
      const size_t stride = 3 * n + 5, n_rows = 13, weights_stride = 17, y_stride = n + 3;
      auto weights = random_floats(heads * weights_stride, 5);
      auto data = to_half(random_floats(stride * n_rows, 6));
      const F16Rows rows{data.data(), stride, n_rows, n};
      auto y = random_floats(heads * y_stride, 7);
      auto y_ref = y;
      axpy_f16_rows(rows, weights.data(), weights_stride, heads, y.data(), y_stride);
      for (size_t h = 0; h < heads; ++h) {
        for (size_t s = 0; s < n_rows; ++s) {
          axpy_f16(weights[h * weights_stride + s], data.data() + s * stride,
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
