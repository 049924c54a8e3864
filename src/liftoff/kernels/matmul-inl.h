// Per-target helpers shared by the matmul kernel translation units (matmul_float.cpp,
// matmul_q8.cpp, matmul_k.cpp): the portable fallback that every non-tuned target runs, the tile
// walk, and (AVX2 only) the integer dot-product ops that Highway 1.0.3 lacks.
// Included once per target through foreach_target.h; see matmul_internal.h for the contract.

// Per-target include guard (Highway's toggle pattern).
#if defined(LIFTOFF_KERNELS_MATMUL_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LIFTOFF_KERNELS_MATMUL_INL_H_
#undef LIFTOFF_KERNELS_MATMUL_INL_H_
#else
#define LIFTOFF_KERNELS_MATMUL_INL_H_
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "hwy/cache_control.h"  // Prefetch
#include "hwy/highway.h"
#include "liftoff/kernels/dtype.h"
#include "liftoff/kernels/matmul_internal.h"
#include "liftoff/kernels/quantize.h"  // dequantize_row

#if HWY_TARGET == HWY_AVX2
#include <immintrin.h>  // _mm256_maddubs_epi16 and friends (not in Highway 1.0.3)
#endif

// Lambdas that carry a kernel's inner loop: GCC otherwise may out-line them (a call plus
// vzeroupper per 32-element block).
#ifndef LIFTOFF_INLINE_LAMBDA
#define LIFTOFF_INLINE_LAMBDA __attribute__((always_inline))
#endif

HWY_BEFORE_NAMESPACE();
namespace liftoff::kernels::matmul_detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Row-major [row][cols] float dot product, any length (the float types have no blocks).
HWY_INLINE float DotF32(const float* HWY_RESTRICT a, const float* HWY_RESTRICT b, size_t n) {
  const hn::ScalableTag<float> df;
  const size_t lanes = hn::Lanes(df);
  auto acc0 = hn::Zero(df), acc1 = hn::Zero(df);
  size_t i = 0;
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    acc0 = hn::MulAdd(hn::LoadU(df, a + i), hn::LoadU(df, b + i), acc0);
    acc1 = hn::MulAdd(hn::LoadU(df, a + i + lanes), hn::LoadU(df, b + i + lanes), acc1);
  }
  for (; i + lanes <= n; i += lanes)
    acc0 = hn::MulAdd(hn::LoadU(df, a + i), hn::LoadU(df, b + i), acc0);
  float sum = hn::GetLane(hn::SumOfLanes(df, hn::Add(acc0, acc1)));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

// The portable fallback for every weight type: dequantize kScratchRows rows with the reference
// dequantizer into the thread's scratch, then float dot products. Quantized families dot against
// the dequantized activations (x = d * q), so every target computes the same function and
// differs only in float rounding.
// `inline` only for the one-definition rule: the header is included by several kernel files.
HWY_NOINLINE inline void TilesViaDequantize(const MatmulJob& job, const TileRange& range) {
  const size_t cols = job.w.cols;
  const size_t stride = row_bytes(job.w.type, cols);
  const auto* base = static_cast<const uint8_t*>(job.w.data);
  float* rows_f = job.scratch + range.thread * kScratchFloatsPerCol * cols;
  float* x_f = rows_f + kScratchRows * cols;
  for (size_t r0 = range.row_begin; r0 < range.row_end; r0 += kScratchRows) {
    const size_t nr = std::min(kScratchRows, range.row_end - r0);
    for (size_t i = 0; i < nr; ++i) {
      dequantize_row(job.w.type, base + (r0 + i) * stride, rows_f + i * cols, cols);
    }
    for (size_t t = range.token_begin; t < range.token_end; ++t) {
      const float* x = job.x + t * cols;
      if (job.act.qs != nullptr) {
        const size_t nb = cols / job.act.block;
        for (size_t c = 0; c < cols; ++c) {
          x_f[c] = job.act.d[t * nb + c / job.act.block] * job.act.qs[t * cols + c];
        }
        x = x_f;
      }
      for (size_t i = 0; i < nr; ++i) {
        job.out[t * job.w.rows + r0 + i] = DotF32(rows_f + i * cols, x, cols);
      }
    }
  }
}

// Software prefetch for decode tiles: while a tile of R rows is computed, the next tile's rows
// (the bytes right after, rows being contiguous) are prefetched a little at every step. The
// hardware prefetcher alone ramps up too slowly on rows of a few hundred bytes (576 columns:
// 49152x576 Q8_0 streamed at 7 GB/s against 13 GB/s for 2048 columns).
class NextTilePrefetcher {
 public:
  // [begin, end): the bytes to prefetch, spread over n_steps calls of step().
  NextTilePrefetcher(const uint8_t* begin, const uint8_t* end, size_t n_steps)
      : next_(reinterpret_cast<uintptr_t>(begin) & ~uintptr_t{63}),
        end_(reinterpret_cast<uintptr_t>(end)),
        target_(reinterpret_cast<uintptr_t>(begin)),
        per_step_(n_steps == 0 ? 0 : (end_ - std::min(end_, target_) + n_steps - 1) / n_steps) {}

