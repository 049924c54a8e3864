// Per-target bodies of f16_vector.h. Tails go through zero-padded stack copies so no load reads
// past the caller's array.
#if defined(LIFTOFF_KERNELS_F16_VECTOR_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LIFTOFF_KERNELS_F16_VECTOR_INL_H_
#undef LIFTOFF_KERNELS_F16_VECTOR_INL_H_
#else
#define LIFTOFF_KERNELS_F16_VECTOR_INL_H_
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace liftoff::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace f16v {
using DF = hn::ScalableTag<float>;
using DH = hn::Rebind<hwy::float16_t, DF>;
inline constexpr size_t kMaxLanes = HWY_MAX_BYTES / sizeof(float);

HWY_INLINE hn::Vec<DF> load_f16(const uint16_t* p) {
  return hn::PromoteTo(DF(), hn::LoadU(DH(), reinterpret_cast<const hwy::float16_t*>(p)));
}
}  // namespace f16v

HWY_INLINE float dot_f16(const float* a, const uint16_t* b, size_t n) {
  using namespace f16v;
  const DF d;
  const size_t lanes = hn::Lanes(d);
  auto acc0 = hn::Zero(d), acc1 = hn::Zero(d);
  size_t i = 0;
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    acc0 = hn::MulAdd(hn::LoadU(d, a + i), load_f16(b + i), acc0);
    acc1 = hn::MulAdd(hn::LoadU(d, a + i + lanes), load_f16(b + i + lanes), acc1);
  }
  for (; i + lanes <= n; i += lanes) acc0 = hn::MulAdd(hn::LoadU(d, a + i), load_f16(b + i), acc0);
  if (i < n) {
    HWY_ALIGN float ta[kMaxLanes] = {};
    HWY_ALIGN uint16_t tb[kMaxLanes] = {};
    std::memcpy(ta, a + i, (n - i) * sizeof(float));
    std::memcpy(tb, b + i, (n - i) * sizeof(uint16_t));
    acc1 = hn::MulAdd(hn::Load(d, ta), load_f16(tb), acc1);
  }
  return hn::GetLane(hn::SumOfLanes(d, hn::Add(acc0, acc1)));
}

HWY_INLINE void axpy_f16(float a, const uint16_t* x, float* y, size_t n) {
  using namespace f16v;
  const DF d;
  const size_t lanes = hn::Lanes(d);
  const auto va = hn::Set(d, a);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    hn::StoreU(hn::MulAdd(va, load_f16(x + i), hn::LoadU(d, y + i)), d, y + i);
  }
  if (i < n) {
    HWY_ALIGN uint16_t tx[kMaxLanes] = {};
    HWY_ALIGN float ty[kMaxLanes] = {};
    std::memcpy(tx, x + i, (n - i) * sizeof(uint16_t));
    std::memcpy(ty, y + i, (n - i) * sizeof(float));
    hn::Store(hn::MulAdd(va, load_f16(tx), hn::Load(d, ty)), d, ty);
    std::memcpy(y + i, ty, (n - i) * sizeof(float));
  }
}

// The per-row loops stay inside one dispatched call: attention visits every cached position,
// and a dispatch per position costs as much as a 64-element dot product.
HWY_NOINLINE void dot_f16_rows(const float* q, const uint16_t* rows, size_t row_stride,
                               size_t n_rows, size_t n, float scale, float* scores) {
  for (size_t s = 0; s < n_rows; ++s) scores[s] = scale * dot_f16(q, rows + s * row_stride, n);
}

HWY_NOINLINE void axpy_f16_rows(const float* weights, const uint16_t* rows, size_t row_stride,
                                size_t n_rows, size_t n, float* y) {
  for (size_t s = 0; s < n_rows; ++s) axpy_f16(weights[s], rows + s * row_stride, y, n);
}

HWY_NOINLINE void to_f16(const float* x, uint16_t* out, size_t n) {
  using namespace f16v;
  const DF d;
  const DH dh;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    hn::StoreU(hn::DemoteTo(dh, hn::LoadU(d, x + i)), dh, reinterpret_cast<hwy::float16_t*>(out + i));
  }
  if (i < n) {
    HWY_ALIGN float tx[kMaxLanes] = {};
    HWY_ALIGN uint16_t to[kMaxLanes] = {};
    std::memcpy(tx, x + i, (n - i) * sizeof(float));
    hn::StoreU(hn::DemoteTo(dh, hn::Load(d, tx)), dh, reinterpret_cast<hwy::float16_t*>(to));
    std::memcpy(out + i, to, (n - i) * sizeof(uint16_t));
  }
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace liftoff::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // include guard
