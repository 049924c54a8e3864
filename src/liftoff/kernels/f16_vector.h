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

// A run of f16 rows of one KV block: row s < count starts at data + s * stride (elements) and
// `width` elements of it are used (one head's slice of a cache row).
struct F16Rows {
  const uint16_t* data;
  size_t stride;
  size_t count;
  size_t width;
};

// One head's keys in one KV block, slot-minor: element i of slot s is at data[i * stride + s]
// for s < count <= stride (the block's slot count) and i < width (the head dimension).
struct F16Columns {
  const uint16_t* data;
  size_t stride;
  size_t count;
  size_t width;
};

// Attention scores for n_heads query heads that share these keys (grouped-query attention):
// scores[h * scores_stride + s] = scale * dot(q + h * q_stride, key s). A vector holds one
// element of several slots, so the dot products need no horizontal sums, and each key vector
// is converted from f16 once for all the heads of the group.
void dot_f16_columns(const F16Columns& keys, const float* q, size_t q_stride, size_t n_heads,
                     float scale, float* scores, size_t scores_stride);
// The weighted sum of the rows for each head: y[h * y_stride + i] += sum_s
// weights[h * weights_stride + s] * row_s[i], accumulated in registers across rows.
void axpy_f16_rows(const F16Rows& rows, const float* weights, size_t weights_stride,
                   size_t n_heads, float* y, size_t y_stride);

// out[i] = f16(x[i]), round to nearest even.
void to_f16(const float* x, uint16_t* out, size_t n);

}  // namespace liftoff::kernels
