// Vector kernels of the transformer block: normalisation, activations, softmax, rotary
// embedding, and the dot/axpy primitives attention is built from. All take plain pointers or
// spans and never allocate. SIMD via Highway with dynamic dispatch.
#pragma once

#include <cstddef>
#include <cstdint>

namespace liftoff::kernels {

// out[i] = x[i] / sqrt(mean(x^2) + eps) * weight[i]; out may alias x.
void rms_norm(const float* x, const float* weight, float eps, float* out, size_t n);

// out = silu(gate) * up, elementwise (SwiGLU); out may alias gate or up.
void silu_mul(const float* gate, const float* up, float* out, size_t n);

// out = gelu(gate) * up, elementwise (GeGLU, tanh approximation as llama.cpp); may alias.
void gelu_mul(const float* gate, const float* up, float* out, size_t n);

// x = softmax(x) in place, numerically stable (max subtracted).
void softmax(float* x, size_t n);

// y[i] += a * x[i]
void axpy(float a, const float* x, float* y, size_t n);

// sum_i a[i] * b[i]
float dot(const float* a, const float* b, size_t n);

// y[i] += x[i]
void add(const float* x, float* y, size_t n);

enum class RopeMode : uint8_t {
  kNormal,  // rotate adjacent pairs (x[2i], x[2i+1]) — llama.cpp LLAMA_ROPE_TYPE_NORM
  kNeox,    // rotate (x[i], x[i + n_rot/2]) — LLAMA_ROPE_TYPE_NEOX (qwen2, ...)
};

// Applies rotary position embedding in place to n_heads vectors of head_dim floats, laid out
// contiguously ([n_heads, head_dim]), at position `pos`. Only the first n_rot dims rotate.
// theta_i = pos * freq_scale * freq_base^(-2i/n_rot).
void rope(float* x, size_t n_heads, size_t head_dim, size_t n_rot, int32_t pos, float freq_base,
          float freq_scale, RopeMode mode);

}  // namespace liftoff::kernels
