// matmul kernels for the 256-element super-block types Q4_K, Q5_K, Q6_K (and Q8_K, which only
// llama.cpp's activations use, supported for completeness) against activations quantized per
// 256 with sums per 16 (QuantizedActivations with block 256). On AVX2 each 32-element group is
// one vector of unsigned weights; the integer sub-block scales are applied with pmaddwd so a whole
// super-block accumulates in int32 and costs two float operations per (row, token).
// Other targets use the portable fallback of matmul-inl.h.
// clang-format off
#include "liftoff/kernels/matmul_targets.h"  // before any Highway header
// clang-format on

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "liftoff/kernels/matmul_internal.h"
#include "liftoff/kernels/quant_blocks.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "liftoff/kernels/matmul_k.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "liftoff/kernels/matmul-inl.h"

HWY_BEFORE_NAMESPACE();
namespace liftoff::kernels::matmul_detail::HWY_NAMESPACE {
namespace {

#if HWY_TARGET == HWY_AVX2

constexpr size_t kGroups = kQK_K / 32;  // 32-element groups per super-block

// int16 lane pattern {lo x8 | hi x8} from a vector holding 8 int16 values in both halves:
// pshufb picks lane kLo in the lower half and lane kHi in the upper half.
template <int kLo, int kHi>
HWY_INLINE VI16 SplatPair(VI16 v) {
  constexpr char a = 2 * kLo, b = 2 * kLo + 1, c = 2 * kHi, d = 2 * kHi + 1;
  const __m256i pattern = _mm256_setr_epi8(a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b,  //
                                           c, d, c, d, c, d, c, d, c, d, c, d, c, d, c, d);
  return VI16{_mm256_shuffle_epi8(v.raw, pattern)};
}

HWY_INLINE VU8 LowNibbles(VU8 v) { return hn::And(v, hn::Set(DU8(), 0x0F)); }
HWY_INLINE VU8 HighNibbles(VU8 v) {
  const hn::Full256<uint16_t> d16;
  return hn::And(hn::BitCast(DU8(), hn::ShiftRight<4>(hn::BitCast(d16, v))), hn::Set(DU8(), 0x0F));
}
// Moves bit kFrom of every byte to bit kTo (other bits are masked off).
template <int kFrom, int kTo, int kWidth = 1>
HWY_INLINE VU8 MoveBits(VU8 v) {
  const hn::Full256<uint16_t> d16;
  constexpr uint8_t kMask = static_cast<uint8_t>(((1 << kWidth) - 1) << kFrom);
  const auto masked = hn::BitCast(d16, hn::And(v, hn::Set(DU8(), kMask)));
  if constexpr (kTo > kFrom) return hn::BitCast(DU8(), hn::ShiftLeft<kTo - kFrom>(masked));
  if constexpr (kTo < kFrom) return hn::BitCast(DU8(), hn::ShiftRight<kFrom - kTo>(masked));
  return hn::BitCast(DU8(), masked);
}

// Unpacks the 12 bytes of 6-bit scales and mins of Q4_K / Q5_K (ggml's packing: sub-blocks 0-3
// in the low 6 bits of bytes 0-3 / 4-7, sub-blocks 4-7 split between bytes 8-11 and the top
// two bits of bytes 0-7) into sc0..sc7 in bytes 0-7 and m0..m7 in bytes 8-15. In vector
// registers: the scalar form of this (two dozen integer ops per row and super-block, spilled
// around the group loop) held the Q4_K decode kernel to three quarters of Q4_0's speed.
// Reads 16 bytes at `packed`: the 4 after the 12 belong to the block's quants.
HWY_INLINE __m128i UnpackScalesMins(const uint8_t* packed) {
  const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(packed));
  // Lanes 0-3 / 8-11: the bytes holding sc0-3 / m0-3 in their low 6 bits; lanes 4-7 / 12-15:
  // bytes 8-11, whose low / high nibbles are the low 4 bits of sc4-7 / m4-7.
  const __m128i low = _mm_shuffle_epi8(q, _mm_setr_epi8(0, 1, 2, 3, 8, 9, 10, 11,  //
                                                        4, 5, 6, 7, 8, 9, 10, 11));
  // Lanes 4-7 / 12-15: the bytes whose top two bits are bits 4-5 of sc4-7 / m4-7.
  const __m128i top = _mm_shuffle_epi8(q, _mm_setr_epi8(-1, -1, -1, -1, 0, 1, 2, 3,  //
                                                        -1, -1, -1, -1, 4, 5, 6, 7));
  const __m128i keep = _mm_and_si128(
      low, _mm_setr_epi8(63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 0, 0, 0, 0));
  const __m128i high_nibbles = _mm_and_si128(
      _mm_srli_epi16(low, 4), _mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 15, 15, 15, 15));
  const __m128i top_bits = _mm_and_si128(_mm_srli_epi16(top, 2), _mm_set1_epi8(0x30));
  return _mm_or_si128(_mm_or_si128(keep, high_nibbles), top_bits);
}