  HWY_INLINE void step() {
    target_ = std::min(end_, target_ + per_step_);
    for (; next_ < target_; next_ += 64) hwy::Prefetch(reinterpret_cast<const uint8_t*>(next_));
  }

 private:
  uintptr_t next_, end_, target_, per_step_;
};

// Walks `range` in register tiles of R rows x T tokens (the leftover tokens one at a time).
// Token tiles are the outer loop: the T activation rows stay in L1 while the task's rows stream
// past from L2, instead of every row tile re-reading all tokens' activations from L3.
// A tile that sticks out past row_end recomputes the last row (clamped pointers) instead of
// needing its own instantiation; `tile(r, t, rows_valid)` must store only rows_valid rows.
template <size_t R, size_t T, class TileT, class Tile1>
HWY_INLINE void ForEachTile(const TileRange& range, const TileT& tile_t, const Tile1& tile_1) {
  size_t t = range.token_begin;
  for (; t + T <= range.token_end; t += T) {
    for (size_t r = range.row_begin; r < range.row_end; r += R) {
      tile_t(r, t, std::min(R, range.row_end - r));
    }
  }
  for (; t < range.token_end; ++t) {
    for (size_t r = range.row_begin; r < range.row_end; r += R) {
      tile_1(r, t, std::min(R, range.row_end - r));
    }
  }
}

#if HWY_TARGET == HWY_AVX2
// ---- AVX2: 256-bit vectors hold exactly one 32-element quant block ----
using DF = hn::Full256<float>;
using DI32 = hn::Full256<int32_t>;
using DI16 = hn::Full256<int16_t>;
using DI8 = hn::Full256<int8_t>;
using DU8 = hn::Full256<uint8_t>;
using VF = hn::Vec<DF>;
using VI32 = hn::Vec<DI32>;
using VI16 = hn::Vec<DI16>;
using VI8 = hn::Vec<DI8>;
using VU8 = hn::Vec<DU8>;

// Sum of adjacent products a[2i]*b[2i] + a[2i+1]*b[2i+1], unsigned x signed bytes -> int16.
// Saturates above 32767; our operands (a <= 128, |b| <= 127: activations never hold -128) stay
// below 2 * 128 * 127 = 32512.
HWY_INLINE VI16 MulPairsU8I8(VU8 a, VI8 b) { return VI16{_mm256_maddubs_epi16(a.raw, b.raw)}; }

// int16 pairs multiplied and summed into int32 lanes (pmaddwd).
HWY_INLINE VI32 MulPairsI16(VI16 a, VI16 b) { return VI32{_mm256_madd_epi16(a.raw, b.raw)}; }

// int16 pairs summed into int32 lanes.
HWY_INLINE VI32 SumPairsI16(VI16 a) { return MulPairsI16(a, hn::Set(DI16(), 1)); }

// a with the sign of b applied (0 where b is 0): with |b| it turns a signed x signed byte product
// into the unsigned x signed form MulPairsU8I8 needs.
HWY_INLINE VI8 ApplySign(VI8 a, VI8 b) { return VI8{_mm256_sign_epi8(a.raw, b.raw)}; }

HWY_INLINE VU8 AbsI8(VI8 a) { return hn::BitCast(DU8(), hn::Abs(a)); }

HWY_INLINE float ReduceSum(VF v) { return hn::GetLane(hn::SumOfLanes(DF(), v)); }

// Calls f(std::integral_constant<size_t, i>) for i in 0..N-1 (unrolled: shuffle immediates and
// shift counts must be compile-time constants).
template <class F, size_t... I>
HWY_INLINE void Unroll(std::index_sequence<I...>, const F& f) {
  (f(std::integral_constant<size_t, I>()), ...);
}

// ---- Interleaved (prefill) kernels: 8 tokens per vector, weights broadcast ----
//
// A 32-element weight block in "halves" form: lo holds elements 0..15 and hi elements 16..31,
// each repeated in both 128-bit halves, so pshufd can broadcast any 4 consecutive elements to all
// 8 lanes. Against InterleavedActivations (quad k of a block = elements 4k..4k+3 of 8 tokens) one
// maddubs then gives every token's products for those 4 elements.
template <class V>
struct Halves {
  V lo, hi;
};

template <int kQuad, class V>
HWY_INLINE V SplatQuad(V v) {
  return V{_mm256_shuffle_epi32(v.raw, kQuad * 0x55)};
}

