// Hand-derived encodings and decodings: small inputs whose exact bytes follow from the format
// rules (the derivation is in each comment), covering rounding ties, clipping, bit packing of the
// fifth/sixth bits and the packed 6-bit K-scales.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "liftoff/kernels/dtype.h"
#include "liftoff/kernels/quant_blocks.h"
#include "liftoff/kernels/quantize.h"
#include "liftoff/kernels/quantize_activations.h"
#include "liftoff/kernels/quantize_k.h"

namespace liftoff::kernels {
namespace {

constexpr uint16_t kHalfOne = 0x3c00;
constexpr uint16_t kHalfMinusOne = 0xbc00;

TEST(QuantizeHand, Q8_0RoundsTiesAwayFromZero) {
  // amax 127 -> d = 1, id = 1, so codes are round(x) with roundf's ties away from zero.
  float x[kQK] = {127.0f, 2.5f, -2.5f, 0.5f, -0.5f, 1.5f, -127.0f, 0.49f};
  BlockQ8_0 b;
  quantize_row_q8_0(x, &b, kQK);
  EXPECT_EQ(b.d, kHalfOne);
  const int8_t expected[8] = {127, 3, -3, 1, -1, 2, -127, 0};
  for (size_t j = 0; j < 8; ++j) EXPECT_EQ(b.qs[j], expected[j]) << j;
  for (size_t j = 8; j < kQK; ++j) EXPECT_EQ(b.qs[j], 0);
}

TEST(QuantizeHand, Q4_0MapsSignedExtremeToLowestCodeAndClipsTheOther) {
  // The first largest-magnitude element is -8, so d = -8 / -8 = 1 and code = min(15,
  // trunc(x + 8.5)): -8 -> 0, 8 -> 16 clipped to 15, 0.5 -> 9 (ties round up), -0.5 -> 8,
  // 0.49 -> 8, -3.2 -> 5, 7 -> 15. Elements j and j + 16 share byte j (low, high nibble).
  float x[kQK] = {};
  x[0] = -8.0f;
  x[1] = 8.0f;
  x[2] = 0.5f;
  x[3] = -0.5f;
  x[16] = 0.49f;
  x[17] = -3.2f;
  x[18] = 7.0f;
  BlockQ4_0 b;
  quantize_row(DType::kQ4_0, x, &b, kQK);
  EXPECT_EQ(b.d, kHalfOne);
  EXPECT_EQ(b.qs[0], 0x80);  // 0 | 8 << 4 (x[16] = 0.49)
  EXPECT_EQ(b.qs[1], 0x5f);  // 15 | 5 << 4
  EXPECT_EQ(b.qs[2], 0xf9);  // 9 | 15 << 4
  EXPECT_EQ(b.qs[3], 0x88);  // 8 | 8 << 4 (x[19] = 0)
  float y[kQK];
  dequantize_row(DType::kQ4_0, &b, y, kQK);
  EXPECT_EQ(y[0], -8.0f);
  EXPECT_EQ(y[1], 7.0f);  // the clipped extreme
  EXPECT_EQ(y[2], 1.0f);
  EXPECT_EQ(y[17], -3.0f);
}

TEST(QuantizeHand, Q4_1UsesMinAndUnitStep) {
  // x = j % 16 with one 14.5: min 0, max 15, d = 15 / 15 = 1, code = trunc(x + 0.5).
  float x[kQK];
  for (size_t j = 0; j < kQK; ++j) x[j] = static_cast<float>(j % 16);
  x[31] = 14.5f;  // tie rounds up to 15
  BlockQ4_1 b;
  quantize_row(DType::kQ4_1, x, &b, kQK);
  EXPECT_EQ(b.d, kHalfOne);
  EXPECT_EQ(b.m, 0);
  for (size_t j = 0; j < 15; ++j) EXPECT_EQ(b.qs[j], j | j << 4) << j;
  EXPECT_EQ(b.qs[15], 0xff);
}

TEST(QuantizeHand, Q5_0PacksFifthBitLittleEndian) {
  // The first largest-magnitude element is +16, so d = 16 / -16 = -1 and code = min(31,
  // trunc(-x + 16.5)): 16 -> 0, -15 -> 31, -16 -> 32 clipped to 31, 3 -> 13, 0 -> 16.
  float x[kQK] = {};
  x[0] = 16.0f;
  x[1] = -15.0f;
  x[2] = -16.0f;
  x[3] = 3.0f;
  BlockQ5_0 b;
  quantize_row(DType::kQ5_0, x, &b, kQK);
  EXPECT_EQ(b.d, kHalfMinusOne);
  EXPECT_EQ(b.qs[0], 0x00);  // 0 | (16 & 15) << 4
  EXPECT_EQ(b.qs[1], 0x0f);  // 31 & 15
  EXPECT_EQ(b.qs[3], 0x0d);  // 13
  // Fifth bits: codes >= 16 are elements 1, 2 and every zero (4..31); element 0 and 3 are not.
  const uint32_t qh = b.qh[0] | b.qh[1] << 8 | b.qh[2] << 16 | static_cast<uint32_t>(b.qh[3]) << 24;
  EXPECT_EQ(qh, 0xfffffff6u);
  float y[kQK];
  dequantize_row(DType::kQ5_0, &b, y, kQK);
  EXPECT_EQ(y[0], 16.0f);
  EXPECT_EQ(y[1], -15.0f);
  EXPECT_EQ(y[2], -15.0f);  // clipped
  EXPECT_EQ(y[3], 3.0f);
  EXPECT_EQ(y[4], 0.0f);
}

TEST(QuantizeHand, Q5_1CodesAreTheIntegersWhenStepIsOne) {
  // x = j: min 0, max 31, d = 1, code j; bit 4 set exactly for elements 16..31.
  float x[kQK];
  for (size_t j = 0; j < kQK; ++j) x[j] = static_cast<float>(j);
  BlockQ5_1 b;
  quantize_row(DType::kQ5_1, x, &b, kQK);
  EXPECT_EQ(b.d, kHalfOne);
  EXPECT_EQ(b.m, 0);
  for (size_t j = 0; j < kQK / 2; ++j) EXPECT_EQ(b.qs[j], j | j << 4);
  EXPECT_EQ(b.qh[0], 0);
  EXPECT_EQ(b.qh[1], 0);
  EXPECT_EQ(b.qh[2], 0xff);
  EXPECT_EQ(b.qh[3], 0xff);
}

TEST(QuantizeHand, ZeroBlocksEncodeToTheirNeutralBytes) {
  // All-zero input: every scale is 0. Q4_0/Q5_0 divide the signed max (+0) by -8 / -16, so d
  // is -0 (half 0x8000), and code trunc(0 + offset + 0.5): Q4_0 code 8 in both nibbles (0x88);
  // Q5_0 code 16: nibbles 0, all 32 fifth bits set. All other formats encode to zero bytes
  // (Q8_K's bsums included).
  const std::vector<float> x(kQK_K, 0.0f);
  for (DType type : {DType::kQ8_0, DType::kQ4_0, DType::kQ4_1, DType::kQ5_0, DType::kQ5_1,
                     DType::kQ4_K, DType::kQ5_K, DType::kQ6_K, DType::kQ8_K}) {
    SCOPED_TRACE(std::string(dtype_info(type).name));
    std::vector<uint8_t> q(row_bytes(type, x.size()), 0xAB);
    quantize_row(type, x.data(), q.data(), x.size());
    std::vector<uint8_t> expected(dtype_info(type).block_bytes, 0);
    if (type == DType::kQ4_0 || type == DType::kQ5_0) expected[1] = 0x80;
    if (type == DType::kQ4_0) std::fill(expected.begin() + 2, expected.end(), 0x88);
    if (type == DType::kQ5_0) std::fill(expected.begin() + 2, expected.begin() + 6, 0xff);
    for (size_t b = 0; b < q.size() / expected.size(); ++b) {
      EXPECT_TRUE(std::equal(expected.begin(), expected.end(), q.begin() + b * expected.size()))
          << "block " << b;
    }
    std::vector<float> y(x.size(), 1.0f);
    dequantize_row(type, q.data(), y.data(), x.size());
    EXPECT_EQ(y, x);
  }
}

TEST(QuantizeHand, Q8KUsesMinus127OverSignedMax) {
  // x = j - 128: the first largest-magnitude element is -128, so iscale = -127 / -128 =
  // 0.9921875 (exact), q = round-half-even(0.9921875 * x) and d = 1 / iscale.
  std::vector<float> x(kQK_K);
  for (size_t j = 0; j < kQK_K; ++j) x[j] = static_cast<float>(j) - 128.0f;
  BlockQ8_K b;
  quantize_row_q8_k(x.data(), &b, kQK_K);
  EXPECT_EQ(b.d, 1.0f / 0.9921875f);
  for (size_t j = 0; j < kQK_K; ++j) {
    EXPECT_EQ(b.qs[j], static_cast<int8_t>(std::nearbyint(0.9921875 * x[j]))) << j;
  }
  EXPECT_EQ(b.qs[0], -127);
  EXPECT_EQ(b.qs[64], -64);  // -63.5 -> even
  EXPECT_EQ(b.qs[192], 64);  // 63.5 -> even
  for (size_t g = 0; g < kQK_K / 16; ++g) {
    int sum = 0;
    for (size_t i = 0; i < 16; ++i) sum += b.qs[16 * g + i];
    EXPECT_EQ(b.bsums[g], sum);
  }
}

TEST(QuantizeHand, Q4KConstantBlockUsesFullScaleAndNoMin) {
  // x = 1 everywhere: each group's min is clamped to 0, so its fit is scale 1/15 on level 15
  // (every trial grid gives equal levels, a singular least-squares system, and is skipped).
  // All group scales equal the max -> 6-bit scale 63; mins are 0. Packing: bytes 0..3 hold
  // scale 63 plus the top bits of groups 4..7's scale (3 << 6) = 0xff; bytes 4..7 the mins
  // (0); bytes 8..11 the low nibbles of groups 4..7 (0x0f). Levels re-fit against
  // d = half(1 / 945) * 63 round to 15: all qs 0xff.
  const std::vector<float> x(kQK_K, 1.0f);
  BlockQ4_K b;
  quantize_row(DType::kQ4_K, x.data(), &b, kQK_K);
  const uint8_t expected_scales[kKScaleBytes] = {0xff, 0xff, 0xff, 0xff, 0,    0,
                                                 0,    0,    0x0f, 0x0f, 0x0f, 0x0f};
  EXPECT_EQ(std::memcmp(b.scales, expected_scales, kKScaleBytes), 0);
  EXPECT_EQ(b.dmin, 0);
  for (uint8_t q : b.qs) EXPECT_EQ(q, 0xff);
  std::vector<float> y(kQK_K);
  dequantize_row(DType::kQ4_K, &b, y.data(), kQK_K);
  for (float v : y) EXPECT_NEAR(v, 1.0f, 1e-3f);  // half(1/945) is within 2^-11 relative
}

TEST(QuantizeHand, UnpacksKScalesOfAllEightGroups) {
  // Groups 0..3: low 6 bits of bytes j (scale) and j + 4 (min). Groups 4..7: low/high nibble of
  // byte j + 4, top two bits from bits 6..7 of bytes j - 4 (scale) and j (min).
  const uint8_t packed[kKScaleBytes] = {0x41, 0x82, 0xc3, 0x04, 0x45, 0x06,
                                        0x87, 0x08, 0x21, 0x43, 0x65, 0x87};
  const uint8_t want_scale[8] = {1, 2, 3, 4, 1 | 1 << 4, 3 | 2 << 4, 5 | 3 << 4, 7 | 0 << 4};
  const uint8_t want_min[8] = {5, 6, 7, 8, 2 | 1 << 4, 4 | 0 << 4, 6 | 2 << 4, 8 | 0 << 4};
  for (size_t j = 0; j < 8; ++j) {
    uint8_t sc;
    uint8_t m;
    unpack_k_scale_min(packed, j, &sc, &m);
    EXPECT_EQ(sc, want_scale[j]) << j;
    EXPECT_EQ(m, want_min[j]) << j;
  }
}

TEST(QuantizeHand, DecodesHandBuiltQ5KBlock) {
  // d = dmin = 1. Group 0: scale 2, min 3 (bytes 0 and 4; byte 0 also carries 1 in bits 6..7,
  // the top bits of group 4's scale). Group 4: scale (0x21 & 15) | 1 << 4 = 17, min 0x21 >> 4 = 2.
  BlockQ5_K b{};
  b.d = kHalfOne;
  b.dmin = kHalfOne;
  b.scales[0] = 2 | 1 << 6;
  b.scales[4] = 3;
  b.scales[8] = 0x21;
  b.qs[0] = 0x07;   // element 0: low nibble 7 ...
  b.qh[0] = 0x01;   // ... plus bit 0 of qh[0] (chunk 0, low half) = 16 -> level 23
  b.qs[64] = 0x01;  // element 128 (chunk 2, low half): level 1, qh bit 4 clear
  std::vector<float> y(kQK_K);
  dequantize_row(DType::kQ5_K, &b, y.data(), kQK_K);
  EXPECT_EQ(y[0], 2.0f * 23 - 3);
  EXPECT_EQ(y[1], -3.0f);
  EXPECT_EQ(y[128], 17.0f * 1 - 2);
}

TEST(QuantizeHand, DecodesHandBuiltQ6KBlock) {
  // d = 1. Element 0: low nibble ql[0] & 15 = 5, high bits qh[0] & 3 = 2 -> 37 - 32 = 5,
  // group scale 2 -> 10. Element 64: high nibble of ql[0] (0), qh bits 4..5 (0) -> -32, group 4
  // scale -1 -> 32. Element 160 (second half, l = 0 of ql[64 + 32]): low nibble 15, qh[32]
  // bits 2..3 = 3 -> 63 - 32 = 31, group 10 scale 3 -> 93.
  BlockQ6_K b{};
  b.d = kHalfOne;
  b.scales[0] = 2;
  b.scales[4] = -1;
  b.scales[10] = 3;
  b.ql[0] = 0x05;
  b.qh[0] = 0x02;
  b.ql[64 + 32] = 0x0f;
  b.qh[32] = 0x0c;
  std::vector<float> y(kQK_K);
  dequantize_row(DType::kQ6_K, &b, y.data(), kQK_K);
  EXPECT_EQ(y[0], 10.0f);
  EXPECT_EQ(y[64], 32.0f);
  EXPECT_EQ(y[160], 93.0f);
  EXPECT_EQ(y[1], 2.0f * -32);  // ql 0, qh 0 -> level -32
}

}  // namespace
}  // namespace liftoff::kernels
