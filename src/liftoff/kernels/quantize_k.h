// Typed row codecs of the 256-element K-quant super-block formats (Q4_K, Q5_K, Q6_K, and Q8_K
// decoding; Q8_K encoding is in quantize_activations.h). quantize_row() in quantize.h dispatches
// here. Every function takes n elements, n a multiple of kQK_K, and neither allocates nor fails.
#pragma once

#include <cstddef>
#include <cstdint>

#include "liftoff/kernels/quant_blocks.h"

namespace liftoff::kernels {

void quantize_row_q4_k(const float* x, BlockQ4_K* y, size_t n);
void quantize_row_q5_k(const float* x, BlockQ5_K* y, size_t n);
void quantize_row_q6_k(const float* x, BlockQ6_K* y, size_t n);

void dequantize_row_q4_k(const BlockQ4_K* x, float* y, size_t n);
void dequantize_row_q5_k(const BlockQ5_K* x, float* y, size_t n);
void dequantize_row_q6_k(const BlockQ6_K* x, float* y, size_t n);
void dequantize_row_q8_k(const BlockQ8_K* x, float* y, size_t n);

// The 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K block: j < 4 sit in the low
// 6 bits of bytes j and j + 4; j >= 4 split into a low nibble in byte j + 4 and their top two
// bits in the spare high bits of bytes j - 4 (scale) and j (min).
inline void unpack_k_scale_min(const uint8_t* packed, size_t j, uint8_t* scale, uint8_t* min) {
  if (j < 4) {
    *scale = packed[j] & 63;
    *min = packed[j + 4] & 63;
  } else {
    *scale = static_cast<uint8_t>((packed[j + 4] & 0xF) | ((packed[j - 4] >> 6) << 4));
    *min = static_cast<uint8_t>((packed[j + 4] >> 4) | ((packed[j] >> 6) << 4));
  }
}

}  // namespace liftoff::kernels
