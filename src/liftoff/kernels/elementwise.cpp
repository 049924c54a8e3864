// Dynamic dispatch of the vector kernels: compiles elementwise-inl.h once per SIMD target and
// routes each public entry point to the best target the CPU supports (chosen on first call).
#include "liftoff/kernels/elementwise.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "liftoff/kernels/elementwise.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "liftoff/kernels/elementwise-inl.h"

#if HWY_ONCE
namespace liftoff::kernels {

HWY_EXPORT(rms_norm);
HWY_EXPORT(silu_mul);
HWY_EXPORT(gelu_mul);
HWY_EXPORT(softmax);
HWY_EXPORT(axpy);
HWY_EXPORT(dot);
HWY_EXPORT(add);
HWY_EXPORT(rope);

void rms_norm(const float* x, const float* weight, float eps, float* out, size_t n) {
  HWY_DYNAMIC_DISPATCH(rms_norm)(x, weight, eps, out, n);
}

void silu_mul(const float* gate, const float* up, float* out, size_t n) {
  HWY_DYNAMIC_DISPATCH(silu_mul)(gate, up, out, n);
}

void gelu_mul(const float* gate, const float* up, float* out, size_t n) {
  HWY_DYNAMIC_DISPATCH(gelu_mul)(gate, up, out, n);
}

void softmax(float* x, size_t n) { HWY_DYNAMIC_DISPATCH(softmax)(x, n); }

void axpy(float a, const float* x, float* y, size_t n) { HWY_DYNAMIC_DISPATCH(axpy)(a, x, y, n); }

float dot(const float* a, const float* b, size_t n) { return HWY_DYNAMIC_DISPATCH(dot)(a, b, n); }

void add(const float* x, float* y, size_t n) { HWY_DYNAMIC_DISPATCH(add)(x, y, n); }

void rope(float* x, size_t n_heads, size_t head_dim, size_t n_rot, int32_t pos, float freq_base,
          float freq_scale, RopeMode mode) {
  HWY_DYNAMIC_DISPATCH(rope)(x, n_heads, head_dim, n_rot, pos, freq_base, freq_scale, mode);
}

}  // namespace liftoff::kernels
#endif  // HWY_ONCE
