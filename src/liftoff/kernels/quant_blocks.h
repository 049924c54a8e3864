// Block layouts of the quantized types, byte-for-byte as llama.cpp (ggml) stores them, so GGUF
// weights are used in place. Scales are IEEE half floats stored as uint16_t.
#pragma once

#include <cstddef>
#include <cstdint>

namespace liftoff::kernels {

inline constexpr size_t kQK = 32;    // elements per block of the *_0 / *_1 types
inline constexpr size_t kQK_K = 256; // elements per super-block of the K-types
inline constexpr size_t kKScaleBytes = 12;  // packed 6-bit scales/mins of Q4_K and Q5_K

struct BlockQ4_0 {        // x = d * (q - 8), q in [0, 15]
  uint16_t d;
  uint8_t qs[kQK / 2];    // element j in low nibble of qs[j], element j+16 in high nibble
};
struct BlockQ4_1 {        // x = d * q + m
  uint16_t d;
  uint16_t m;
  uint8_t qs[kQK / 2];
};
struct BlockQ5_0 {        // x = d * (q - 16), q = nibble | (bit j of qh) << 4
  uint16_t d;
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};
struct BlockQ5_1 {        // x = d * q + m
  uint16_t d;
  uint16_t m;
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};
struct BlockQ8_0 {        // x = d * q
  uint16_t d;
  int8_t qs[kQK];
};
struct BlockQ4_K {        // 8 sub-blocks of 32: x = d * scale_j * q - dmin * min_j
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[kKScaleBytes];
  uint8_t qs[kQK_K / 2];
};
struct BlockQ5_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[kKScaleBytes];
  uint8_t qh[kQK_K / 8];
  uint8_t qs[kQK_K / 2];
};
struct BlockQ6_K {        // 16 sub-blocks of 16: x = d * scales[j] * (q - 32)
  uint8_t ql[kQK_K / 2];
  uint8_t qh[kQK_K / 4];
  int8_t scales[kQK_K / 16];
  uint16_t d;
};
struct BlockQ8_K {        // activation type of the K-quant dot products
  float d;
  int8_t qs[kQK_K];
  int16_t bsums[kQK_K / 16];  // sum of each group of 16 qs
};

static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);
static_assert(sizeof(BlockQ8_K) == 292);

}  // namespace liftoff::kernels
