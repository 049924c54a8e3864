// Per-target tests of the vector kernels (elementwise-inl.h) against the scalar references, over
// odd sizes and fixed-seed random data, plus hand-computed RoPE cases that pin down llama.cpp's
// pairing conventions. Every compiled and supported SIMD target runs each test.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/elementwise_test.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "hwy/tests/hwy_gtest.h"
#include "liftoff/kernels/elementwise-inl.h"
#include "liftoff/kernels/reference/elementwise_ref.h"

// Shared by all targets; defined once.
#ifndef LIFTOFF_TESTS_KERNELS_ELEMENTWISE_TEST_ONCE_
#define LIFTOFF_TESTS_KERNELS_ELEMENTWISE_TEST_ONCE_
namespace liftoff::kernels::test {

// Unit roundoff of float.
inline constexpr double kEps = 0x1p-24;

inline std::vector<float> uniform(size_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

}  // namespace liftoff::kernels::test
#endif

HWY_BEFORE_NAMESPACE();
namespace liftoff::kernels::HWY_NAMESPACE {
namespace {

using test::kEps;
using test::uniform;

// 1, 7, 8, 9, 31, 33 and 4099 (odd sizes around common lane counts), plus lanes - 1, lanes and
// lanes + 1 of this target.
std::vector<size_t> sizes() {
  const size_t lanes = hn::Lanes(DF());
  std::vector<size_t> s = {1, 7, 8, 9, 31, 33, 4099, lanes, lanes + 1};
  if (lanes > 1) s.push_back(lanes - 1);
  return s;
}

// Any summation order of n terms errs by at most gamma_n * sum |terms| (Higham, "Accuracy and
// Stability of Numerical Algorithms", 4.2), gamma_n ~ n * eps; the products add one rounding.
void test_dot() {
  for (size_t n : sizes()) {
    const std::vector<float> a = uniform(n, 1, -2, 2);
    const std::vector<float> b = uniform(n, 2, -2, 2);
    double abs_sum = 0;
    for (size_t i = 0; i < n; ++i) abs_sum += std::fabs(static_cast<double>(a[i]) * b[i]);
    const double ref = reference::dot(a.data(), b.data(), n);
    EXPECT_NEAR(dot(a.data(), b.data(), n), ref, (n + 2) * kEps * abs_sum) << "n=" << n;
  }
}

// The sum of squares carries the dot bound (relative, as all terms are positive); 1/sqrt halves
// it, and the two final multiplies add a rounding each.
void test_rms_norm() {
  for (size_t n : sizes()) {
    const std::vector<float> x = uniform(n, 3, -3, 3);
    const std::vector<float> w = uniform(n, 4, 0.5f, 1.5f);
    std::vector<float> got(n);
    std::vector<float> ref(n);
    rms_norm(x.data(), w.data(), 1e-5f, got.data(), n);
    reference::rms_norm(x.data(), w.data(), 1e-5f, ref.data(), n);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_NEAR(got[i], ref[i], (n / 2.0 + 8) * kEps * std::fabs(ref[i])) << "n=" << n;
    }
    // In place (out aliases x) gives the same result.
    std::vector<float> inplace = x;
    rms_norm(inplace.data(), w.data(), 1e-5f, inplace.data(), n);
    EXPECT_EQ(inplace, got);
  }
}

// Highway's Exp is within 1 ulp; 1 + e, the division and the multiply by up add one rounding
// each, and an error in e shrinks by e / (1 + e) <= 1 in the quotient: <= 5 ulp relative.
// Inputs include +-100 to check the clamp keeps exp finite (silu(-100) ~ 0, silu(100) = 100).
void test_silu_mul() {
  for (size_t n : sizes()) {
    std::vector<float> gate = uniform(n, 5, -12, 12);
    const std::vector<float> up = uniform(n, 6, -2, 2);
    if (n > 3) {
      gate[1] = -100.0f;
      gate[2] = 100.0f;
    }
    std::vector<float> got(n);
    std::vector<float> ref(n);
    silu_mul(gate.data(), up.data(), got.data(), n);
    reference::silu_mul(gate.data(), up.data(), ref.data(), n);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_NEAR(got[i], ref[i], 8 * kEps * std::fabs(ref[i]) + 1e-30) << "n=" << n << " i=" << i;
    }
  }
}

// gelu = x / (1 + e^(-2z)), z = sqrt(2/pi) (x + 0.044715 x^3): z carries ~4 roundings, and an
// error dz becomes a relative error |2z| * dz / z in e^(-2z), so the bound grows with |z|
// (|2z| <= 25 for |x| <= 6): relative (4 |2z| + 8) ulp.
void test_gelu_mul() {
  for (size_t n : sizes()) {
    const std::vector<float> gate = uniform(n, 7, -6, 6);
    const std::vector<float> up = uniform(n, 8, -2, 2);
    std::vector<float> got(n);
    std::vector<float> ref(n);
    gelu_mul(gate.data(), up.data(), got.data(), n);
    reference::gelu_mul(gate.data(), up.data(), ref.data(), n);
    for (size_t i = 0; i < n; ++i) {
      const double g = gate[i];
      const double z2 = 2 * 0.7978845608 * std::fabs(g + 0.044715 * g * g * g);
      ASSERT_NEAR(got[i], ref[i], (4 * z2 + 8) * kEps * std::fabs(ref[i]) + 1e-30)
          << "n=" << n << " x=" << g;
    }
  }
}

// Each e_i = Exp(x_i - max): the subtraction errs by <= eps |x_i - max| in the exponent, Exp by
// 1 ulp; the sum of positive terms by gamma_n relative; the scale by one rounding.
void test_softmax() {
  for (size_t n : sizes()) {
    std::vector<float> got = uniform(n, 9, -8, 8);
    std::vector<float> ref = got;
    const float max = *std::max_element(got.begin(), got.end());
    std::vector<double> spread(n);
    for (size_t i = 0; i < n; ++i) spread[i] = std::fabs(got[i] - max);
    softmax(got.data(), n);
    reference::softmax(ref.data(), n);
    double total = 0;
    for (size_t i = 0; i < n; ++i) {
      ASSERT_NEAR(got[i], ref[i], (n + 8 + spread[i]) * kEps * ref[i] + 1e-30) << "n=" << n;
      total += got[i];
    }
    EXPECT_NEAR(total, 1.0, (n + 8) * kEps);
  }
}

// Attention masks positions with -inf: they must come out exactly 0 (Exp's lower bound), with no
// NaN, and the rest must still sum to 1. Masks land in the vector body and in the tail.
void test_softmax_masked() {
  for (size_t n : sizes()) {
    std::vector<float> x = uniform(n, 15, -4, 4);
    for (size_t i = 1; i < n; i += 3) x[i] = -std::numeric_limits<float>::infinity();
    std::vector<float> ref = x;
    softmax(x.data(), n);
    reference::softmax(ref.data(), n);
    double total = 0;
    for (size_t i = 0; i < n; ++i) {
      if (i % 3 == 1) {
        ASSERT_EQ(x[i], 0.0f) << "n=" << n << " i=" << i;
      } else {
        ASSERT_NEAR(x[i], ref[i], (n + 16) * kEps * ref[i]) << "n=" << n << " i=" << i;
      }
      total += x[i];
    }
    EXPECT_NEAR(total, 1.0, (n + 8) * kEps);
  }
}

// With or without a fused multiply-add: at most two roundings of terms no larger than |a x| and
// |y|.
void test_axpy() {
  for (size_t n : sizes()) {
    const std::vector<float> x = uniform(n, 10, -3, 3);
    std::vector<float> got = uniform(n, 11, -3, 3);
    std::vector<float> ref = got;
    const std::vector<float> y0 = got;
    axpy(0.75f, x.data(), got.data(), n);
    reference::axpy(0.75f, x.data(), ref.data(), n);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_NEAR(got[i], ref[i], 2 * kEps * (std::fabs(0.75 * x[i]) + std::fabs(y0[i])));
    }
  }
}

