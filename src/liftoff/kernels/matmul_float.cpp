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

// One register tile: R rows x T tokens over columns [k0, k1), dot-product form (one
// accumulator per output). Each weight vector is widened once and used for T tokens. `partial`
// ([R][T][lanes] floats) carries the accumulators between column chunks; the chunk that ends
// at `cols` reduces them and writes the outputs.
template <class Row, size_t R, size_t T>
HWY_INLINE void FloatTile(const MatmulJob& job, size_t r0, size_t t0, size_t rows_valid, size_t k0,
                          size_t k1, float* HWY_RESTRICT partial) {
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
    for (size_t t = 0; t < T; ++t) {
      acc[r][t] = k0 == 0 ? hn::Zero(df) : hn::Load(df, partial + (r * T + t) * lanes);
    }
  }
  const size_t k_vec_end = k1 == cols ? cols - cols % lanes : k1;

  // Decode only (T == 1): prefetch the next tile's rows, one step per 64 columns.
  const size_t next_end = std::min(job.w.rows, r0 + 2 * R);
  const auto* row_bytes_base = static_cast<const uint8_t*>(job.w.data);
  NextTilePrefetcher prefetch(row_bytes_base + (r0 + R) * cols * sizeof(Elem),
                              row_bytes_base + std::max(next_end, r0 + R) * cols * sizeof(Elem),
                              T == 1 ? cols / 64 + 1 : 0);
  for (size_t i = k0; i < k_vec_end; i += lanes) {
    if constexpr (T == 1) {
      if (i % 64 == 0) prefetch.step();
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
  if (k1 != cols) {
    for (size_t r = 0; r < R; ++r) {
      for (size_t t = 0; t < T; ++t) hn::Store(acc[r][t], df, partial + (r * T + t) * lanes);
    }
    return;
  }
  for (size_t t = 0; t < T; ++t) {
    float* out = job.out + (t0 + t) * job.w.rows + r0;
    for (size_t r = 0; r < rows_valid; ++r) {
      float sum = hn::GetLane(hn::SumOfLanes(df, acc[r][t]));
      for (size_t j = k_vec_end; j < cols; ++j) sum += Row::Scalar(w[r][j]) * x[t][j];
      out[r] = sum;
    }
  }
}

template <class Row>
void FloatTiles(const MatmulJob& job, const TileRange& range) {
  const size_t cols = job.w.cols;
  if (range.token_end - range.token_begin <= 2) {
    // Decode: memory bound. 4 rows: enough FMA chains, and few enough concurrent streams for the
    // L2 prefetcher (8 rows measured 30% slower from L3, 2 rows latency-bound).
    const auto tile = [&](size_t r, size_t t, size_t nr) LIFTOFF_INLINE_LAMBDA {
      FloatTile<Row, 4, 1>(job, r, t, nr, 0, cols, nullptr);
    };
    ForEachTile<4, 1>(range, tile, tile);
    return;
  }
  // Prefill: 3 x 4 tiles (12 accumulators + 3 widened weight vectors + 1 activation vector = 16
  // registers), over column chunks so that the 4 tokens' activations (4 x 2 KiB) stay in L1
  // while the task's rows stream from L2; whole rows of 4 tokens would not fit L1.
  constexpr size_t kR = 3, kT = 4, kChunk = 512;
  const hn::ScalableTag<float> df;
  HWY_ALIGN float
      partial[(kMaxPrefillRowChunk + kR - 1) / kR * kR * kT * HWY_MAX_BYTES / sizeof(float)];
  const size_t tile_floats = kR * kT * hn::Lanes(df);
  // Rows in pieces of at most kMaxPrefillRowChunk, the size `partial` is made for.
  for (size_t rb = range.row_begin; rb < range.row_end; rb += kMaxPrefillRowChunk) {
    const size_t re = std::min(range.row_end, rb + kMaxPrefillRowChunk);
    size_t t = range.token_begin;
    for (; t + kT <= range.token_end; t += kT) {
      for (size_t k0 = 0; k0 < cols; k0 += kChunk) {
        const size_t k1 = std::min(cols, k0 + kChunk);
        for (size_t r = rb; r < re; r += kR) {
          float* p = partial + (r - rb) / kR * tile_floats;
          FloatTile<Row, kR, kT>(job, r, t, std::min(kR, re - r), k0, k1, p);
        }
      }
    }
    for (; t < range.token_end; ++t) {
      for (size_t r = rb; r < re; r += kR) {
        FloatTile<Row, kR, 1>(job, r, t, std::min(kR, re - r), 0, cols, nullptr);
      }
    }
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
