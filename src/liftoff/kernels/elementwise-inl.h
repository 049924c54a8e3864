// Per-target (Highway) bodies of the vector kernels declared in elementwise.h. Included once per
// SIMD target by elementwise.cpp (dispatch) and elementwise_test.cpp (per-target tests); holds no
// dispatch and no state. Tails shorter than a vector go through a zero-padded stack copy, so
// every element sees the same arithmetic and no load reads past the caller's array.

// Per-target include guard: toggled by foreach_target.h so each target re-includes the body.
#if defined(LIFTOFF_KERNELS_ELEMENTWISE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LIFTOFF_KERNELS_ELEMENTWISE_INL_H_
#undef LIFTOFF_KERNELS_ELEMENTWISE_INL_H_
#else
#define LIFTOFF_KERNELS_ELEMENTWISE_INL_H_
#endif

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "hwy/contrib/math/math-inl.h"  // Exp
#include "hwy/highway.h"
#include "liftoff/base/status.h"  // LIFTOFF_CHECK
#include "liftoff/kernels/elementwise.h"

HWY_BEFORE_NAMESPACE();
namespace liftoff::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using VF = hn::Vec<DF>;

// Upper bound of Lanes(DF()) on this target, for stack tail buffers.
inline constexpr size_t kMaxLanesF = HWY_MAX_BYTES / sizeof(float);

// Exp's argument is clamped here: Highway's Exp is specified only up to +104, and e^88 is
// already near FLT_MAX, so 1 + e^t stays finite and x / (1 + e^t) underflows to ~0 as it should.
inline constexpr float kMaxExpArg = 88.0f;

// x * sigmoid(x) = x / (1 + e^-x).
HWY_INLINE VF silu(DF d, VF x) {
  const VF e = hn::Exp(d, hn::Min(hn::Neg(x), hn::Set(d, kMaxExpArg)));
  return hn::Div(x, hn::Add(hn::Set(d, 1.0f), e));
}

// Tanh-approximated GELU, 0.5 x (1 + tanh(z)) with z = sqrt(2/pi) (x + 0.044715 x^3), rewritten
// through 0.5 (1 + tanh(z)) = 1 / (1 + e^(-2z)) so it costs one Exp.
HWY_INLINE VF gelu(DF d, VF x) {
  const VF k2_sqrt_2_over_pi = hn::Set(d, 2.0f * 0.7978845608028654f);
  const VF inner = hn::Mul(hn::Mul(k2_sqrt_2_over_pi, x),
                           hn::MulAdd(hn::Set(d, 0.044715f), hn::Mul(x, x), hn::Set(d, 1.0f)));
  const VF e = hn::Exp(d, hn::Min(hn::Neg(inner), hn::Set(d, kMaxExpArg)));
  return hn::Div(x, hn::Add(hn::Set(d, 1.0f), e));
}

// out[i] = f(a[i], b[i]) for i < n; out may alias a or b.
template <class Func>
HWY_INLINE void transform2(const float* a, const float* b, float* out, size_t n, Func f) {
  const DF d;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    hn::StoreU(f(d, hn::LoadU(d, a + i), hn::LoadU(d, b + i)), d, out + i);
  }
  if (i == n) return;
  HWY_ALIGN float ta[kMaxLanesF] = {};
  HWY_ALIGN float tb[kMaxLanesF] = {};
  const size_t rest = n - i;
  std::memcpy(ta, a + i, rest * sizeof(float));
  std::memcpy(tb, b + i, rest * sizeof(float));
  hn::Store(f(d, hn::Load(d, ta), hn::Load(d, tb)), d, ta);
  std::memcpy(out + i, ta, rest * sizeof(float));
}