// sc0..sc7 (bytes 0-7 of UnpackScalesMins) as int16 in both halves.
HWY_INLINE VI16 ScalesBothHalves(__m128i scales_mins) {
  return VI16{_mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(scales_mins))};
}

// {m0, m0, m1, m1, ..., m7, m7} as int16 (from bytes 8-15 of UnpackScalesMins): pmaddwd against
// the 16 activation sums of 16 gives m_j * (sum of group j) per lane.
HWY_INLINE VI16 PairedMins(__m128i scales_mins) {
  return VI16{_mm256_cvtepu8_epi16(_mm_unpackhi_epi8(scales_mins, scales_mins))};
}

// Per-token operands of one super-block.
struct ActSuper {
  const int8_t* q;  // 256 quantized activations
  float d;
  const int16_t* bsums;  // 16 sums of 16
};

// Q4_K and Q5_K: x = d * sc_j * q - dmin * m_j per sub-block j of 32.
template <bool kHighBit>
struct KernelQ45K {
  using Block = std::conditional_t<kHighBit, BlockQ5_K, BlockQ4_K>;
  struct Prepared {
    VI16 scales;          // sc0..sc7 as int16, in both halves
    __m128i scales_mins;  // UnpackScalesMins
    float d, dmin;
  };
  static HWY_INLINE Prepared Prepare(const Block* b, const float* f16) {
    const __m128i sm = UnpackScalesMins(b->scales);
    return {ScalesBothHalves(sm), sm, f16[b->d], f16[b->dmin]};
  }
  template <size_t kG>
  static HWY_INLINE VU8 Group(const Block* b) {
    const VU8 packed = hn::LoadU(DU8(), b->qs + 32 * (kG / 2));
    VU8 q = (kG % 2 == 0) ? LowNibbles(packed) : HighNibbles(packed);
    if constexpr (kHighBit) q = hn::Or(q, MoveBits<kG, 4>(hn::LoadU(DU8(), b->qh)));
    return q;
  }
  template <size_t kG>
  static HWY_INLINE VI16 GroupScale(const Prepared& p) {
    return SplatPair<kG, kG>(p.scales);
  }
  static HWY_INLINE VI32 GroupDot(VU8 w, VI8 x, VI16 scale) {
    return MulPairsI16(MulPairsU8I8(w, x), scale);
  }
  static HWY_INLINE VF Finish(const Prepared& p, VI32 sumi, const ActSuper& a, VF acc) {
    const VI32 msum = MulPairsI16(PairedMins(p.scales_mins), hn::LoadU(DI16(), a.bsums));
    const VF v = hn::MulSub(hn::Set(DF(), p.d), hn::ConvertTo(DF(), sumi),
                            hn::Mul(hn::Set(DF(), p.dmin), hn::ConvertTo(DF(), msum)));
    return hn::MulAdd(hn::Set(DF(), a.d), v, acc);
  }
};

