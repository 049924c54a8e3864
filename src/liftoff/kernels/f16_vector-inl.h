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
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "hwy/highway.h"
#include "liftoff/kernels/f16_vector.h"

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

namespace f16v {

// G heads at a time: G accumulators live in registers while each row is converted once.
template <size_t G>
HWY_INLINE void dot_rows_group(const F16Rows& rows, const float* q, size_t q_stride, float scale,
                               float* scores, size_t scores_stride) {
  const DF d;
  const size_t lanes = hn::Lanes(d);
  const size_t n = rows.width;
  const size_t full = n - n % lanes;
  // A width that is not a whole number of vectors ends in zero-padded copies.
  HWY_ALIGN float q_tail[G][kMaxLanes] = {};
  for (size_t g = 0; g < G && full < n; ++g) {
    std::memcpy(q_tail[g], q + g * q_stride + full, (n - full) * sizeof(float));
  }
  for (size_t s = 0; s < rows.count; ++s) {
    const uint16_t* row = rows.data + s * rows.stride;
    hn::Vec<DF> acc[G];
    for (size_t g = 0; g < G; ++g) acc[g] = hn::Zero(d);
    for (size_t i = 0; i < full; i += lanes) {
      const auto k = load_f16(row + i);
      for (size_t g = 0; g < G; ++g) acc[g] = hn::MulAdd(hn::LoadU(d, q + g * q_stride + i), k, acc[g]);
    }
    if (full < n) {
      HWY_ALIGN uint16_t tail[kMaxLanes] = {};
      std::memcpy(tail, row + full, (n - full) * sizeof(uint16_t));
      const auto k = load_f16(tail);
      for (size_t g = 0; g < G; ++g) acc[g] = hn::MulAdd(hn::Load(d, q_tail[g]), k, acc[g]);
    }
    for (size_t g = 0; g < G; ++g) {
      scores[g * scores_stride + s] = scale * hn::GetLane(hn::SumOfLanes(d, acc[g]));
    }
  }
}

template <size_t G>
HWY_INLINE void axpy_rows_group(const F16Rows& rows, const float* weights, size_t weights_stride,
                                float* y, size_t y_stride) {
  const DF d;
  const size_t lanes = hn::Lanes(d);
  const size_t n = rows.width;
  for (size_t i = 0; i < n; i += lanes) {
    const size_t m = std::min(lanes, n - i);
    hn::Vec<DF> acc[G];
    HWY_ALIGN float y_tail[G][kMaxLanes] = {};
    for (size_t g = 0; g < G; ++g) {
      if (m == lanes) {
        acc[g] = hn::LoadU(d, y + g * y_stride + i);
      } else {
        std::memcpy(y_tail[g], y + g * y_stride + i, m * sizeof(float));
        acc[g] = hn::Load(d, y_tail[g]);
      }
    }
    for (size_t s = 0; s < rows.count; ++s) {
      const uint16_t* row = rows.data + s * rows.stride + i;
      hn::Vec<DF> v;
      if (m == lanes) {
        v = load_f16(row);
      } else {
        HWY_ALIGN uint16_t tail[kMaxLanes] = {};
        std::memcpy(tail, row, m * sizeof(uint16_t));
        v = load_f16(tail);
      }
      for (size_t g = 0; g < G; ++g) {
        acc[g] = hn::MulAdd(hn::Set(d, weights[g * weights_stride + s]), v, acc[g]);
      }
    }
    for (size_t g = 0; g < G; ++g) {
      if (m == lanes) {
        hn::StoreU(acc[g], d, y + g * y_stride + i);
      } else {
        hn::Store(acc[g], d, y_tail[g]);
        std::memcpy(y + g * y_stride + i, y_tail[g], m * sizeof(float));
      }
    }
  }
}

// Calls body(integral_constant<G>, first_head) over n_heads in groups of at most 4 (more
// accumulators than that would spill on 16-register targets).
template <class Body>
HWY_INLINE void for_head_groups(size_t n_heads, const Body& body) {
  size_t h = 0;
  for (; h + 4 <= n_heads; h += 4) body(std::integral_constant<size_t, 4>(), h);
  switch (n_heads - h) {
    case 3:
      return body(std::integral_constant<size_t, 3>(), h);
    case 2:
      return body(std::integral_constant<size_t, 2>(), h);
    case 1:
      return body(std::integral_constant<size_t, 1>(), h);
    default:
      return;
  }
}

}  // namespace f16v

// The per-row loops stay inside one dispatched call: attention visits every cached position,
// and a dispatch per position costs as much as a 64-element dot product.
HWY_NOINLINE void dot_f16_rows(const F16Rows& rows, const float* q, size_t q_stride,
                               size_t n_heads, float scale, float* scores, size_t scores_stride) {
  f16v::for_head_groups(n_heads, [&](auto g, size_t h) {
    f16v::dot_rows_group<decltype(g)::value>(rows, q + h * q_stride, q_stride, scale,
                                             scores + h * scores_stride, scores_stride);
  });
}

HWY_NOINLINE void axpy_f16_rows(const F16Rows& rows, const float* weights, size_t weights_stride,
                                size_t n_heads, float* y, size_t y_stride) {
  f16v::for_head_groups(n_heads, [&](auto g, size_t h) {
    f16v::axpy_rows_group<decltype(g)::value>(rows, weights + h * weights_stride, weights_stride,
                                              y + h * y_stride, y_stride);
  });
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