// Sum over i < n of f(a[i], b[i]) lane-wise into four independent accumulators (hides FMA
// latency and keeps rounding error growth at ~n / (4 * lanes) per accumulator).
template <class Func>
HWY_INLINE float reduce2(const float* a, const float* b, size_t n, Func f) {
  const DF d;
  const size_t lanes = hn::Lanes(d);
  VF s0 = hn::Zero(d);
  VF s1 = hn::Zero(d);
  VF s2 = hn::Zero(d);
  VF s3 = hn::Zero(d);
  size_t i = 0;
  for (; i + 4 * lanes <= n; i += 4 * lanes) {
    s0 = f(d, hn::LoadU(d, a + i), hn::LoadU(d, b + i), s0);
    s1 = f(d, hn::LoadU(d, a + i + lanes), hn::LoadU(d, b + i + lanes), s1);
    s2 = f(d, hn::LoadU(d, a + i + 2 * lanes), hn::LoadU(d, b + i + 2 * lanes), s2);
    s3 = f(d, hn::LoadU(d, a + i + 3 * lanes), hn::LoadU(d, b + i + 3 * lanes), s3);
  }
  for (; i + lanes <= n; i += lanes) s0 = f(d, hn::LoadU(d, a + i), hn::LoadU(d, b + i), s0);
  if (i < n) {  // zero padding adds nothing to a sum of products
    HWY_ALIGN float ta[kMaxLanesF] = {};
    HWY_ALIGN float tb[kMaxLanesF] = {};
    std::memcpy(ta, a + i, (n - i) * sizeof(float));
    std::memcpy(tb, b + i, (n - i) * sizeof(float));
    s1 = f(d, hn::Load(d, ta), hn::Load(d, tb), s1);
  }
  return hn::GetLane(hn::SumOfLanes(d, hn::Add(hn::Add(s0, s1), hn::Add(s2, s3))));
}

inline float dot(const float* a, const float* b, size_t n) {
  return reduce2(a, b, n, [](DF, VF va, VF vb, VF acc) { return hn::MulAdd(va, vb, acc); });
}

inline void rms_norm(const float* x, const float* weight, float eps, float* out, size_t n) {
  const float sum_sq = dot(x, x, n);
  const float mean = sum_sq / static_cast<float>(n);
  const float scale = 1.0f / std::sqrt(mean + eps);
  // (x * scale) * weight: the order of llama.cpp's separate norm and mul ops.
  transform2(x, weight, out, n,
             [scale](DF d, VF v, VF w) { return hn::Mul(hn::Mul(v, hn::Set(d, scale)), w); });
}

inline void silu_mul(const float* gate, const float* up, float* out, size_t n) {
  transform2(gate, up, out, n, [](DF d, VF g, VF u) { return hn::Mul(silu(d, g), u); });
}

inline void gelu_mul(const float* gate, const float* up, float* out, size_t n) {
  transform2(gate, up, out, n, [](DF d, VF g, VF u) { return hn::Mul(gelu(d, g), u); });
}

inline void axpy(float a, const float* x, float* y, size_t n) {
  transform2(x, y, y, n, [a](DF d, VF xv, VF yv) { return hn::MulAdd(hn::Set(d, a), xv, yv); });
}

inline void add(const float* x, float* y, size_t n) {
  transform2(x, y, y, n, [](DF, VF xv, VF yv) { return hn::Add(xv, yv); });
}

inline void softmax(float* x, size_t n) {
  const DF d;
  const size_t lanes = hn::Lanes(d);
  constexpr float kLowest = std::numeric_limits<float>::lowest();

  VF vmax = hn::Set(d, kLowest);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) vmax = hn::Max(vmax, hn::LoadU(d, x + i));
  float max = hn::GetLane(hn::MaxOfLanes(d, vmax));
  for (; i < n; ++i) max = std::max(max, x[i]);

  // exp(x - max) in place, summed in two accumulators. Tail lanes are padded with the lowest
  // float, whose Exp is exactly 0 (below Exp's lower bound), so they add nothing.
  const VF vmax_b = hn::Set(d, max);
  VF s0 = hn::Zero(d);
  VF s1 = hn::Zero(d);
  i = 0;
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    const VF e0 = hn::Exp(d, hn::Sub(hn::LoadU(d, x + i), vmax_b));
    const VF e1 = hn::Exp(d, hn::Sub(hn::LoadU(d, x + i + lanes), vmax_b));
    hn::StoreU(e0, d, x + i);
    hn::StoreU(e1, d, x + i + lanes);
    s0 = hn::Add(s0, e0);
    s1 = hn::Add(s1, e1);
  }
  for (; i < n; i += lanes) {
    HWY_ALIGN float t[kMaxLanesF];
    const size_t count = std::min(lanes, n - i);
    for (size_t k = 0; k < lanes; ++k) t[k] = k < count ? x[i + k] : kLowest;
    const VF e = hn::Exp(d, hn::Sub(hn::Load(d, t), vmax_b));
    hn::Store(e, d, t);
    std::memcpy(x + i, t, count * sizeof(float));
    s0 = hn::Add(s0, e);
  }
  const float sum = hn::GetLane(hn::SumOfLanes(d, hn::Add(s0, s1)));
  const float inv = 1.0f / sum;
  transform2(x, x, x, n, [inv](DF d2, VF v, VF) { return hn::Mul(v, hn::Set(d2, inv)); });
}

