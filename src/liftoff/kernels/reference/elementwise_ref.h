// Scalar references of the kernels in kernels/elementwise.h: plain loops, double accumulation,
// libm transcendentals. The oracle for the SIMD tests; not for hot paths.
#pragma once

#include <cstddef>
#include <cstdint>

#include "liftoff/kernels/elementwise.h"  // RopeMode

namespace liftoff::kernels::reference {

// Same contracts as the liftoff::kernels functions of the same name.
void rms_norm(const float* x, const float* weight, float eps, float* out, size_t n);
void silu_mul(const float* gate, const float* up, float* out, size_t n);
void gelu_mul(const float* gate, const float* up, float* out, size_t n);
void softmax(float* x, size_t n);
void axpy(float a, const float* x, float* y, size_t n);
float dot(const float* a, const float* b, size_t n);
void add(const float* x, float* y, size_t n);

// Builds angles exactly as llama.cpp's rope cache does (float running product of
// freq_base^(-2/n_rot), float cos/sin), so it computes ggml_rope with ext_factor 0 and
// attn_factor 1; results agree bit for bit unless the llama.cpp build fuses x0*c - x1*s.
void rope(float* x, size_t n_heads, size_t head_dim, size_t n_rot, int32_t pos, float freq_base,
          float freq_scale, RopeMode mode);

}  // namespace liftoff::kernels::reference
