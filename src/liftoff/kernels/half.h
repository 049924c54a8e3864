// Scalar conversions between float and the two 16-bit float formats of weight files: IEEE binary16
// (F16) and bfloat16 (BF16). Round-to-nearest-even, with inf, NaN and subnormals handled, so an
// encode here gives the same bits as llama.cpp (ggml) and as the F16C instruction. Vector
// conversions live in the Highway kernels, not here.
#pragma once

#include <bit>
#include <cstdint>

#if defined(__F16C__)
#include <immintrin.h>  // _cvtsh_ss, _cvtss_sh
#endif

namespace liftoff::kernels {

// Exact for every non-NaN value; a signalling NaN comes back quiet, as F16C (and ggml) do.
inline float fp16_to_fp32(uint16_t h) {
#if defined(__F16C__)
  return _cvtsh_ss(h);
#else
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  const uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0x1f) {  // inf / NaN: keep the payload, widened, and set the quiet bit of a NaN
    bits = sign | 0x7f800000u | (mant << 13) | (mant != 0 ? 0x400000u : 0u);
  } else if (exp != 0) {  // normal: rebias 15 -> 127
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else {  // zero or subnormal: mant * 2^-24 is exact in float
    bits = sign | std::bit_cast<uint32_t>(static_cast<float>(mant) * 0x1p-24f);
  }
  return std::bit_cast<float>(bits);
#endif
}

// Round-to-nearest-even; |f| >= 65520 becomes inf; NaN stays NaN (quieted, sign kept).
inline uint16_t fp32_to_fp16(float f) {
#if defined(__F16C__)
  return static_cast<uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT));
#else
  uint32_t x = std::bit_cast<uint32_t>(f);
  const uint32_t sign = (x >> 16) & 0x8000u;
  x &= 0x7fffffffu;
  if (x > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u | ((x >> 13) & 0x3ffu));
  if (x >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds past 65504
  if (x < 0x38800000u) {
    // Below the smallest normal (2^-14). Adding 0.5 puts the value where a float ulp is 2^-24,
    // the F16 subnormal step, so the float adder does the round-to-nearest-even for us; the
    // result may carry into 0x400, which is the correct encoding of the smallest normal.
    const float shifted = std::bit_cast<float>(x) + 0.5f;
    return static_cast<uint16_t>(sign | (std::bit_cast<uint32_t>(shifted) - 0x3f000000u));
  }
  // Normal: rebias the exponent (-112 << 23, as a wrapping add), then round away the 13 low
  // mantissa bits to nearest-even; a mantissa carry correctly bumps the exponent.
  const uint32_t odd = (x >> 13) & 1u;
  x += 0xc8000fffu + odd;
  return static_cast<uint16_t>(sign | (x >> 13));
#endif
}

// Exact: bf16 is the top half of a float.
inline float bf16_to_fp32(uint16_t h) {
  return std::bit_cast<float>(static_cast<uint32_t>(h) << 16);
}

// Round-to-nearest-even; NaN is quieted (payload top bits kept) so it cannot round into inf.
// Subnormals are kept, not flushed, as current llama.cpp does.
inline uint16_t fp32_to_bf16(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);
  return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

}  // namespace liftoff::kernels