// Rotates pairs [first, first + count) of every head by the angles whose cos/sin are in
// cos_t/sin_t[0, count). Normal mode pairs (2p, 2p+1); NeoX mode pairs (p, p + n_rot/2).
// Rotation is mul/sub without FMA so every target (and the scalar tail) rounds identically to
// the reference and to llama.cpp's x0*cos - x1*sin.
// Not inlined: once per chunk is cheap, and inlining with constant shapes makes GCC 12 warn
// falsely about the tail loop.
inline HWY_NOINLINE void rope_rotate(float* x, size_t n_heads, size_t head_dim, size_t n_rot,
                                     size_t first, size_t count, const float* cos_t,
                                     const float* sin_t, RopeMode mode) {
  const DF d;
  const size_t lanes = hn::Lanes(d);
  const size_t half = n_rot / 2;
  for (size_t h = 0; h < n_heads; ++h) {
    float* head = x + h * head_dim;
    size_t p = 0;
    if (mode == RopeMode::kNormal) {
      for (; p + lanes <= count; p += lanes) {
        float* pair = head + 2 * (first + p);
        VF x0;
        VF x1;
        hn::LoadInterleaved2(d, pair, x0, x1);
        const VF c = hn::LoadU(d, cos_t + p);
        const VF s = hn::LoadU(d, sin_t + p);
        const VF r0 = hn::Sub(hn::Mul(x0, c), hn::Mul(x1, s));
        const VF r1 = hn::Add(hn::Mul(x0, s), hn::Mul(x1, c));
        hn::StoreInterleaved2(r0, r1, d, pair);
      }
    } else {
      for (; p + lanes <= count; p += lanes) {
        float* lo = head + first + p;
        float* hi = lo + half;
        const VF x0 = hn::LoadU(d, lo);
        const VF x1 = hn::LoadU(d, hi);
        const VF c = hn::LoadU(d, cos_t + p);
        const VF s = hn::LoadU(d, sin_t + p);
        hn::StoreU(hn::Sub(hn::Mul(x0, c), hn::Mul(x1, s)), d, lo);
        hn::StoreU(hn::Add(hn::Mul(x0, s), hn::Mul(x1, c)), d, hi);
      }
    }
    // Scalar tail: element a of pair p sits at base + step * p, its partner `partner` further.
    const size_t step = mode == RopeMode::kNormal ? 2 : 1;
    const size_t partner = mode == RopeMode::kNormal ? 1 : half;
    float* base = head + step * first;
    for (; p < count; ++p) {
      float* a = base + step * p;
      const float x0 = a[0];
      const float x1 = a[partner];
      a[0] = x0 * cos_t[p] - x1 * sin_t[p];
      a[partner] = x0 * sin_t[p] + x1 * cos_t[p];
    }
  }
}

inline void rope(float* x, size_t n_heads, size_t head_dim, size_t n_rot, int32_t pos,
                 float freq_base, float freq_scale, RopeMode mode) {
  LIFTOFF_CHECK(n_rot % 2 == 0 && n_rot <= head_dim);
  // Angles are built as llama.cpp builds its rope cache: theta starts at pos and is multiplied
  // by base^(-2/n_rot) per pair (a running product, not a pow per pair), then scaled; so the
  // angles match ggml_rope's to the bit. cos/sin are computed once per pair for all heads, a
  // chunk at a time to keep the scratch on the stack.
  constexpr size_t kChunk = 128;
  HWY_ALIGN float cos_t[kChunk];
  HWY_ALIGN float sin_t[kChunk];
  const float theta_scale = std::pow(freq_base, -2.0f / static_cast<float>(n_rot));
  float theta = static_cast<float>(pos);
  const size_t n_pairs = n_rot / 2;
  for (size_t first = 0; first < n_pairs; first += kChunk) {
    const size_t count = std::min(kChunk, n_pairs - first);
    for (size_t p = 0; p < count; ++p) {
      const float angle = freq_scale * theta;
      cos_t[p] = std::cos(angle);
      sin_t[p] = std::sin(angle);
      theta *= theta_scale;
    }
    rope_rotate(x, n_heads, head_dim, n_rot, first, count, cos_t, sin_t, mode);
  }
}

}  // namespace liftoff::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // LIFTOFF_KERNELS_ELEMENTWISE_INL_H_