// Q6_K: x = d * sc_i * (q - 32) per group i of 16, q = 4 low bits from ql, 2 high bits from qh.
// The -32 is applied once per super-block as 32 * sum_i sc_i * bsum_i.
struct KernelQ6K {
  using Block = BlockQ6_K;
  struct Prepared {
    VI16 scales_lo;   // sc0..sc7 as int16, in both halves
    VI16 scales_hi;   // sc8..sc15
    VI16 scales_x32;  // sc0..sc15 * 32, in order
    float d;
  };
  static HWY_INLINE Prepared Prepare(const Block* b, const float* f16) {
    const __m128i sc8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b->scales));
    const __m256i sc16 = _mm256_cvtepi8_epi16(sc8);
    return {VI16{_mm256_permute2x128_si256(sc16, sc16, 0x00)},
            VI16{_mm256_permute2x128_si256(sc16, sc16, 0x11)}, VI16{_mm256_slli_epi16(sc16, 5)},
            f16[b->d]};
  }
  // Group kG covers elements 32 kG .. 32 kG + 31: half kG / 4 of the block (128 elements),
  // within it quarter k = kG % 4 takes ql bytes [32 (k & 1), +32) (low nibbles for k < 2) and
  // bits 2k, 2k+1 of qh.
  template <size_t kG>
  static HWY_INLINE VU8 Group(const Block* b) {
    constexpr size_t kHalf = kG / 4, kQuarter = kG % 4;
    const VU8 ql = hn::LoadU(DU8(), b->ql + 64 * kHalf + 32 * (kQuarter & 1));
    const VU8 lo = kQuarter < 2 ? LowNibbles(ql) : HighNibbles(ql);
    const VU8 qh = hn::LoadU(DU8(), b->qh + 32 * kHalf);
    return hn::Or(lo, MoveBits<2 * kQuarter, 4, 2>(qh));
  }
  template <size_t kG>
  static HWY_INLINE VI16 GroupScale(const Prepared& p) {
    constexpr int k = static_cast<int>(kG % 4);
    return SplatPair<2 * k, 2 * k + 1>(kG < 4 ? p.scales_lo : p.scales_hi);
  }
  static HWY_INLINE VI32 GroupDot(VU8 w, VI8 x, VI16 scale) {
    return MulPairsI16(MulPairsU8I8(w, x), scale);
  }
  static HWY_INLINE VF Finish(const Prepared& p, VI32 sumi, const ActSuper& a, VF acc) {
    const VI32 offset = MulPairsI16(p.scales_x32, hn::LoadU(DI16(), a.bsums));
    return hn::MulAdd(hn::ConvertTo(DF(), hn::Sub(sumi, offset)), hn::Set(DF(), p.d * a.d), acc);
  }
};

// Q8_K as a weight: x = d * q, q signed (sign trick as for Q8_0).
struct KernelQ8K {
  using Block = BlockQ8_K;
  struct Prepared {
    float d;
  };
  static HWY_INLINE Prepared Prepare(const Block* b, const float*) { return {b->d}; }
  template <size_t kG>
  static HWY_INLINE VI8 Group(const Block* b) {
    return hn::LoadU(DI8(), b->qs + 32 * kG);
  }
  template <size_t kG>
  static HWY_INLINE VI16 GroupScale(const Prepared&) {
    return hn::Set(DI16(), 1);
  }
  static HWY_INLINE VI32 GroupDot(VI8 w, VI8 x, VI16 ones) {
    return MulPairsI16(MulPairsU8I8(AbsI8(w), ApplySign(x, w)), ones);
  }
  static HWY_INLINE VF Finish(const Prepared& p, VI32 sumi, const ActSuper& a, VF acc) {
    return hn::MulAdd(hn::ConvertTo(DF(), sumi), hn::Set(DF(), p.d * a.d), acc);
  }
};

