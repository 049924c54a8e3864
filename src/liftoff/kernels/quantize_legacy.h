// Typed row codecs of the 32-element block formats (Q4_0, Q4_1, Q5_0, Q5_1, and Q8_0 decoding;
// Q8_0 encoding is in quantize_activations.h). quantize_row() in quantize.h dispatches here.
// Every function takes n elements, n a multiple of kQK, and neither allocates nor fails.
#pragma once

#include <cstddef>

#include "liftoff/kernels/quant_blocks.h"

namespace liftoff::kernels {

void quantize_row_q4_0(const float* x, BlockQ4_0* y, size_t n);
void quantize_row_q4_1(const float* x, BlockQ4_1* y, size_t n);
void quantize_row_q5_0(const float* x, BlockQ5_0* y, size_t n);
void quantize_row_q5_1(const float* x, BlockQ5_1* y, size_t n);

void dequantize_row_q4_0(const BlockQ4_0* x, float* y, size_t n);
void dequantize_row_q4_1(const BlockQ4_1* x, float* y, size_t n);
void dequantize_row_q5_0(const BlockQ5_0* x, float* y, size_t n);
void dequantize_row_q5_1(const BlockQ5_1* x, float* y, size_t n);
void dequantize_row_q8_0(const BlockQ8_0* x, float* y, size_t n);

}  // namespace liftoff::kernels
