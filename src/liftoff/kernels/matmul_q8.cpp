// matmul kernels for the 32-element block types Q8_0, Q4_0, Q5_0, Q4_1, Q5_1 against activations
// quantized per 32 (QuantizedActivations with block 32). On AVX2 a block is one 256-bit vector:
// weights are unpacked to unsigned bytes where the format allows (the -8 / -16 offsets and the
// _1 minimums are folded into a per-block float term built from the activation block sums), so
// the inner product is one maddubs + one madd per block, with no sign fix-up.
// Other targets use the portable fallback of matmul-inl.h.
// clang-format off
#include "liftoff/kernels/matmul_targets.h"  // before any Highway header
// clang-format on

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "liftoff/kernels/matmul_internal.h"
#include "liftoff/kernels/quant_blocks.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "liftoff/kernels/matmul_q8.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "liftoff/kernels/matmul-inl.h"

HWY_BEFORE_NAMESPACE();
namespace liftoff::kernels::matmul_detail::HWY_NAMESPACE {
namespace {

#if HWY_TARGET == HWY_AVX2

// One activation block of one token, as the kernels consume it. `offset` is a per-lane term
// built from s = d * sum(q): each kernel decides what it means (see Prep).
struct ActBlock {
  VI8 q;
  VF d;
  VF offset;
};

// Elements 0..15 from the low nibbles of qs[0..15], 16..31 from the high nibbles (ggml order).
HWY_INLINE VU8 Nibbles32(const uint8_t* qs) {
  const hn::Full256<uint64_t> d64;
  const auto both = hn::BitCast(d64, hn::LoadDup128(DU8(), qs));
  const auto shifted =
      hn::Vec<decltype(d64)>{_mm256_srlv_epi64(both.raw, _mm256_set_epi64x(4, 4, 0, 0))};
  return hn::And(hn::BitCast(DU8(), shifted), hn::Set(DU8(), 0x0F));
}

// Byte j = 0x10 if bit j of the little-endian 32-bit qh is set, else 0 (the 5th bit of Q5_x).
HWY_INLINE VU8 HighBits32(const uint8_t* qh) {
  uint32_t bits;
  std::memcpy(&bits, qh, sizeof(bits));
  // Byte j of each 128-bit half picks byte j / 8 of `bits` (the upper half holds j = 16..31).
  const __m256i spread = _mm256_shuffle_epi8(
      _mm256_set1_epi32(static_cast<int>(bits)),
      _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0));
  const __m256i bit = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ull));
  const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit);
  return hn::And(VU8{set}, hn::Set(DU8(), 0x10));
}

HWY_INLINE VF DotU8(VU8 w, VI8 x) { return hn::ConvertTo(DF(), SumPairsI16(MulPairsU8I8(w, x))); }

// Each kernel K provides:
//   W Load(const Block*, const float* f16_table): the unpacked weights of one block; scales are
//     kept as pointers into the fp16 table so every use is a broadcast load, not a register.
//   ActBlock Prep(q, d, s): the activation block, with the offset term this type needs.
//   VF Dot(const W&, const ActBlock&, VF acc): acc + the block's contribution (spread over lanes).

// x = d * q, q signed: the only type that needs the sign trick.
struct KernelQ8_0 {
  using Block = BlockQ8_0;
  struct W {
    VU8 abs;
    VI8 q;
    const float* d;
  };
  static HWY_INLINE W Load(const Block* b, const float* f16) {
    const VI8 q = hn::LoadU(DI8(), b->qs);
    return {AbsI8(q), q, f16 + b->d};
  }
  static HWY_INLINE ActBlock Prep(const int8_t* q, float d, float /*s*/) {
    return {hn::Load(DI8(), q), hn::Set(DF(), d), hn::Zero(DF())};
  }
  static HWY_INLINE VF Dot(const W& w, const ActBlock& a, VF acc) {
    const VF p = DotU8(w.abs, ApplySign(a.q, w.q));
    return hn::MulAdd(p, hn::Mul(hn::Set(DF(), *w.d), a.d), acc);
  }
};

// x = d * (q - kOffset), q unsigned: sum = d_w * (d_x * dot(q, x) - kOffset * s), and the
// kOffset * s term is spread as kOffset * s / 8 over the 8 lanes (offset = kOffset / 8 * s).
template <int kOffset>
HWY_INLINE ActBlock PrepOffset(const int8_t* q, float d, float s) {
  return {hn::Load(DI8(), q), hn::Set(DF(), d), hn::Set(DF(), s * (kOffset / 8.0f))};
}