// Decode (fewer than kInterleaveMinTokens tokens): R rows x 1 token per tile. Per super-block
// each row accumulates its eight groups in int32, then Finish folds in the super-block scale
// (and mins / offset) in float.
template <class K, size_t R>
HWY_INLINE void KTile(const MatmulJob& job, size_t r0, size_t t, size_t rows_valid) {
  using Block = typename K::Block;
  const size_t cols = job.w.cols;
  const size_t nb = cols / kQK_K;
  const size_t stride = row_bytes(job.w.type, cols);
  const auto* base = static_cast<const uint8_t*>(job.w.data);
  const Block* w[R];
  for (size_t r = 0; r < R; ++r) {
    w[r] = reinterpret_cast<const Block*>(base + (r0 + std::min(r, rows_valid - 1)) * stride);
  }

  // The float accumulators are touched once per super-block: they live in memory so that the
  // registers hold the int32 sums, unpacked weights and scales of the group loop.
  const size_t next_end = std::min(job.w.rows, r0 + 2 * R);
  NextTilePrefetcher prefetch(base + (r0 + R) * stride, base + std::max(next_end, r0 + R) * stride,
                              nb);
  HWY_ALIGN float acc[R][8] = {};
  for (size_t sb = 0; sb < nb; ++sb) {
    prefetch.step();
    const ActSuper a = {job.act.qs + t * cols + sb * kQK_K, job.act.d[t * nb + sb],
                        job.act.bsums + t * (cols / 16) + sb * 16};
    typename K::Prepared p[R];
    for (size_t r = 0; r < R; ++r) p[r] = K::Prepare(w[r] + sb, job.f16_table);
    VI32 sumi[R];
    for (size_t r = 0; r < R; ++r) sumi[r] = hn::Zero(DI32());
    Unroll(std::make_index_sequence<kGroups>(), [&](auto g) LIFTOFF_INLINE_LAMBDA {
      constexpr size_t kG = decltype(g)::value;
      const VI8 x = hn::Load(DI8(), a.q + 32 * kG);
      for (size_t r = 0; r < R; ++r) {
        sumi[r] = hn::Add(sumi[r], K::GroupDot(K::template Group<kG>(w[r] + sb), x,
                                               K::template GroupScale<kG>(p[r])));
      }
    });
    for (size_t r = 0; r < R; ++r) {
      hn::Store(K::Finish(p[r], sumi[r], a, hn::Load(DF(), acc[r])), DF(), acc[r]);
    }
  }
  float* out = job.out + t * job.w.rows + r0;
  for (size_t r = 0; r < rows_valid; ++r) out[r] = ReduceSum(hn::Load(DF(), acc[r]));
}

// ---- Interleaved (prefill) form: 8 tokens per vector, see matmul-inl.h. Each kernel IL adds
//   Halves<> Halves<kG>(const Block*)          elements of group kG (32) in halves form
//   void Dot<kG, TG>(p, halves, x, sumi)        DotBlockU8 / I8 with the group's scales
//   VF FinishIL(p, sumi, d8, bsums8, acc)       d8: 8 tokens' scales; bsums8: [8 pairs][8][2]

// Splats int32 lane j (0..7) of v to all lanes.
template <int kJ>
HWY_INLINE VI32 SplatLane32(VI32 v) {
  const __m256i half = _mm256_permute2x128_si256(v.raw, v.raw, kJ < 4 ? 0x00 : 0x11);
  return VI32{_mm256_shuffle_epi32(half, (kJ % 4) * 0x55)};
}

// sum over the 8 groups j of (pairs[j] . bsums of group j) per token: pairs holds, in int32 lane j,
// the two int16 factors for the group's two 16-element halves.
HWY_INLINE VI32 PairsDotBsums(VI32 pairs, const int16_t* bsums8) {
  VI32 sum = hn::Zero(DI32());
  Unroll(std::make_index_sequence<8>(), [&](auto j) LIFTOFF_INLINE_LAMBDA {
    constexpr int kJ = static_cast<int>(decltype(j)::value);
    const VI16 f = hn::BitCast(DI16(), SplatLane32<kJ>(pairs));
    sum = hn::Add(sum, MulPairsI16(f, hn::Load(DI16(), bsums8 + 16 * kJ)));
  });
  return sum;
}

