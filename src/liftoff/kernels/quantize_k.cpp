// Reference codecs of the K-quant super-block formats. The encoders make llama.cpp's
// quantize_row_q{4,5,6}_K_ref decisions (same per-group searches, same 6/8-bit requantisation of
// the group scales, same second pass against the stored half-precision scales), so their output
// is byte-identical to llama-quantize without an importance matrix.
#include "liftoff/kernels/quantize_k.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "liftoff/kernels/half.h"
#include "liftoff/kernels/k_scale_search.h"

namespace liftoff::kernels {
namespace {

constexpr size_t kGroups32 = kQK_K / 32;  // sub-blocks of Q4_K / Q5_K
constexpr size_t kGroups16 = kQK_K / 16;  // sub-blocks of Q6_K

// The asymmetric K-quants (Q4_K, Q5_K) share everything but the level count and packing.
// Fills d, dmin and scales of a super-block and returns its 256 levels in [0, nmax].
template <typename Block>
void encode_scales_and_levels(const float* x, const ScaleMinSearch& search, Block* block,
                              uint8_t* levels) {
  std::array<float, kGroups32> scales;
  std::array<float, kGroups32> mins;
  std::array<float, 32> weights;
  float max_scale = 0;  // scales are positive, as the min absorbs the offset
  float max_min = 0;
  for (size_t j = 0; j < kGroups32; ++j) {
    const float* group = x + 32 * j;
    // Weights favour elements large relative to the group's RMS.
    float sum_x2 = 0;
    for (size_t l = 0; l < 32; ++l) sum_x2 += group[l] * group[l];
    const float av_x = std::sqrt(sum_x2 / 32);
    for (size_t l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(group[l]);
    scales[j] = fit_scale_min(group, weights.data(), 32, search, levels + 32 * j, &mins[j]);
    if (scales[j] > max_scale) max_scale = scales[j];
    if (mins[j] > max_min) max_min = mins[j];
  }

  // Group scales and mins become 6-bit multiples of two half-precision super-scales.
  const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
  const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
  uint8_t* packed = block->scales;
  for (size_t j = 0; j < kGroups32; ++j) {
    // Narrowing to uint8_t before the clamp is deliberate: it is what llama.cpp does with a
    // (pathological) negative scale, and the bits must match.
    const uint8_t ls =
        std::min<uint8_t>(63, static_cast<uint8_t>(nearest_int(inv_scale * scales[j])));
    const uint8_t lm = std::min<uint8_t>(63, static_cast<uint8_t>(nearest_int(inv_min * mins[j])));
    if (j < 4) {
      packed[j] = ls;
      packed[j + 4] = lm;
    } else {
      packed[j + 4] = static_cast<uint8_t>((ls & 0xF) | (lm & 0xF) << 4);
      packed[j - 4] |= static_cast<uint8_t>((ls >> 4) << 6);
      packed[j] |= static_cast<uint8_t>((lm >> 4) << 6);
    }
  }
  block->d = fp32_to_fp16(max_scale / 63.f);
  block->dmin = fp32_to_fp16(max_min / 63.f);

  // Re-quantise against the scales as stored (rounded), so decoding sees the levels that fit
  // them. A group whose scale rounded to zero keeps the levels of its search.
  const float d_all = fp16_to_fp32(block->d);
  const float dmin_all = fp16_to_fp32(block->dmin);
  for (size_t j = 0; j < kGroups32; ++j) {
    uint8_t sc;
    uint8_t m;
    unpack_k_scale_min(packed, j, &sc, &m);
    const float d = d_all * sc;
    if (d == 0) continue;
    const float dm = dmin_all * m;
    for (size_t i = 0; i < 32; ++i) {
      const int l = nearest_int((x[32 * j + i] + dm) / d);
      levels[32 * j + i] = static_cast<uint8_t>(std::clamp(l, 0, search.nmax));
    }
  }
}

}  // namespace

void quantize_row_q4_k(const float* x, BlockQ4_K* y, size_t n) {
  constexpr ScaleMinSearch kSearch{15, -1.0f, 0.1f, 20};
  std::array<uint8_t, kQK_K> levels;
  for (size_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    encode_scales_and_levels(x, kSearch, &y[b], levels.data());
    // Each 32-byte run of qs holds 64 elements: the first 32 in low nibbles, the next 32 high.
    for (size_t c = 0; c < kQK_K / 64; ++c) {
      for (size_t l = 0; l < 32; ++l) {
        y[b].qs[32 * c + l] =
            static_cast<uint8_t>(levels[64 * c + l] | levels[64 * c + 32 + l] << 4);
      }
    }
  }
}

void quantize_row_q5_k(const float* x, BlockQ5_K* y, size_t n) {
  constexpr ScaleMinSearch kSearch{31, -0.5f, 0.1f, 15};
  std::array<uint8_t, kQK_K> levels;
  for (size_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    encode_scales_and_levels(x, kSearch, &y[b], levels.data());
    // Low 4 bits as in Q4_K; bit 4 of element 64c + l goes to qh[l] bit 2c, of 64c + 32 + l to
    // bit 2c + 1.
    std::memset(y[b].qh, 0, sizeof(y[b].qh));
    for (size_t c = 0; c < kQK_K / 64; ++c) {
      for (size_t l = 0; l < 32; ++l) {
        const uint8_t lo = levels[64 * c + l];
        const uint8_t hi = levels[64 * c + 32 + l];
        y[b].qs[32 * c + l] = static_cast<uint8_t>((lo & 0xF) | (hi & 0xF) << 4);
        y[b].qh[l] |= static_cast<uint8_t>((lo >> 4) << (2 * c) | (hi >> 4) << (2 * c + 1));
      }
    }
  }
}

void quantize_row_q6_k(const float* x, BlockQ6_K* y, size_t n) {
  std::array<int8_t, kQK_K> levels;  // level + 32, in [0, 63]
  std::array<float, kGroups16> scales;
  for (size_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    float max_scale = 0;  // signed scale of largest magnitude
    float max_abs_scale = 0;
    for (size_t g = 0; g < kGroups16; ++g) {
      scales[g] = fit_symmetric_scale(x + 16 * g, 16, 32, levels.data() + 16 * g);
      if (std::fabs(scales[g]) > max_abs_scale) {
        max_abs_scale = std::fabs(scales[g]);
        max_scale = scales[g];
      }
    }
    if (max_abs_scale < 1e-15f) {  // all-zero block
      std::memset(&y[b], 0, sizeof(BlockQ6_K));
      continue;
    }

    // Group scales become int8 multiples of one half-precision super-scale; the largest maps
    // to -128 (so d takes the sign that makes that group's scale negative).
    const float iscale = -128.f / max_scale;
    y[b].d = fp32_to_fp16(1 / iscale);
    for (size_t g = 0; g < kGroups16; ++g) {
      y[b].scales[g] = static_cast<int8_t>(std::min(127, nearest_int(iscale * scales[g])));
    }

    // Re-quantise against the stored scales; groups whose scale is zero keep their search levels.
    const float d_all = fp16_to_fp32(y[b].d);
    for (size_t g = 0; g < kGroups16; ++g) {
      const float d = d_all * y[b].scales[g];
      if (d == 0) continue;
      for (size_t i = 0; i < 16; ++i) {
        const int l = std::clamp(nearest_int(x[16 * g + i] / d), -32, 31);
        levels[16 * g + i] = static_cast<int8_t>(l + 32);
      }
    }

    // Per 128 elements: ql has 64 bytes (elements l and l+64 in byte l, l+32 and l+96 in byte
    // l+32, low nibble first); qh has 32 bytes holding the top 2 bits of l, l+32, l+64, l+96.
    for (size_t h = 0; h < kQK_K / 128; ++h) {
      const int8_t* lv = levels.data() + 128 * h;
      uint8_t* ql = y[b].ql + 64 * h;
      uint8_t* qh = y[b].qh + 32 * h;
      for (size_t l = 0; l < 32; ++l) {
        const auto q = [&](size_t k) { return static_cast<uint8_t>(lv[l + 32 * k]); };
        ql[l] = static_cast<uint8_t>((q(0) & 0xF) | (q(2) & 0xF) << 4);
        ql[l + 32] = static_cast<uint8_t>((q(1) & 0xF) | (q(3) & 0xF) << 4);
        qh[l] = static_cast<uint8_t>(q(0) >> 4 | (q(1) >> 4) << 2 | (q(2) >> 4) << 4 |
                                     (q(3) >> 4) << 6);
      }
    }
  }
}

void dequantize_row_q4_k(const BlockQ4_K* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK_K; ++b) {
    const float d = fp16_to_fp32(x[b].d);
    const float dmin = fp16_to_fp32(x[b].dmin);
    for (size_t c = 0; c < kQK_K / 64; ++c) {
      uint8_t sc;
      uint8_t m;
      unpack_k_scale_min(x[b].scales, 2 * c, &sc, &m);
      const float d1 = d * sc;
      const float m1 = dmin * m;
      unpack_k_scale_min(x[b].scales, 2 * c + 1, &sc, &m);
      const float d2 = d * sc;
      const float m2 = dmin * m;
      const uint8_t* q = x[b].qs + 32 * c;
      for (size_t l = 0; l < 32; ++l) *y++ = d1 * static_cast<float>(q[l] & 0xF) - m1;
      for (size_t l = 0; l < 32; ++l) *y++ = d2 * static_cast<float>(q[l] >> 4) - m2;
    }
  }
}

void dequantize_row_q5_k(const BlockQ5_K* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK_K; ++b) {
    const float d = fp16_to_fp32(x[b].d);
    const float dmin = fp16_to_fp32(x[b].dmin);
    for (size_t c = 0; c < kQK_K / 64; ++c) {
      uint8_t sc;
      uint8_t m;
      unpack_k_scale_min(x[b].scales, 2 * c, &sc, &m);
      const float d1 = d * sc;
      const float m1 = dmin * m;
      unpack_k_scale_min(x[b].scales, 2 * c + 1, &sc, &m);
      const float d2 = d * sc;
      const float m2 = dmin * m;
      const uint8_t* q = x[b].qs + 32 * c;
      const uint8_t* qh = x[b].qh;
      for (size_t l = 0; l < 32; ++l) {
        const int v = (q[l] & 0xF) | ((qh[l] >> (2 * c)) & 1) << 4;
        *y++ = d1 * static_cast<float>(v) - m1;
      }
      for (size_t l = 0; l < 32; ++l) {
        const int v = (q[l] >> 4) | ((qh[l] >> (2 * c + 1)) & 1) << 4;
        *y++ = d2 * static_cast<float>(v) - m2;
      }
    }
  }
}

