// Tests of kernels/half.h: exact encodings at the edges (subnormals, overflow, ties, NaN) and
// the nearest-even property checked against decoded neighbours over a stride of all floats.
#include "liftoff/kernels/half.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace liftoff::kernels {
namespace {

float from_bits(uint32_t bits) { return std::bit_cast<float>(bits); }

TEST(Fp16, EncodesKnownValues) {
  EXPECT_EQ(fp32_to_fp16(0.0f), 0x0000);
  EXPECT_EQ(fp32_to_fp16(-0.0f), 0x8000);
  EXPECT_EQ(fp32_to_fp16(1.0f), 0x3c00);
  EXPECT_EQ(fp32_to_fp16(-2.0f), 0xc000);
  EXPECT_EQ(fp32_to_fp16(0.333333343f), 0x3555);
  EXPECT_EQ(fp32_to_fp16(65504.0f), 0x7bff);   // largest finite
  EXPECT_EQ(fp32_to_fp16(65519.99f), 0x7bff);  // just below the rounding midpoint
  EXPECT_EQ(fp32_to_fp16(65520.0f), 0x7c00);   // midpoint rounds to even = inf
  EXPECT_EQ(fp32_to_fp16(1e10f), 0x7c00);
  EXPECT_EQ(fp32_to_fp16(-1e10f), 0xfc00);
  EXPECT_EQ(fp32_to_fp16(std::numeric_limits<float>::infinity()), 0x7c00);
  EXPECT_EQ(fp32_to_fp16(0x1p-14f), 0x0400);           // smallest normal
  EXPECT_EQ(fp32_to_fp16(0x1p-24f), 0x0001);           // smallest subnormal
  EXPECT_EQ(fp32_to_fp16(0x1p-25f), 0x0000);           // half of it: tie to even (0)
  EXPECT_EQ(fp32_to_fp16(0x1.8p-24f), 0x0002);         // 1.5 steps: tie to even (2)
  EXPECT_EQ(fp32_to_fp16(0x1.0000020p-25f), 0x0001);   // just over half a step
  EXPECT_EQ(fp32_to_fp16(0x1.ff8p-15f), 0x03ff);       // largest subnormal
  EXPECT_EQ(fp32_to_fp16(0x1.ffcp-15f), 0x0400);       // tie above it carries into the normals
  EXPECT_EQ(fp32_to_fp16(1.0f + 0x1p-11f), 0x3c00);    // tie between 1 and 1+2^-10 -> even
  EXPECT_EQ(fp32_to_fp16(1.0f + 0x3p-11f), 0x3c02);    // tie between odd and even -> even
  EXPECT_EQ(fp32_to_fp16(1.0f + 0x1.2p-11f), 0x3c01);  // above the tie
  EXPECT_EQ(fp32_to_fp16(1e-30f), 0x0000);
  EXPECT_EQ(fp32_to_fp16(-1e-30f), 0x8000);
}

TEST(Fp16, NanStaysNanWithSign) {
  const uint16_t pos = fp32_to_fp16(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(pos & 0x7c00, 0x7c00);
  EXPECT_NE(pos & 0x03ff, 0);
  // A NaN whose payload sits only in the low 13 bits must not collapse to inf.
  const uint16_t low_payload = fp32_to_fp16(from_bits(0xff800001u));
  EXPECT_EQ(low_payload & 0xfc00, 0xfc00);
  EXPECT_NE(low_payload & 0x03ff, 0);
  EXPECT_TRUE(std::isnan(fp16_to_fp32(0x7e00)));
  EXPECT_TRUE(std::isnan(fp16_to_fp32(0xfc01)));
}

TEST(Fp16, DecodeThenEncodeIsIdentityForAllNonNan) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00 && (h & 0x03ff) != 0) continue;  // NaN
    ASSERT_EQ(fp32_to_fp16(fp16_to_fp32(static_cast<uint16_t>(h))), h) << std::hex << h;
  }
  EXPECT_EQ(fp16_to_fp32(0x0001), 0x1p-24f);
  EXPECT_EQ(fp16_to_fp32(0x03ff), 0x1.ff8p-15f);
  EXPECT_EQ(fp16_to_fp32(0x7bff), 65504.0f);
  EXPECT_EQ(fp16_to_fp32(0xfc00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::signbit(fp16_to_fp32(0x8000)));
}

// The encoding of f must be the nearest half (by decoded value), ties to an even mantissa.
// Checked on ~1M floats spread over every exponent (stride coprime with 2^32).
TEST(Fp16, EncodeIsNearestEvenOverStride) {
  for (uint64_t u = 0; u < (1ull << 32); u += 4099) {
    const float f = from_bits(static_cast<uint32_t>(u));
    if (std::isnan(f)) continue;
    const uint16_t h = fp32_to_fp16(f);
    const double got = fp16_to_fp32(h);
    const double af = std::fabs(static_cast<double>(f));
    if (af >= 65520.0) {
      ASSERT_TRUE(std::isinf(got)) << f;
      continue;
    }
    const double err = std::fabs(got - f);
    // Neighbours by magnitude; 0x7bff has no finite upper neighbour below the cutoff.
    const uint16_t mag = h & 0x7fff;
    const uint16_t sign = h & 0x8000;
    for (int delta : {-1, 1}) {
      if ((mag == 0 && delta < 0) || (mag == 0x7bff && delta > 0)) continue;
      const double other = fp16_to_fp32(static_cast<uint16_t>(sign | (mag + delta)));
      const double other_err = std::fabs(other - f);
      ASSERT_LE(err, other_err) << "f=" << f << " h=" << h;
      if (err == other_err) {
        ASSERT_EQ(mag & 1, 0) << "tie not to even: f=" << f;
      }
    }
  }
}

TEST(Bf16, EncodesKnownValues) {
  EXPECT_EQ(fp32_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(fp32_to_bf16(-1.0f), 0xbf80);
  EXPECT_EQ(fp32_to_bf16(from_bits(0x3f808000u)), 0x3f80);  // tie, even stays
  EXPECT_EQ(fp32_to_bf16(from_bits(0x3f818000u)), 0x3f82);  // tie, odd rounds up
  EXPECT_EQ(fp32_to_bf16(from_bits(0x3f808001u)), 0x3f81);  // above the tie
  EXPECT_EQ(fp32_to_bf16(from_bits(0x7f7fffffu)), 0x7f80);  // FLT_MAX rounds to inf
  EXPECT_EQ(fp32_to_bf16(std::numeric_limits<float>::infinity()), 0x7f80);
  EXPECT_EQ(fp32_to_bf16(from_bits(0x00010000u)), 0x0001);  // subnormals are kept
  // NaN with a payload only in the dropped bits must stay NaN (quiet bit forced).
  const uint16_t nan = fp32_to_bf16(from_bits(0x7f800001u));
  EXPECT_EQ(nan & 0x7f80, 0x7f80);
  EXPECT_NE(nan & 0x007f, 0);
}

TEST(Bf16, DecodeIsExactAndRoundTrips) {
  EXPECT_EQ(bf16_to_fp32(0x3f80), 1.0f);
  EXPECT_EQ(bf16_to_fp32(0xc040), -3.0f);
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7f80) == 0x7f80 && (h & 0x007f) != 0) continue;  // NaN
    ASSERT_EQ(fp32_to_bf16(bf16_to_fp32(static_cast<uint16_t>(h))), h) << std::hex << h;
  }
}

}  // namespace
}  // namespace liftoff::kernels