// Q4_K / Q5_K; int16 headroom: 8 maddubs for 4-bit, 4 for 5-bit weights.
template <bool kHighBit>
struct InterleavedQ45K : KernelQ45K<kHighBit> {
  using Base = KernelQ45K<kHighBit>;
  using Block = typename Base::Block;
  using Prepared = typename Base::Prepared;
  template <size_t kG>
  static HWY_INLINE Halves<VU8> Load(const Block* b) {
    const uint8_t* qs = b->qs + 32 * (kG / 2);
    const VU8 lo = hn::LoadDup128(DU8(), qs), hi = hn::LoadDup128(DU8(), qs + 16);
    Halves<VU8> h = kG % 2 == 0 ? Halves<VU8>{LowNibbles(lo), LowNibbles(hi)}
                                : Halves<VU8>{HighNibbles(lo), HighNibbles(hi)};
    if constexpr (kHighBit) {
      h.lo = hn::Or(h.lo, MoveBits<kG, 4>(hn::LoadDup128(DU8(), b->qh)));
      h.hi = hn::Or(h.hi, MoveBits<kG, 4>(hn::LoadDup128(DU8(), b->qh + 16)));
    }
    return h;
  }
  template <size_t kG, size_t TG>
  static HWY_INLINE void Dot(const Prepared& p, const Halves<VU8>& w, const int8_t* const* x,
                             VI32* sumi) {
    const VI16 scale = SplatPair<kG, kG>(p.scales);
    DotBlockU8<kHighBit ? 4 : 8, TG>(w, x, scale, scale, sumi);
  }
  static HWY_INLINE VF FinishIL(const Prepared& p, VI32 paired_mins, VI32 sumi, const float* d8,
                                const int16_t* bsums8, VF acc) {
    const VI32 msum = PairsDotBsums(paired_mins, bsums8);
    const VF v = hn::MulSub(hn::Set(DF(), p.d), hn::ConvertTo(DF(), sumi),
                            hn::Mul(hn::Set(DF(), p.dmin), hn::ConvertTo(DF(), msum)));
    return hn::MulAdd(hn::Load(DF(), d8), v, acc);
  }
  static HWY_INLINE VI32 Pairs(const Prepared& p) {
    return hn::BitCast(DI32(), PairedMins(p.scales_mins));
  }
};

// Q6_K; int16 headroom: 2 maddubs (2 * 2 * 63 * 127 = 32004). The -32 offset is
// 32 * sum_i sc_i * bsum_i, with scales_x32 as the pairs.
struct InterleavedQ6K : KernelQ6K {
  template <size_t kG>
  static HWY_INLINE Halves<VU8> Load(const Block* b) {
    constexpr size_t kHalf = kG / 4, kQuarter = kG % 4;
    const uint8_t* ql = b->ql + 64 * kHalf + 32 * (kQuarter & 1);
    const uint8_t* qh = b->qh + 32 * kHalf;
    const auto one = [&](const uint8_t* l, const uint8_t* h) LIFTOFF_INLINE_LAMBDA {
      const VU8 lv = hn::LoadDup128(DU8(), l);
      const VU8 low = kQuarter < 2 ? LowNibbles(lv) : HighNibbles(lv);
      return hn::Or(low, MoveBits<2 * kQuarter, 4, 2>(hn::LoadDup128(DU8(), h)));
    };
    return {one(ql, qh), one(ql + 16, qh + 16)};
  }
  template <size_t kG, size_t TG>
  static HWY_INLINE void Dot(const Prepared& p, const Halves<VU8>& w, const int8_t* const* x,
                             VI32* sumi) {
    constexpr int k = static_cast<int>(kG % 4);
    const VI16 src = kG < 4 ? p.scales_lo : p.scales_hi;
    DotBlockU8<2, TG>(w, x, SplatPair<2 * k, 2 * k>(src), SplatPair<2 * k + 1, 2 * k + 1>(src),
                      sumi);
  }
  static HWY_INLINE VF FinishIL(const Prepared& p, VI32 pairs, VI32 sumi, const float* d8,
                                const int16_t* bsums8, VF acc) {
    const VI32 offset = PairsDotBsums(pairs, bsums8);
    return hn::MulAdd(hn::ConvertTo(DF(), hn::Sub(sumi, offset)),
                      hn::Mul(hn::Set(DF(), p.d), hn::Load(DF(), d8)), acc);
  }
  static HWY_INLINE VI32 Pairs(const Prepared& p) { return hn::BitCast(DI32(), p.scales_x32); }
};

struct InterleavedQ8K : KernelQ8K {
  template <size_t kG>
  static HWY_INLINE Halves<VI8> Load(const Block* b) {
    return {hn::LoadDup128(DI8(), b->qs + 32 * kG), hn::LoadDup128(DI8(), b->qs + 32 * kG + 16)};
  }
  template <size_t kG, size_t TG>
  static HWY_INLINE void Dot(const Prepared&, const Halves<VI8>& w, const int8_t* const* x,
                             VI32* sumi) {
    DotBlockI8<TG>(w, x, sumi);
  }
  static HWY_INLINE VF FinishIL(const Prepared& p, VI32, VI32 sumi, const float* d8, const int16_t*,
                                VF acc) {
    return hn::MulAdd(hn::ConvertTo(DF(), sumi), hn::Mul(hn::Set(DF(), p.d), hn::Load(DF(), d8)),
                      acc);
  }
  static HWY_INLINE VI32 Pairs(const Prepared&) { return hn::Zero(DI32()); }
};