void dequantize_row_q6_k(const BlockQ6_K* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK_K; ++b, y += kQK_K) {
    const float d = fp16_to_fp32(x[b].d);
    for (size_t h = 0; h < kQK_K / 128; ++h) {
      const uint8_t* ql = x[b].ql + 64 * h;
      const uint8_t* qh = x[b].qh + 32 * h;
      const int8_t* sc = x[b].scales + 8 * h;
      float* out = y + 128 * h;
      for (size_t l = 0; l < 32; ++l) {
        const size_t is = l / 16;
        const int q1 = ((ql[l] & 0xF) | ((qh[l] >> 0) & 3) << 4) - 32;
        const int q2 = ((ql[l + 32] & 0xF) | ((qh[l] >> 2) & 3) << 4) - 32;
        const int q3 = ((ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4) - 32;
        const int q4 = ((ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4) - 32;
        out[l] = d * sc[is] * static_cast<float>(q1);
        out[l + 32] = d * sc[is + 2] * static_cast<float>(q2);
        out[l + 64] = d * sc[is + 4] * static_cast<float>(q3);
        out[l + 96] = d * sc[is + 6] * static_cast<float>(q4);
      }
    }
  }
}

void dequantize_row_q8_k(const BlockQ8_K* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK_K; ++b, y += kQK_K) {
    for (size_t j = 0; j < kQK_K; ++j) y[j] = x[b].d * static_cast<float>(x[b].qs[j]);
  }
}

}  // namespace liftoff::kernels
