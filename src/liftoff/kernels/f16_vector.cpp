// Dynamic dispatch of the f16 vector kernels.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "liftoff/kernels/f16_vector.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "liftoff/kernels/f16_vector-inl.h"

#if HWY_ONCE
namespace liftoff::kernels {

HWY_EXPORT(dot_f16);
HWY_EXPORT(axpy_f16);
HWY_EXPORT(to_f16);
HWY_EXPORT(dot_f16_columns);
HWY_EXPORT(axpy_f16_rows);

float dot_f16(const float* a, const uint16_t* b, size_t n) {
  return HWY_DYNAMIC_DISPATCH(dot_f16)(a, b, n);
}
void axpy_f16(float a, const uint16_t* x, float* y, size_t n) {
  HWY_DYNAMIC_DISPATCH(axpy_f16)(a, x, y, n);
}
void to_f16(const float* x, uint16_t* out, size_t n) { HWY_DYNAMIC_DISPATCH(to_f16)(x, out, n); }
void dot_f16_columns(const F16Columns& keys, const float* q, size_t q_stride, size_t n_heads,
                     float scale, float* scores, size_t scores_stride) {
  HWY_DYNAMIC_DISPATCH(dot_f16_columns)(keys, q, q_stride, n_heads, scale, scores, scores_stride);
}
void axpy_f16_rows(const F16Rows& rows, const float* weights, size_t weights_stride,
                   size_t n_heads, float* y, size_t y_stride) {
  HWY_DYNAMIC_DISPATCH(axpy_f16_rows)(rows, weights, weights_stride, n_heads, y, y_stride);
}

}  // namespace liftoff::kernels
#endif  // HWY_ONCE
