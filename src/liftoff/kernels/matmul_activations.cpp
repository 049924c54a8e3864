// Quantizes activation rows for the integer dot products of matmul (see QuantizedActivations in
// matmul_internal.h). Plain Highway code, the same for every target.
// clang-format off
#include "liftoff/kernels/matmul_targets.h"  // before any Highway header
// clang-format on

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "liftoff/kernels/matmul_internal.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "liftoff/kernels/matmul_activations.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#if HWY_TARGET == HWY_AVX2
#include <immintrin.h>
#endif

HWY_BEFORE_NAMESPACE();
namespace liftoff::kernels::matmul_detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void QuantizeActivations(const float* HWY_RESTRICT x, size_t cols, size_t block,
                         int8_t* HWY_RESTRICT qs, float* HWY_RESTRICT d, float* HWY_RESTRICT s,
                         int16_t* HWY_RESTRICT bsums) {
  const hn::ScalableTag<float> df;
  const hn::RebindToSigned<decltype(df)> di;
  const hn::Rebind<int8_t, decltype(df)> d8;
  const size_t n = hn::Lanes(df);  // divides 16 on every target we compile
  constexpr size_t kGroup = 16;

  for (size_t b = 0; b < cols / block; ++b) {
    const float* xb = x + b * block;
    auto amax = hn::Zero(df);
    for (size_t i = 0; i < block; i += n) amax = hn::Max(amax, hn::Abs(hn::LoadU(df, xb + i)));
    const float max_abs = hn::GetLane(hn::MaxOfLanes(df, amax));
    const float scale = max_abs / 127.0f;
    const auto inv = hn::Set(df, max_abs > 0.0f ? 127.0f / max_abs : 0.0f);

    int32_t block_sum = 0;
    for (size_t g = 0; g < block; g += kGroup) {
      auto group_sum = hn::Zero(di);
      for (size_t i = g; i < g + kGroup; i += n) {
        // |x * inv| <= 127 (up to rounding of inv), so the demotion never saturates.
        const auto q = hn::NearestInt(hn::Mul(hn::LoadU(df, xb + i), inv));
        group_sum = hn::Add(group_sum, q);
        hn::StoreU(hn::DemoteTo(d8, q), d8, qs + b * block + i);
      }
      const int32_t sum = hn::GetLane(hn::SumOfLanes(di, group_sum));
      bsums[(b * block + g) / kGroup] = static_cast<int16_t>(sum);
      block_sum += sum;
    }
    d[b] = scale;
    s[b] = scale * static_cast<float>(block_sum);
  }
}

// See interleave_float_activations in matmul_internal.h.
void InterleaveFloatActivations(const float* HWY_RESTRICT x, size_t n_tokens, size_t cols,
                                size_t group, float* HWY_RESTRICT x_groups) {
  constexpr size_t kLanes = kGroupTokens;
  float* dst = x_groups + group * cols * kLanes;
  const size_t t0 = group * kLanes;
  const size_t n_real = std::min(kLanes, n_tokens - t0);
  const float* src[kLanes];
  for (size_t lane = 0; lane < n_real; ++lane) src[lane] = x + (t0 + lane) * cols;
  size_t c = 0;
#if HWY_TARGET == HWY_AVX2
  if (n_real == kLanes) {  // 8 x 8 blocks: 8 row loads, a register transpose, 8 stores
    for (; c + 8 <= cols; c += 8) {
      __m256 r[8];
      for (size_t lane = 0; lane < 8; ++lane) r[lane] = _mm256_loadu_ps(src[lane] + c);
      __m256 u[8], v[8];
      for (size_t i = 0; i < 8; i += 2) {
        u[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);      // a0 b0 a1 b1 | a4 b4 a5 b5
        u[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);  // a2 b2 a3 b3 | a6 b6 a7 b7
      }
      for (size_t i = 0; i < 8; i += 4) {
        for (size_t j = 0; j < 2; ++j) {
          v[i + 2 * j] = _mm256_shuffle_ps(u[i + j], u[i + 2 + j], 0x44);      // a b c d, col 2j
          v[i + 2 * j + 1] = _mm256_shuffle_ps(u[i + j], u[i + 2 + j], 0xEE);  // col 2j + 1
        }
      }
      // v[0..3]: columns 0-3 (and 4-7 in the high half) of tokens 0-3; v[4..7]: of tokens 4-7.
      for (size_t col = 0; col < 4; ++col) {
        _mm256_storeu_ps(dst + (c + col) * kLanes, _mm256_permute2f128_ps(v[col], v[col + 4], 0x20));
        _mm256_storeu_ps(dst + (c + col + 4) * kLanes,
                         _mm256_permute2f128_ps(v[col], v[col + 4], 0x31));
      }
    }
  }
#endif
  for (; c < cols; ++c) {
    for (size_t lane = 0; lane < kLanes; ++lane) {
      dst[c * kLanes + lane] = lane < n_real ? src[lane][c] : 0.0f;
    }
  }
}

}  // namespace liftoff::kernels::matmul_detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace liftoff::kernels::matmul_detail {

HWY_EXPORT(QuantizeActivations);
HWY_EXPORT(InterleaveFloatActivations);

void quantize_activations(const float* x, size_t cols, size_t block, int8_t* qs, float* d, float* s,
                          int16_t* bsums) {
  HWY_DYNAMIC_DISPATCH(QuantizeActivations)(x, cols, block, qs, d, s, bsums);
}

void interleave_activations(const QuantizedActivations& act, size_t n_tokens, size_t cols,
                            float s_scale, size_t group, int8_t* qs, float* d, float* s,
                            int16_t* bsums) {
  constexpr size_t kLanes = kGroupTokens;
  const size_t n32 = cols / 32;
  const size_t nb = cols / act.block;
  int8_t* group_qs = qs + group * n32 * 32 * kLanes;
  for (size_t lane = 0; lane < kLanes; ++lane) {
    const size_t t = group * kLanes + lane;
    const bool real = t < n_tokens;
    const int8_t* src = act.qs + t * cols;
    for (size_t b = 0; b < n32; ++b) {
      for (size_t quad = 0; quad < 8; ++quad) {
        int8_t* dst = group_qs + ((b * 8 + quad) * kLanes + lane) * 4;
        if (real) {
          std::memcpy(dst, src + b * 32 + quad * 4, 4);
        } else {
          std::memset(dst, 0, 4);
        }
      }
    }
    for (size_t b = 0; b < nb; ++b) {
      d[(group * nb + b) * kLanes + lane] = real ? act.d[t * nb + b] : 0.0f;
    }
    if (act.block == 32) {
      for (size_t b = 0; b < n32; ++b) {
        s[(group * n32 + b) * kLanes + lane] = real ? act.s[t * nb + b] * s_scale : 0.0f;
      }
    } else {
      const size_t n16 = cols / 16;
      for (size_t pair = 0; pair < n32; ++pair) {  // 8 pairs per 256-block, in order
        int16_t* dst = bsums + ((group * n32 + pair) * kLanes + lane) * 2;
        dst[0] = real ? act.bsums[t * n16 + 2 * pair] : int16_t{0};
        dst[1] = real ? act.bsums[t * n16 + 2 * pair + 1] : int16_t{0};
      }
    }
  }
}

void interleave_float_activations(const float* x, size_t n_tokens, size_t cols, size_t group,
                                  float* x_groups) {
  HWY_DYNAMIC_DISPATCH(InterleaveFloatActivations)(x, n_tokens, cols, group, x_groups);
}

}  // namespace liftoff::kernels::matmul_detail
#endif  // HWY_ONCE
