// matmul kernels for the float weight types (F32, F16, BF16): weights are widened to f32 in
// registers and multiplied by f32 activations (no activation rounding). Plain Highway code, the
// same on every target; register tiles of rows x tokens reuse each loaded weight vector.
// clang-format off
#include "liftoff/kernels/matmul_targets.h"  // before any Highway header
// clang-format on

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "liftoff/kernels/half.h"
#include "liftoff/kernels/matmul_internal.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "liftoff/kernels/matmul_float.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "liftoff/kernels/matmul-inl.h"

HWY_BEFORE_NAMESPACE();
namespace liftoff::kernels::matmul_detail::HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;
using DFloat = hn::ScalableTag<float>;

struct RowF32 {
  using Elem = float;
  static HWY_INLINE hn::Vec<DFloat> Load(DFloat df, const float* p) { return hn::LoadU(df, p); }
  static float Scalar(float v) { return v; }
};
struct RowF16 {
  using Elem = uint16_t;
  static HWY_INLINE hn::Vec<DFloat> Load(DFloat df, const uint16_t* p) {
    const hn::Rebind<hwy::float16_t, DFloat> dh;
    return hn::PromoteTo(df, hn::LoadU(dh, reinterpret_cast<const hwy::float16_t*>(p)));
  }
  static float Scalar(uint16_t v) { return fp16_to_fp32(v); }
};
struct RowBF16 {
  using Elem = uint16_t;
  static HWY_INLINE hn::Vec<DFloat> Load(DFloat df, const uint16_t* p) {
    const hn::Rebind<hwy::bfloat16_t, DFloat> dh;
    return hn::PromoteTo(df, hn::LoadU(dh, reinterpret_cast<const hwy::bfloat16_t*>(p)));
  }
  static float Scalar(uint16_t v) { return bf16_to_fp32(v); }
};

// One register tile: R rows x T tokens, dot-product form (one accumulator per output, reduced at
// the end). Each weight vector is widened once and used for T tokens.
template <class Row, size_t R, size_t T>
HWY_INLINE void FloatTile(const MatmulJob& job, size_t r0, size_t t0, size_t rows_valid) {
  using Elem = typename Row::Elem;
  const DFloat df;
  const size_t lanes = hn::Lanes(df);
  const size_t cols = job.w.cols;
  const Elem* w[R];
  for (size_t r = 0; r < R; ++r) {
    w[r] = static_cast<const Elem*>(job.w.data) + (r0 + std::min(r, rows_valid - 1)) * cols;
  }
  const float* x[T];
  for (size_t t = 0; t < T; ++t) x[t] = job.x + (t0 + t) * cols;

  hn::Vec<DFloat> acc[R][T];
  for (size_t r = 0; r < R; ++r) {
    for (size_t t = 0; t < T; ++t) acc[r][t] = hn::Zero(df);
  }
  size_t i = 0;
  for (; i + lanes <= cols; i += lanes) {
    if constexpr (T == 1) {
      const auto xv = hn::LoadU(df, x[0] + i);
      for (size_t r = 0; r < R; ++r) acc[r][0] = hn::MulAdd(Row::Load(df, w[r] + i), xv, acc[r][0]);
    } else {
      hn::Vec<DFloat> wv[R];
      for (size_t r = 0; r < R; ++r) wv[r] = Row::Load(df, w[r] + i);
      for (size_t t = 0; t < T; ++t) {
        const auto xv = hn::LoadU(df, x[t] + i);
        for (size_t r = 0; r < R; ++r) acc[r][t] = hn::MulAdd(wv[r], xv, acc[r][t]);
      }
    }
  }
  for (size_t t = 0; t < T; ++t) {
    float* out = job.out + (t0 + t) * job.w.rows + r0;
    for (size_t r = 0; r < rows_valid; ++r) {
      float sum = hn::GetLane(hn::SumOfLanes(df, acc[r][t]));
      for (size_t j = i; j < cols; ++j) sum += Row::Scalar(w[r][j]) * x[t][j];
      out[r] = sum;
    }
  }
}

template <class Row>
void FloatTiles(const MatmulJob& job, const TileRange& range) {
  if (range.token_end - range.token_begin <= 2) {
    // Decode: memory bound; 8 rows give 8 independent FMA chains and 8 prefetch streams.
    ForEachTile<8, 1>(
        range, [&](size_t r, size_t t, size_t nr) { FloatTile<Row, 8, 1>(job, r, t, nr); },
        [&](size_t r, size_t t, size_t nr) { FloatTile<Row, 8, 1>(job, r, t, nr); });
  } else {
    ForEachTile<4, 3>(
        range, [&](size_t r, size_t t, size_t nr) { FloatTile<Row, 4, 3>(job, r, t, nr); },
        [&](size_t r, size_t t, size_t nr) { FloatTile<Row, 4, 1>(job, r, t, nr); });
  }
}

}  // namespace

void MatmulTilesFloat(const MatmulJob& job, const TileRange& range) {
  switch (job.w.type) {
    case DType::kF32:
      return FloatTiles<RowF32>(job, range);
    case DType::kF16:
      return FloatTiles<RowF16>(job, range);
    case DType::kBF16:
      return FloatTiles<RowBF16>(job, range);
    default:
      return TilesViaDequantize(job, range);
  }
}

}  // namespace liftoff::kernels::matmul_detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace liftoff::kernels::matmul_detail {

HWY_EXPORT(MatmulTilesFloat);

void matmul_tiles_float(const MatmulJob& job, const TileRange& range) {
  HWY_DYNAMIC_DISPATCH(MatmulTilesFloat)(job, range);
}

}  // namespace liftoff::kernels::matmul_detail
#endif  // HWY_ONCE
