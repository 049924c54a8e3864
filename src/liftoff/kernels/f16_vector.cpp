// Dynamic dispatch of the f16 vector kernels.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "liftoff/kernels/f16_vector.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "liftoff/kernels/f16_vector-inl.h"

#if HWY_ONCE
#include "liftoff/kernels/f16_vector.h"

namespace liftoff::kernels {

HWY_EXPORT(dot_f16);
HWY_EXPORT(axpy_f16);
HWY_EXPORT(to_f16);
HWY_EXPORT(dot_f16_rows);
HWY_EXPORT(axpy_f16_rows);

float dot_f16(const float* a, const uint16_t* b, size_t n) {
  return HWY_DYNAMIC_DISPATCH(dot_f16)(a, b, n);
}
void axpy_f16(float a, const uint16_t* x, float* y, size_t n) {
  HWY_DYNAMIC_DISPATCH(axpy_f16)(a, x, y, n);
}
void to_f16(const float* x, uint16_t* out, size_t n) { HWY_DYNAMIC_DISPATCH(to_f16)(x, out, n); }
void dot_f16_rows(const float* q, const uint16_t* rows, size_t row_stride, size_t n_rows, size_t n,
                  float scale, float* scores) {
  HWY_DYNAMIC_DISPATCH(dot_f16_rows)(q, rows, row_stride, n_rows, n, scale, scores);
}
void axpy_f16_rows(const float* weights, const uint16_t* rows, size_t row_stride, size_t n_rows,
                   size_t n, float* y) {
  HWY_DYNAMIC_DISPATCH(axpy_f16_rows)(weights, rows, row_stride, n_rows, n, y);
}

}  // namespace liftoff::kernels
#endif  // HWY_ONCE