template <class IL>
void KTilesInterleaved(const MatmulJob& job, const TileRange& range) {
  using Block = typename IL::Block;
  const size_t cols = job.w.cols;
  const size_t nb = cols / kQK_K;
  const size_t n32 = cols / 32;
  const size_t stride = row_bytes(job.w.type, cols);
  const auto* base = static_cast<const uint8_t*>(job.w.data);
  const InterleavedActivations& il = job.act.il;
  constexpr size_t kLanes = kGroupTokens;
  const auto kernel = [&]<size_t TG>(size_t r, size_t g0, size_t sb0, size_t sb1,
                                     VF* acc) LIFTOFF_INLINE_LAMBDA {
    const auto* w = reinterpret_cast<const Block*>(base + r * stride);
    for (size_t sb = sb0; sb < sb1; ++sb) {
      const typename IL::Prepared p = IL::Prepare(w + sb, job.f16_table);
      VI32 sumi[TG];
      for (size_t g = 0; g < TG; ++g) sumi[g] = hn::Zero(DI32());
      Unroll(std::make_index_sequence<kGroups>(), [&](auto group) LIFTOFF_INLINE_LAMBDA {
        constexpr size_t kG = decltype(group)::value;
        const int8_t* x[TG];
        for (size_t g = 0; g < TG; ++g) {
          x[g] = il.qs + ((g0 + g) * n32 + sb * kGroups + kG) * 32 * kLanes;
        }
        IL::template Dot<kG, TG>(p, IL::template Load<kG>(w + sb), x, sumi);
      });
      const VI32 pairs = IL::Pairs(p);
      for (size_t g = 0; g < TG; ++g) {
        acc[g] = IL::FinishIL(p, pairs, sumi[g], il.d + ((g0 + g) * nb + sb) * kLanes,
                              il.bsums + ((g0 + g) * n32 + sb * kGroups) * kLanes * 2, acc[g]);
      }
    }
  };
  // 2 groups (16 tokens) per tile, 4 super-blocks (1024 columns: 16 KiB of activations) per
  // chunk. One core, Q4_K 5632x2048, 128 tokens: 142 GFLOP/s against 114 with 4 groups of 512
  // columns (likely because 4 groups' int16 and int32 sums and the weight halves exceed the 16
  // vector registers).
  InterleavedTiles<2>(job, range, nb, 4, kernel);
}

template <class K>
void KTiles(const MatmulJob& job, const TileRange& range) {
  const auto tile = [&](size_t r, size_t t, size_t nr)
                        LIFTOFF_INLINE_LAMBDA { KTile<K, 4>(job, r, t, nr); };
  ForEachTile<4, 1>(range, tile, tile);
}

#endif  // HWY_TARGET == HWY_AVX2

}  // namespace

void MatmulTilesK(const MatmulJob& job, const TileRange& range) {
#if HWY_TARGET == HWY_AVX2
  if (job.act.il.qs != nullptr) {
    switch (job.w.type) {
      case DType::kQ4_K:
        return KTilesInterleaved<InterleavedQ45K<false>>(job, range);
      case DType::kQ5_K:
        return KTilesInterleaved<InterleavedQ45K<true>>(job, range);
      case DType::kQ6_K:
        return KTilesInterleaved<InterleavedQ6K>(job, range);
      case DType::kQ8_K:
        return KTilesInterleaved<InterleavedQ8K>(job, range);
      default:
        break;
    }
  }
  switch (job.w.type) {
    case DType::kQ4_K:
      return KTiles<KernelQ45K<false>>(job, range);
    case DType::kQ5_K:
      return KTiles<KernelQ45K<true>>(job, range);
    case DType::kQ6_K:
      return KTiles<KernelQ6K>(job, range);
    case DType::kQ8_K:
      return KTiles<KernelQ8K>(job, range);
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

HWY_EXPORT(MatmulTilesK);

void matmul_tiles_k(const MatmulJob& job, const TileRange& range) {
  HWY_DYNAMIC_DISPATCH(MatmulTilesK)(job, range);
}

}  // namespace liftoff::kernels::matmul_detail
#endif  // HWY_ONCE