struct KernelQ4_0 {
  using Block = BlockQ4_0;
  struct W {
    VU8 q;
    const float* d;
  };
  static HWY_INLINE W Load(const Block* b, const float* f16) {
    return {Nibbles32(b->qs), f16 + b->d};
  }
  static HWY_INLINE ActBlock Prep(const int8_t* q, float d, float s) {
    return PrepOffset<8>(q, d, s);
  }
  static HWY_INLINE VF Dot(const W& w, const ActBlock& a, VF acc) {
    return hn::MulAdd(hn::Set(DF(), *w.d), hn::MulSub(DotU8(w.q, a.q), a.d, a.offset), acc);
  }
};

struct KernelQ5_0 {
  using Block = BlockQ5_0;
  using W = KernelQ4_0::W;
  static HWY_INLINE W Load(const Block* b, const float* f16) {
    return {hn::Or(Nibbles32(b->qs), HighBits32(b->qh)), f16 + b->d};
  }
  static HWY_INLINE ActBlock Prep(const int8_t* q, float d, float s) {
    return PrepOffset<16>(q, d, s);
  }
  static HWY_INLINE VF Dot(const W& w, const ActBlock& a, VF acc) {
    return KernelQ4_0::Dot(w, a, acc);
  }
};

// x = d * q + m, q unsigned: sum = d_w * d_x * dot(q, x) + m * s (offset = s / 8 per lane).
struct KernelQ4_1 {
  using Block = BlockQ4_1;
  struct W {
    VU8 q;
    const float* d;
    const float* m;
  };
  static HWY_INLINE W Load(const Block* b, const float* f16) {
    return {Nibbles32(b->qs), f16 + b->d, f16 + b->m};
  }
  static HWY_INLINE ActBlock Prep(const int8_t* q, float d, float s) {
    return {hn::Load(DI8(), q), hn::Set(DF(), d), hn::Set(DF(), s * 0.125f)};
  }
  static HWY_INLINE VF Dot(const W& w, const ActBlock& a, VF acc) {
    acc = hn::MulAdd(hn::Set(DF(), *w.d), hn::Mul(DotU8(w.q, a.q), a.d), acc);
    return hn::MulAdd(hn::Set(DF(), *w.m), a.offset, acc);
  }
};

struct KernelQ5_1 {
  using Block = BlockQ5_1;
  using W = KernelQ4_1::W;
  static HWY_INLINE W Load(const Block* b, const float* f16) {
    return {hn::Or(Nibbles32(b->qs), HighBits32(b->qh)), f16 + b->d, f16 + b->m};
  }
  static HWY_INLINE ActBlock Prep(const int8_t* q, float d, float s) {
    return KernelQ4_1::Prep(q, d, s);
  }
  static HWY_INLINE VF Dot(const W& w, const ActBlock& a, VF acc) {
    return KernelQ4_1::Dot(w, a, acc);
  }
};

// Decode (fewer than kInterleaveMinTokens tokens): R rows x 1 token per tile, so the
// activation block is prepared once for R rows and R independent accumulator chains hide the
// FMA latency.
template <class K, size_t R>
HWY_INLINE void Q8Tile(const MatmulJob& job, size_t r0, size_t t, size_t rows_valid) {
  using Block = typename K::Block;
  const size_t cols = job.w.cols;
  const size_t nb = cols / kQK;
  const size_t stride = row_bytes(job.w.type, cols);
  const auto* base = static_cast<const uint8_t*>(job.w.data);
  const float* f16 = job.f16_table;
  const Block* w[R];
  for (size_t r = 0; r < R; ++r) {
    w[r] = reinterpret_cast<const Block*>(base + (r0 + std::min(r, rows_valid - 1)) * stride);
  }
  const int8_t* xq = job.act.qs + t * cols;
  const float* xd = job.act.d + t * nb;
  const float* xs = job.act.s + t * nb;

  const size_t next_end = std::min(job.w.rows, r0 + 2 * R);
  NextTilePrefetcher prefetch(base + (r0 + R) * stride, base + std::max(next_end, r0 + R) * stride,
                              nb);
  VF acc[R];
  for (size_t r = 0; r < R; ++r) acc[r] = hn::Zero(DF());
  for (size_t b = 0; b < nb; ++b) {
    prefetch.step();
    const ActBlock a = K::Prep(xq + b * kQK, xd[b], xs[b]);
    for (size_t r = 0; r < R; ++r) acc[r] = K::Dot(K::Load(w[r] + b, f16), a, acc[r]);
  }
  float* out = job.out + t * job.w.rows + r0;
  for (size_t r = 0; r < rows_valid; ++r) out[r] = ReduceSum(acc[r]);
}

