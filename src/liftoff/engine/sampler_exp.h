// exp and its sums for the sampler's softmax. Branch-free so the compiler vectorises the loops
// over a 150k vocabulary, and our own code so the weights behind a seeded draw are bit-identical
// on every platform (libm's expf differs between C libraries by an ulp).
#pragma once

#include <algorithm>
#include <bit>  // std::bit_cast
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

namespace liftoff::engine {

// e^x for x <= 0, within 2 ulp. x below -87 (result near FLT_MIN), -inf and NaN give 0.
// The range test is on the bits: GCC will not vectorise a select on a float comparison under
// the default -ftrapping-math.
inline float exp_nonpositive(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  // ln 2 split so that k * kLn2Hi is exact for k < 2^9 (kLn2Hi has 15 significant bits).
  constexpr float kLn2Hi = 0.693145751953125f;
  constexpr float kLn2Lo = 1.42860682030941723e-6f;
  constexpr int32_t kMaxMagnitude = std::bit_cast<int32_t>(87.0f);
  const int32_t bits = std::bit_cast<int32_t>(x);
  const int32_t keep = (bits & 0x7fffffff) <= kMaxMagnitude ? -1 : 0;  // all ones or zero
  x = std::bit_cast<float>(bits & keep);                               // out of range -> 0
  // x = -k ln2 + r with |r| <= ln2 / 2; truncation is rounding because -x * log2e >= 0.
  const int32_t k = static_cast<int32_t>(-x * kLog2e + 0.5f);
  const float kf = static_cast<float>(k);
  const float r = (x + kf * kLn2Hi) + kf * kLn2Lo;
  // Taylor series to degree 7: the remainder r^8 / 8! is below 6e-9 for |r| <= ln2 / 2.
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const float y = p * std::bit_cast<float>((127 - k) << 23);  // k in [0, 126]: 2^-k is normal
  return std::bit_cast<float>(std::bit_cast<int32_t>(y) & keep);
}

// Lanes of independent accumulators: lets the compiler vectorise the reductions below while the
// summation order stays fixed, so results do not depend on the target's vector width.
inline constexpr size_t kSumLanes = 8;

// Largest value of x, ignoring NaN; -inf if x is empty or all NaN.
inline float max_value(std::span<const float> values) {
  const float* x = values.data();
  const size_t n = values.size();
  float m[kSumLanes];
  for (float& v : m) v = -std::numeric_limits<float>::infinity();
  const size_t n_main = n - n % kSumLanes;
  for (size_t i = 0; i < n_main; i += kSumLanes) {
    for (size_t j = 0; j < kSumLanes; ++j) m[j] = x[i + j] > m[j] ? x[i + j] : m[j];
  }
  for (size_t i = n_main; i < n; ++i) m[0] = x[i] > m[0] ? x[i] : m[0];
  float out = m[0];
  for (size_t j = 1; j < kSumLanes; ++j) out = m[j] > out ? m[j] : out;
  return out;
}

// sum_i e^(x[i] - shift) in double, for shift >= max_value(x). NaN entries add 0.
inline double sum_exp(std::span<const float> values, float shift) {
  // Exps of a fixed-size chunk first (a loop the compiler vectorises), then accumulate.
  constexpr size_t kChunk = 64;
  const float* x = values.data();
  const size_t n = values.size();
  double acc[kSumLanes] = {};
  const size_t n_main = n - n % kChunk;
  for (size_t i = 0; i < n_main; i += kChunk) {
    float e[kChunk];
    for (size_t j = 0; j < kChunk; ++j) e[j] = exp_nonpositive(x[i + j] - shift);
    for (size_t j = 0; j < kChunk; j += kSumLanes) {
      for (size_t l = 0; l < kSumLanes; ++l) acc[l] += e[j + l];
    }
  }
  double total = 0.0;
  for (double a : acc) total += a;
  for (size_t i = n_main; i < n; ++i) total += exp_nonpositive(x[i] - shift);
  return total;
}

// out[i] = e^((x[i] - shift) * scale) for shift >= max_value(x) and scale > 0; returns the sum
// of out in double. NaN entries weigh 0. out.size() == x.size().
inline double exp_weights(std::span<const float> values, float shift, float scale,
                          std::span<float> out) {
  constexpr size_t kChunk = 64;
  const float* x = values.data();
  float* w = out.data();
  const size_t n = values.size();
  const size_t n_main = n - n % kChunk;
  double acc[kSumLanes] = {};
  for (size_t i = 0; i < n_main; i += kChunk) {
    // Into a local chunk first: with `w` possibly aliasing `x`, -O2 would not vectorise.
    float e[kChunk];
    for (size_t j = 0; j < kChunk; ++j) e[j] = exp_nonpositive((x[i + j] - shift) * scale);
    for (size_t j = 0; j < kChunk; j += kSumLanes) {
      for (size_t l = 0; l < kSumLanes; ++l) acc[l] += e[j + l];
    }
    std::copy(e, e + kChunk, w + i);
  }
  double total = 0.0;
  for (double a : acc) total += a;
  for (size_t i = n_main; i < n; ++i) {
    w[i] = exp_nonpositive((x[i] - shift) * scale);
    total += w[i];
  }
  return total;
}

}  // namespace liftoff::engine
