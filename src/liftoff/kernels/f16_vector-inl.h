// Per-target bodies of f16_vector.h. Tails go through zero-padded stack copies so no load reads
// past the caller's array.
#if defined(LIFTOFF_KERNELS_F16_VECTOR_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LIFTOFF_KERNELS_F16_VECTOR_INL_H_
#undef LIFTOFF_KERNELS_F16_VECTOR_INL_H_
#else
#define LIFTOFF_KERNELS_F16_VECTOR_INL_H_
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>
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

// G heads x two slot vectors at a time: 2G accumulators in registers; each key vector is
// converted once and multiplied by the G heads' (broadcast) query elements.
template <size_t G>
HWY_INLINE void dot_columns_group(const F16Columns& keys, const float* q, size_t q_stride,
                                  float scale, float* scores, size_t scores_stride) {
  const DF d;
  const size_t lanes = hn::Lanes(d);
  // Slots [c, c + lanes): straight from the block where it has them (slots past `count` are
  // allocated, their lanes are dropped), else from a zero-padded copy of the valid ones.
  const auto load_slots = [&](const uint16_t* row, size_t c) HWY_ATTR {
    if (c + lanes <= keys.stride) return load_f16(row + c);
    HWY_ALIGN uint16_t tail[kMaxLanes] = {};
    std::memcpy(tail, row + c, std::min(lanes, keys.count - c) * sizeof(uint16_t));
    return load_f16(tail);
  };
  const auto store_scores = [&](hn::Vec<DF> acc, float* out, size_t c) HWY_ATTR {
    const auto v = hn::Mul(acc, hn::Set(d, scale));
    const size_t m = std::min(lanes, keys.count - c);
    if (m == lanes) return hn::StoreU(v, d, out + c);
    HWY_ALIGN float tmp[kMaxLanes];
    hn::Store(v, d, tmp);
    std::memcpy(out + c, tmp, m * sizeof(float));
  };
  size_t c = 0;
  for (; c + lanes < keys.count; c += 2 * lanes) {
    hn::Vec<DF> acc0[G], acc1[G];
    for (size_t g = 0; g < G; ++g) acc0[g] = acc1[g] = hn::Zero(d);
    for (size_t i = 0; i < keys.width; ++i) {
      const uint16_t* row = keys.data + i * keys.stride;
      const auto k0 = load_slots(row, c);
      const auto k1 = load_slots(row, c + lanes);
      for (size_t g = 0; g < G; ++g) {
        const auto qi = hn::Set(d, q[g * q_stride + i]);
        acc0[g] = hn::MulAdd(qi, k0, acc0[g]);
        acc1[g] = hn::MulAdd(qi, k1, acc1[g]);
      }
    }
    for (size_t g = 0; g < G; ++g) {
      store_scores(acc0[g], scores + g * scores_stride, c);
      store_scores(acc1[g], scores + g * scores_stride, c + lanes);
    }
  }
  if (c < keys.count) {
    hn::Vec<DF> acc[G];
    for (size_t g = 0; g < G; ++g) acc[g] = hn::Zero(d);
    for (size_t i = 0; i < keys.width; ++i) {
      const auto k = load_slots(keys.data + i * keys.stride, c);
      for (size_t g = 0; g < G; ++g) acc[g] = hn::MulAdd(hn::Set(d, q[g * q_stride + i]), k, acc[g]);
    }
    for (size_t g = 0; g < G; ++g) store_scores(acc[g], scores + g * scores_stride, c);
  }
}

template <size_t G>
HWY_INLINE void axpy_rows_group(const F16Rows& rows, const float* weights, size_t weights_stride,
                                float* y, size_t y_stride) {
  const DF d;
  const size_t lanes = hn::Lanes(d);
  const size_t n = rows.width;
  size_t i = 0;
  // Two vectors of the width per pass: each broadcast weight feeds two FMAs.
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    hn::Vec<DF> acc0[G], acc1[G];
    for (size_t g = 0; g < G; ++g) {
      acc0[g] = hn::LoadU(d, y + g * y_stride + i);
      acc1[g] = hn::LoadU(d, y + g * y_stride + i + lanes);
    }
    for (size_t s = 0; s < rows.count; ++s) {
      const uint16_t* row = rows.data + s * rows.stride + i;
      const auto v0 = load_f16(row);
      const auto v1 = load_f16(row + lanes);
      for (size_t g = 0; g < G; ++g) {
        const auto w = hn::Set(d, weights[g * weights_stride + s]);
        acc0[g] = hn::MulAdd(w, v0, acc0[g]);
        acc1[g] = hn::MulAdd(w, v1, acc1[g]);
      }
    }
    for (size_t g = 0; g < G; ++g) {
      hn::StoreU(acc0[g], d, y + g * y_stride + i);
      hn::StoreU(acc1[g], d, y + g * y_stride + i + lanes);
    }
  }
  for (; i < n; i += lanes) {
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
HWY_NOINLINE void dot_f16_columns(const F16Columns& keys, const float* q, size_t q_stride,
                                  size_t n_heads, float scale, float* scores,
                                  size_t scores_stride) {
  f16v::for_head_groups(n_heads, [&](auto g, size_t h) {
    f16v::dot_columns_group<decltype(g)::value>(keys, q + h * q_stride, q_stride, scale,
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