// ---- Interleaved (prefill) form: each kernel IL provides
//   Halves<VU8 or VI8> Halves(const Block*)
//   void Dot<TG>(halves, x, sum)   (DotBlockU8 with its int16 headroom, or DotBlockI8)
//   VF Finish(const Block*, f16, VI32 p, const float* d8, const float* s8, VF acc), where d8/s8
//   are the 8 tokens' activation scale and s (pre-multiplied by interleaved_s_scale()).

// Elements 0..15 and 16..31 of a block's nibbles, each in both 128-bit halves.
HWY_INLINE Halves<VU8> NibbleHalves(const uint8_t* qs) {
  const VU8 both = hn::LoadDup128(DU8(), qs);
  const hn::Full256<uint16_t> d16;
  const VU8 mask = hn::Set(DU8(), 0x0F);
  return {hn::And(both, mask),
          hn::And(hn::BitCast(DU8(), hn::ShiftRight<4>(hn::BitCast(d16, both))), mask)};
}

// The 5th bits of Q5_x (0x10 where bit j of qh is set) in the same halves form.
HWY_INLINE Halves<VU8> HighBitHalves(const uint8_t* qh) {
  uint32_t bits;
  std::memcpy(&bits, qh, sizeof(bits));
  const __m256i all = _mm256_set1_epi32(static_cast<int>(bits));
  const __m256i bit = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ull));
  const __m256i lo =
      _mm256_shuffle_epi8(all, _mm256_set_epi64x(0x0101010101010101, 0, 0x0101010101010101, 0));
  const __m256i hi =
      _mm256_shuffle_epi8(all, _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202,
                                                 0x0303030303030303, 0x0202020202020202));
  const VU8 x10 = hn::Set(DU8(), 0x10);
  return {hn::And(VU8{_mm256_cmpeq_epi8(_mm256_and_si256(lo, bit), bit)}, x10),
          hn::And(VU8{_mm256_cmpeq_epi8(_mm256_and_si256(hi, bit), bit)}, x10)};
}

// x = d * (q - offset): sum = d_w * (d_x * dot - offset * s), s8 = offset * s already.
template <class Block>
HWY_INLINE VF FinishOffset(const Block* b, const float* f16, VI32 p, const float* d8,
                           const float* s8, VF acc) {
  const VF u = hn::MulSub(hn::ConvertTo(DF(), p), hn::Load(DF(), d8), hn::Load(DF(), s8));
  return hn::MulAdd(hn::Set(DF(), f16[b->d]), u, acc);
}
// x = d * q + m: sum = d_w * d_x * dot + m * s.
template <class Block>
HWY_INLINE VF FinishMin(const Block* b, const float* f16, VI32 p, const float* d8, const float* s8,
                        VF acc) {
  acc = hn::MulAdd(hn::Set(DF(), f16[b->d]), hn::Mul(hn::ConvertTo(DF(), p), hn::Load(DF(), d8)),
                   acc);
  return hn::MulAdd(hn::Set(DF(), f16[b->m]), hn::Load(DF(), s8), acc);
}

struct InterleavedQ8_0 {
  using Block = BlockQ8_0;
  static HWY_INLINE Halves<VI8> Load(const Block* b) {
    return {hn::LoadDup128(DI8(), b->qs), hn::LoadDup128(DI8(), b->qs + 16)};
  }
  template <size_t TG>
  static HWY_INLINE void Dot(const Halves<VI8>& w, const int8_t* const* x, VI32* sum) {
    DotBlockI8<TG>(w, x, sum);
  }
  static HWY_INLINE VF Finish(const Block* b, const float* f16, VI32 p, const float* d8,
                              const float*, VF acc) {
    return hn::MulAdd(hn::ConvertTo(DF(), p), hn::Mul(hn::Set(DF(), f16[b->d]), hn::Load(DF(), d8)),
                      acc);
  }
};

// kMaxSums: int16 headroom for 4-bit weights is 8 maddubs (8 * 2 * 15 * 127 = 30480), for
// 5-bit weights 4 (4 * 2 * 31 * 127 = 31496).
template <class BlockT, int kBits, bool kMin>
struct InterleavedNibbles {
  using Block = BlockT;
  static HWY_INLINE Halves<VU8> Load(const Block* b) {
    Halves<VU8> h = NibbleHalves(b->qs);
    if constexpr (kBits == 5) {
      const Halves<VU8> high = HighBitHalves(b->qh);
      h = {hn::Or(h.lo, high.lo), hn::Or(h.hi, high.hi)};
    }
    return h;
  }
  template <size_t TG>
  static HWY_INLINE void Dot(const Halves<VU8>& w, const int8_t* const* x, VI32* sum) {
    const VI16 ones = hn::Set(DI16(), 1);
    DotBlockU8<kBits == 4 ? 8 : 4, TG>(w, x, ones, ones, sum);
  }
  static HWY_INLINE VF Finish(const Block* b, const float* f16, VI32 p, const float* d8,
                              const float* s8, VF acc) {
    if constexpr (kMin) return FinishMin(b, f16, p, d8, s8, acc);
    return FinishOffset(b, f16, p, d8, s8, acc);
  }
};

