// Vector kernels over IEEE half-precision storage (the KV cache keeps keys and values in f16,
// as llama.cpp does by default: half the memory and bandwidth of f32). Arithmetic is f32.
#pragma once

#include <cstddef>
#include <cstdint>

namespace liftoff::kernels {

// sum_i a[i] * f32(b[i])
float dot_f16(const float* a, const uint16_t* b, size_t n);

// y[i] += a * f32(x[i])
void axpy_f16(float a, const uint16_t* x, float* y, size_t n);

// Attention over one KV block: for s < n_rows, row s is at rows + s * row_stride (f16 elements).
// scores[s] = scale * dot(q, row_s[0..n))
void dot_f16_rows(const float* q, const uint16_t* rows, size_t row_stride, size_t n_rows, size_t n,
                  float scale, float* scores);
// y[0..n) += sum_s weights[s] * row_s[0..n)
void axpy_f16_rows(const float* weights, const uint16_t* rows, size_t row_stride, size_t n_rows,
                   size_t n, float* y);

// out[i] = f16(x[i]), round to nearest even.
void to_f16(const float* x, uint16_t* out, size_t n);

}  // namespace liftoff::kernels