// One float addition per element, as in the reference: exactly equal.
void test_add() {
  for (size_t n : sizes()) {
    const std::vector<float> x = uniform(n, 12, -3, 3);
    std::vector<float> got = uniform(n, 13, -3, 3);
    std::vector<float> ref = got;
    add(x.data(), got.data(), n);
    reference::add(x.data(), ref.data(), n);
    EXPECT_EQ(got, ref) << "n=" << n;
  }
}

// Both use the same float angles and separate multiply/subtract, so they agree to rounding of
// two products (4 ulp of |x0| + |x1| is generous; in practice the results are identical).
void test_rope_matches_reference() {
  struct Shape {
    size_t n_heads, head_dim, n_rot;
  };
  const Shape shapes[] = {{1, 2, 2},   {3, 64, 64},   {2, 64, 32}, {4, 128, 128},
                          {1, 96, 46}, {2, 600, 600}, {2, 80, 80}, {1, 18, 10}};
  const int32_t positions[] = {0, 1, 7, 513, 40000};
  for (const Shape& s : shapes) {
    for (RopeMode mode : {RopeMode::kNormal, RopeMode::kNeox}) {
      for (int32_t pos : positions) {
        std::vector<float> got = uniform(s.n_heads * s.head_dim, 14 + pos, -2, 2);
        std::vector<float> ref = got;
        const std::vector<float> orig = got;
        HWY_NAMESPACE::rope(got.data(), s.n_heads, s.head_dim, s.n_rot, pos, 10000.0f, 0.5f, mode);
        reference::rope(ref.data(), s.n_heads, s.head_dim, s.n_rot, pos, 10000.0f, 0.5f, mode);
        for (size_t i = 0; i < got.size(); ++i) {
          const size_t dim = i % s.head_dim;
          if (dim >= s.n_rot) {
            ASSERT_EQ(got[i], orig[i]) << "unrotated dim changed";
            continue;
          }
          ASSERT_NEAR(got[i], ref[i], 4 * kEps * 4.0) << "dim " << dim << " pos " << pos;
        }
      }
    }
  }
}