template <class IL>
void Q8TilesInterleaved(const MatmulJob& job, const TileRange& range) {
  using Block = typename IL::Block;
  const size_t cols = job.w.cols;
  const size_t nb = cols / kQK;
  const size_t stride = row_bytes(job.w.type, cols);
  const auto* base = static_cast<const uint8_t*>(job.w.data);
  const InterleavedActivations& il = job.act.il;
  const float* f16 = job.f16_table;
  constexpr size_t kLanes = kGroupTokens;
  const auto kernel = [&]<size_t TG>(size_t r, size_t g0, size_t b0, size_t b1,
                                     VF* acc) LIFTOFF_INLINE_LAMBDA {
    const auto* w = reinterpret_cast<const Block*>(base + r * stride);
    for (size_t b = b0; b < b1; ++b) {
      const int8_t* x[TG];
      for (size_t g = 0; g < TG; ++g) x[g] = il.qs + ((g0 + g) * nb + b) * kQK * kLanes;
      VI32 sum[TG];
      for (size_t g = 0; g < TG; ++g) sum[g] = hn::Zero(DI32());
      IL::template Dot<TG>(IL::Load(w + b), x, sum);
      for (size_t g = 0; g < TG; ++g) {
        const size_t at = ((g0 + g) * nb + b) * kLanes;
        acc[g] = IL::Finish(w + b, f16, sum[g], il.d + at, il.s + at, acc[g]);
      }
    }
  };
  // 2 groups (16 tokens) per tile, 32 blocks (1024 columns: 2 x 8 x 1024 = 16 KiB) per chunk.
  // One core, 128 tokens: Q4_0 140 against 121 GFLOP/s with 4 groups of 512 columns (5632x2048;
  // 135 against 108 on 1536x576), Q8_0 unchanged.
  InterleavedTiles<2>(job, range, nb, 32, kernel);
}

template <class K>
void Q8Tiles(const MatmulJob& job, const TileRange& range) {
  const auto tile = [&](size_t r, size_t t, size_t nr)
                        LIFTOFF_INLINE_LAMBDA { Q8Tile<K, 4>(job, r, t, nr); };
  ForEachTile<4, 1>(range, tile, tile);
}

#endif  // HWY_TARGET == HWY_AVX2

}  // namespace

void MatmulTilesQ8(const MatmulJob& job, const TileRange& range) {
#if HWY_TARGET == HWY_AVX2
  if (job.act.il.qs != nullptr) {
    switch (job.w.type) {
      case DType::kQ8_0:
        return Q8TilesInterleaved<InterleavedQ8_0>(job, range);
      case DType::kQ4_0:
        return Q8TilesInterleaved<InterleavedNibbles<BlockQ4_0, 4, false>>(job, range);
      case DType::kQ5_0:
        return Q8TilesInterleaved<InterleavedNibbles<BlockQ5_0, 5, false>>(job, range);
      case DType::kQ4_1:
        return Q8TilesInterleaved<InterleavedNibbles<BlockQ4_1, 4, true>>(job, range);
      case DType::kQ5_1:
        return Q8TilesInterleaved<InterleavedNibbles<BlockQ5_1, 5, true>>(job, range);
      default:
        break;
    }
  }
  switch (job.w.type) {
    case DType::kQ8_0:
      return Q8Tiles<KernelQ8_0>(job, range);
    case DType::kQ4_0:
      return Q8Tiles<KernelQ4_0>(job, range);
    case DType::kQ5_0:
      return Q8Tiles<KernelQ5_0>(job, range);
    case DType::kQ4_1:
      return Q8Tiles<KernelQ4_1>(job, range);
    case DType::kQ5_1:
      return Q8Tiles<KernelQ5_1>(job, range);
    default:
      break;
  }
#endif
  TilesViaDequantize(job, range);
}

}  // namespace liftoff::kernels::matmul_detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace liftoff::kernels::matmul_detail {

HWY_EXPORT(MatmulTilesQ8);

void matmul_tiles_q8(const MatmulJob& job, const TileRange& range) {
  HWY_DYNAMIC_DISPATCH(MatmulTilesQ8)(job, range);
}

}  // namespace liftoff::kernels::matmul_detail
#endif  // HWY_ONCE