// sum[g][token] += sum over the block's 32 elements of w * x, for TG token groups whose block
// data starts at x[g] (256 bytes each). Unsigned weights: kMaxSums maddubs results are added in
// int16 before pmaddwd widens them (times `scale_lo` for quads 0-3, `scale_hi` for 4-7), so the
// caller must keep kMaxSums * 2 * max(w) * 127 <= 32767.
template <int kMaxSums, size_t TG>
HWY_INLINE void DotBlockU8(const Halves<VU8>& w, const int8_t* const* x, VI16 scale_lo,
                           VI16 scale_hi, VI32* sum) {
  static_assert(8 % kMaxSums == 0);
  VI16 s16[TG];
  Unroll(std::make_index_sequence<8>(), [&](auto quad) LIFTOFF_INLINE_LAMBDA {
    constexpr int kQ = static_cast<int>(decltype(quad)::value);
    const VU8 wq = SplatQuad<kQ % 4>(kQ < 4 ? w.lo : w.hi);
    for (size_t g = 0; g < TG; ++g) {
      const VI16 m = MulPairsU8I8(wq, hn::Load(DI8(), x[g] + 32 * kQ));
      s16[g] = (kQ % kMaxSums == 0) ? m : hn::Add(s16[g], m);
      if constexpr (kQ % kMaxSums == kMaxSums - 1) {
        sum[g] = hn::Add(sum[g], MulPairsI16(s16[g], kQ < 4 ? scale_lo : scale_hi));
      }
    }
  });
}

// The same for signed weights (sign trick per product; no int16 accumulation is safe).
template <size_t TG>
HWY_INLINE void DotBlockI8(const Halves<VI8>& w, const int8_t* const* x, VI32* sum) {
  Unroll(std::make_index_sequence<8>(), [&](auto quad) LIFTOFF_INLINE_LAMBDA {
    constexpr int kQ = static_cast<int>(decltype(quad)::value);
    const VI8 wq = SplatQuad<kQ % 4>(kQ < 4 ? w.lo : w.hi);
    const VU8 aw = AbsI8(wq);
    for (size_t g = 0; g < TG; ++g) {
      const VI8 xs = ApplySign(hn::Load(DI8(), x[g] + 32 * kQ), wq);
      sum[g] = hn::Add(sum[g], SumPairsI16(MulPairsU8I8(aw, xs)));
    }
  });
}

// Drives an interleaved kernel over `range`: token groups in tiles of kTG (then 1),
// columns in chunks of `chunk_blocks` weight blocks so the tile's activations (kTG x 8 tokens x
// chunk) stay in L1 while the rows stream from L2, and the rows one by one (a row's tile is
// kTG accumulators; rows share nothing, so taller tiles would only add register pressure).
// kernel.template operator()<TG>(row, group, block_begin, block_end, acc) adds the blocks'
// contributions to acc[0..TG) (8 tokens each).
template <size_t kTG, class Kernel>
HWY_INLINE void InterleavedTiles(const MatmulJob& job, const TileRange& range, size_t n_blocks,
                                 size_t chunk_blocks, const Kernel& kernel) {
  constexpr size_t kLanes = kGroupTokens;
  const size_t rows = job.w.rows;
  const size_t g_begin = range.token_begin / kLanes;
  const size_t g_end = (range.token_end + kLanes - 1) / kLanes;
  HWY_ALIGN float partial[kMaxPrefillRowChunk][kTG][kLanes];
  const auto run = [&](auto tg, size_t g, size_t rb, size_t re) LIFTOFF_INLINE_LAMBDA {
    constexpr size_t TG = decltype(tg)::value;
    for (size_t c0 = 0; c0 < n_blocks; c0 += chunk_blocks) {
      const size_t c1 = std::min(n_blocks, c0 + chunk_blocks);
      for (size_t r = rb; r < re; ++r) {
        VF acc[TG];
        for (size_t i = 0; i < TG; ++i) {
          acc[i] = c0 == 0 ? hn::Zero(DF()) : hn::Load(DF(), partial[r - rb][i]);
        }
        kernel.template operator()<TG>(r, g, c0, c1, acc);
        if (c1 < n_blocks) {
          for (size_t i = 0; i < TG; ++i) hn::Store(acc[i], DF(), partial[r - rb][i]);
          continue;
        }
        for (size_t i = 0; i < TG; ++i) {
          HWY_ALIGN float lane_sums[kLanes];
          hn::Store(acc[i], DF(), lane_sums);
          const size_t t0 = (g + i) * kLanes;
          const size_t n = std::min(kLanes, range.token_end - t0);
          for (size_t l = 0; l < n; ++l) job.out[(t0 + l) * rows + r] = lane_sums[l];
        }
      }
    }
  };
  for (size_t rb = range.row_begin; rb < range.row_end; rb += kMaxPrefillRowChunk) {
    const size_t re = std::min(range.row_end, rb + kMaxPrefillRowChunk);
    size_t g = g_begin;
    for (; g + kTG <= g_end; g += kTG) run(std::integral_constant<size_t, kTG>(), g, rb, re);
    for (; g < g_end; ++g) run(std::integral_constant<size_t, 1>(), g, rb, re);
  }
}

#endif  // HWY_TARGET == HWY_AVX2

}  // namespace liftoff::kernels::matmul_detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // LIFTOFF_KERNELS_MATMUL_INL_H_
