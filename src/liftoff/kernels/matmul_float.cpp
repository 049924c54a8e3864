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

#if HWY_TARGET == HWY_AVX2
// One outer-product tile of the grouped (prefill) kernel: kFloatTileRows rows x TG token groups
// over columns [k0, k1). Per column, TG vector loads of activations (8 tokens each) and one
// broadcast per row feed 6 x TG FMAs with no conversion or horizontal sum; with TG = 2 that is
// 12 accumulators, 2 activation vectors and a broadcast in 16 registers. `partial`
// ([TG][kFloatTileRows][8]) carries the accumulators between column chunks.
// `wf` holds the tile's rows widened to f32, w_stride apart, starting at column k0.
template <size_t TG>
HWY_INLINE void GroupedTile(const MatmulJob& job, const float* HWY_RESTRICT wf, size_t w_stride,
                            size_t r0, size_t rows_valid, size_t g, size_t k0, size_t k1,
                            size_t token_end, float* HWY_RESTRICT partial) {
  constexpr size_t kR = kFloatTileRows, kLanes = kGroupTokens;
  const DF df;
  const size_t cols = job.w.cols;
  const float* x[TG];
  for (size_t i = 0; i < TG; ++i) x[i] = job.x_groups + (g + i) * cols * kLanes;
  VF acc[kR][TG];
  for (size_t r = 0; r < kR; ++r) {
    for (size_t i = 0; i < TG; ++i) {
      acc[r][i] = k0 == 0 ? hn::Zero(df) : hn::Load(df, partial + (i * kR + r) * kLanes);
    }
  }
#pragma GCC unroll 4
  for (size_t k = k0; k < k1; ++k) {
    VF xv[TG];
    for (size_t i = 0; i < TG; ++i) xv[i] = hn::Load(df, x[i] + k * kLanes);
    for (size_t r = 0; r < kR; ++r) {
      const VF wv = hn::Set(df, wf[r * w_stride + k - k0]);
      for (size_t i = 0; i < TG; ++i) acc[r][i] = hn::MulAdd(wv, xv[i], acc[r][i]);
    }
  }
  if (k1 != cols) {
    for (size_t r = 0; r < kR; ++r) {
      for (size_t i = 0; i < TG; ++i) hn::Store(acc[r][i], df, partial + (i * kR + r) * kLanes);
    }
    return;
  }
  const size_t rows = job.w.rows;
  for (size_t i = 0; i < TG; ++i) {
    const size_t t0 = (g + i) * kLanes;
    const size_t n = std::min(kLanes, token_end - t0);
    for (size_t r = 0; r < rows_valid; ++r) {
      HWY_ALIGN float lane_sums[kLanes];
      hn::Store(acc[r][i], df, lane_sums);
      for (size_t l = 0; l < n; ++l) job.out[(t0 + l) * rows + r0 + r] = lane_sums[l];
    }
  }
}