// Hand cases. head_dim 4, pos 1, base 10000:
//  normal, n_rot 2: only the pair (0, 1) turns, by theta_0 = pos = 1 rad.
//  NeoX, n_rot 4: pairs (0, 2) and (1, 3), by 1 rad and 1 * 10000^(-2/4) = 0.01 rad.
//  freq_scale 0.5 halves every angle; pos 0 is the identity.
void test_rope_hand_cases() {
  std::vector<float> x = {1, 0, 5, 7};
  HWY_NAMESPACE::rope(x.data(), 1, 4, 2, 1, 10000.0f, 1.0f, RopeMode::kNormal);
  EXPECT_NEAR(x[0], std::cos(1.0), 1e-6);
  EXPECT_NEAR(x[1], std::sin(1.0), 1e-6);
  EXPECT_EQ(x[2], 5.0f);
  EXPECT_EQ(x[3], 7.0f);

  x = {1, 1, 0, 0};
  HWY_NAMESPACE::rope(x.data(), 1, 4, 4, 1, 10000.0f, 1.0f, RopeMode::kNeox);
  EXPECT_NEAR(x[0], std::cos(1.0), 1e-6);
  EXPECT_NEAR(x[2], std::sin(1.0), 1e-6);
  EXPECT_NEAR(x[1], std::cos(0.01), 1e-6);
  EXPECT_NEAR(x[3], std::sin(0.01), 1e-6);

  x = {1, 1, 0, 0};
  HWY_NAMESPACE::rope(x.data(), 1, 4, 4, 1, 10000.0f, 0.5f, RopeMode::kNormal);
  // Normal pairs (0, 1) at 0.5 rad and (2, 3) at 0.005 rad.
  EXPECT_NEAR(x[0], std::cos(0.5) - std::sin(0.5), 1e-6);
  EXPECT_NEAR(x[1], std::sin(0.5) + std::cos(0.5), 1e-6);
  EXPECT_EQ(x[2], 0.0f);
  EXPECT_EQ(x[3], 0.0f);

  const std::vector<float> orig = uniform(2 * 64, 99, -1, 1);
  x = orig;
  HWY_NAMESPACE::rope(x.data(), 2, 64, 64, 0, 10000.0f, 1.0f, RopeMode::kNeox);
  EXPECT_EQ(x, orig);
}