// Prefill over token groups (job.x_groups): 90% of one core's FMA peak on F16 5632x2048, where
// the 3 x 4 dot-product tiles (which widen the f16 weights again for every 4 tokens) reach 72%.
// Columns go in chunks: a chunk of a tile's rows is widened to f32 once (6 KiB, in L1) and then
// serves every token group of the task, whose chunk of activations (16 groups: 128 KiB) stays in
// L2 across the task's row tiles. The accumulators of all (row tile, group) pairs wait in
// `partial` between chunks.
template <class Row>
void FloatTilesGrouped(const MatmulJob& job, const TileRange& range) {
  using Elem = typename Row::Elem;
  constexpr size_t kR = kFloatTileRows, kLanes = kGroupTokens, kTG = 2;
  constexpr size_t kChunk = 256;
  constexpr size_t kBlockGroups = 16;  // token groups per pass over the columns: sizes `partial`
  constexpr size_t kRowTiles = (kMaxPrefillRowChunk + kR - 1) / kR;
  const DF df;
  const size_t lanes = hn::Lanes(df);
  const size_t cols = job.w.cols;
  const size_t g_begin = range.token_begin / kLanes;
  const size_t g_end = (range.token_end + kLanes - 1) / kLanes;
  HWY_ALIGN float wf[kR * kChunk];
  HWY_ALIGN float partial[kRowTiles][kBlockGroups][kR][kLanes];
  for (size_t rb = range.row_begin; rb < range.row_end; rb += kMaxPrefillRowChunk) {
    const size_t re = std::min(range.row_end, rb + kMaxPrefillRowChunk);
    for (size_t gb = g_begin; gb < g_end; gb += kBlockGroups) {
      const size_t ge = std::min(g_end, gb + kBlockGroups);
      for (size_t k0 = 0; k0 < cols; k0 += kChunk) {
        const size_t k1 = std::min(cols, k0 + kChunk);
        for (size_t r0 = rb; r0 < re; r0 += kR) {
          const size_t nr = std::min(kR, re - r0);
          // The weights come from DRAM once per task, in slices too short for the hardware
          // prefetcher: fetch the next tile's slice (the next chunk's, after the last tile)
          // while this one computes.
          const bool last_tile = r0 + kR >= re;
          if (!last_tile || k1 < cols) {
            const size_t pr0 = last_tile ? rb : r0 + kR;
            const size_t pr1 = std::min(re, pr0 + kR);
            const size_t pk0 = last_tile ? k1 : k0;
            const size_t pk1 = std::min(cols, pk0 + kChunk);
            for (size_t r = pr0; r < pr1; ++r) {
              const auto* row = static_cast<const uint8_t*>(job.w.data) + r * cols * sizeof(Elem);
              for (size_t c = pk0 * sizeof(Elem); c < pk1 * sizeof(Elem); c += 64) {
                hwy::Prefetch(row + c);
              }
            }
          }
          for (size_t r = 0; r < kR; ++r) {  // rows past the end repeat the last one
            const Elem* src =
                static_cast<const Elem*>(job.w.data) + (r0 + std::min(r, nr - 1)) * cols;
            float* dst = wf + r * kChunk - k0;
            size_t c = k0;
            for (; c + lanes <= k1; c += lanes) hn::Store(Row::Load(df, src + c), df, dst + c);
            for (; c < k1; ++c) dst[c] = Row::Scalar(src[c]);
          }
          float* tile_partial = partial[(r0 - rb) / kR][0][0];
          size_t g = gb;
          for (; g + kTG <= ge; g += kTG) {
            GroupedTile<kTG>(job, wf, kChunk, r0, nr, g, k0, k1, range.token_end,
                             tile_partial + (g - gb) * kR * kLanes);
          }
          for (; g < ge; ++g) {
            GroupedTile<1>(job, wf, kChunk, r0, nr, g, k0, k1, range.token_end,
                           tile_partial + (g - gb) * kR * kLanes);
          }
        }
      }
    }
  }
}
#endif  // HWY_TARGET == HWY_AVX2

template <class Row>
void FloatTiles(const MatmulJob& job, const TileRange& range) {
  const size_t cols = job.w.cols;
#if HWY_TARGET == HWY_AVX2
  if (job.x_groups != nullptr) return FloatTilesGrouped<Row>(job, range);
#endif
  if (range.token_end - range.token_begin <= 2) {
    // Decode: memory bound. 4 rows: enough FMA chains, and few enough concurrent streams for the
    // L2 prefetcher (8 rows measured 30% slower from L3, 2 rows latency-bound).
    const auto tile = [&](size_t r, size_t t, size_t nr) LIFTOFF_INLINE_LAMBDA {
      FloatTile<Row, 4, 1>(job, r, t, nr, 0, cols, nullptr);
    };
    ForEachTile<4, 1>(range, tile, tile);
    return;
  }
  // Batches below kFloatGroupMinTokens (and every batch on targets without FloatTilesGrouped):
  // 3 x 4 tiles (12 accumulators + 3 widened weight vectors + 1 activation vector = 16
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