// Against the ideal angles pos * freq_scale * base^(-2p/n_rot) in double. llama.cpp's running
// product in float drifts by ~(p + 2) eps relative per pair, so the output may differ by
// |x| * (p + 4) * eps * angle.
void test_rope_matches_ideal_angles() {
  const size_t head_dim = 64;
  const size_t n_rot = 48;
  const int32_t pos = 37;
  const float base = 500000.0f;
  const float freq_scale = 0.25f;
  for (RopeMode mode : {RopeMode::kNormal, RopeMode::kNeox}) {
    std::vector<float> x = uniform(head_dim, 21, -1, 1);
    const std::vector<float> orig = x;
    HWY_NAMESPACE::rope(x.data(), 1, head_dim, n_rot, pos, base, freq_scale, mode);
    for (size_t p = 0; p < n_rot / 2; ++p) {
      const double angle = pos * static_cast<double>(freq_scale) *
                           std::pow(static_cast<double>(base), -2.0 * p / n_rot);
      const size_t i0 = mode == RopeMode::kNormal ? 2 * p : p;
      const size_t i1 = mode == RopeMode::kNormal ? 2 * p + 1 : p + n_rot / 2;
      const double x0 = orig[i0];
      const double x1 = orig[i1];
      const double tol = (std::fabs(x0) + std::fabs(x1)) * ((p + 4) * kEps * angle + 4 * kEps);
      EXPECT_NEAR(x[i0], x0 * std::cos(angle) - x1 * std::sin(angle), tol) << "pair " << p;
      EXPECT_NEAR(x[i1], x0 * std::sin(angle) + x1 * std::cos(angle), tol) << "pair " << p;
    }
  }
}

}  // namespace
}  // namespace liftoff::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace liftoff::kernels {
namespace {

HWY_BEFORE_TEST(ElementwiseTest);
HWY_EXPORT_AND_TEST_P(ElementwiseTest, test_dot);
HWY_EXPORT_AND_TEST_P(ElementwiseTest, test_rms_norm);
HWY_EXPORT_AND_TEST_P(ElementwiseTest, test_silu_mul);
HWY_EXPORT_AND_TEST_P(ElementwiseTest, test_gelu_mul);
HWY_EXPORT_AND_TEST_P(ElementwiseTest, test_softmax);
HWY_EXPORT_AND_TEST_P(ElementwiseTest, test_softmax_masked);
HWY_EXPORT_AND_TEST_P(ElementwiseTest, test_axpy);
HWY_EXPORT_AND_TEST_P(ElementwiseTest, test_add);
HWY_EXPORT_AND_TEST_P(ElementwiseTest, test_rope_matches_reference);
HWY_EXPORT_AND_TEST_P(ElementwiseTest, test_rope_hand_cases);
HWY_EXPORT_AND_TEST_P(ElementwiseTest, test_rope_matches_ideal_angles);

// The public entry points dispatch to one of the targets above; spot-check they are wired.
TEST(ElementwiseDispatch, PublicEntryPointsMatchReference) {
  const std::vector<float> a = test::uniform(100, 30, -1, 1);
  const std::vector<float> b = test::uniform(100, 31, -1, 1);
  EXPECT_NEAR(dot(a.data(), b.data(), a.size()), reference::dot(a.data(), b.data(), a.size()),
              1e-5);
  std::vector<float> got(a.size());
  std::vector<float> ref(a.size());
  silu_mul(a.data(), b.data(), got.data(), a.size());
  reference::silu_mul(a.data(), b.data(), ref.data(), a.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(got[i], ref[i], 1e-6);
}

}  // namespace
}  // namespace liftoff::kernels
#endif  // HWY_ONCE
