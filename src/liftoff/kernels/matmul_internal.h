// The contract between matmul.cpp (validation, activation quantization, scheduling) and the
// per-weight-family kernel translation units (matmul_float.cpp, matmul_q8.cpp, matmul_k.cpp).
// Not a public API: callers use matmul.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include "liftoff/kernels/matmul.h"

namespace liftoff::kernels::matmul_detail {

// Activations of every token quantized to int8 per block of `block` elements (32 for the
// Q8_0-style dot products of the *_0 / *_1 weights, 256 for the Q8_K-style ones of the K-quants):
// x[t][i] ~= d[t][i / block] * qs[t][i]. Scales are floats (not fp16 as in llama.cpp's Q8_0) and
// the layout is split into arrays so the kernels load 32 aligned bytes per block.
// The same activations for the prefill kernels, which put 8 tokens in the 8 lanes of a vector
// and broadcast each weight row's bytes from the GGUF layout (so weights need no repacking).
// Tokens are taken in groups of kGroupTokens; a group past n_tokens is padded with zeros.
inline constexpr size_t kGroupTokens = 8;
// Fewer tokens use the row-layout (decode) kernels; from 4 tokens on, an 8-lane group does at
// least as much useful work per weight byte as 4 single-token passes.
inline constexpr size_t kInterleaveMinTokens = 4;
struct InterleavedActivations {
  // [group][cols / 32][8 quads][8 tokens][4]: quad k of a 32-element block holds elements
  // 4k..4k+3 of each token, so one vector load gives the same 4 elements of 8 tokens.
  const int8_t* qs = nullptr;
  const float* d = nullptr;        // [group][cols / block][8 tokens]
  const float* s = nullptr;        // [group][cols / 32][8 tokens]: s of the row layout * s_scale
  const int16_t* bsums = nullptr;  // [group][cols / 256][8 pairs][8 tokens][2]: the 16-sums of
                                   // elements 32j..32j+15 and 32j+16..32j+31
  size_t n_groups = 0;
};

struct QuantizedActivations {
  const int8_t* qs = nullptr;      // [n_tokens][cols]
  const float* d = nullptr;        // [n_tokens][cols / block]
  const float* s = nullptr;        // [n_tokens][cols / block]: d * (sum of the block's qs)
  const int16_t* bsums = nullptr;  // [n_tokens][cols / 16]: sum of each 16 consecutive qs
  size_t block = 0;
  InterleavedActivations il;  // empty unless the call uses the interleaved (prefill) kernels
};

struct MatmulJob {
  WeightMatrix w;
  const float* x = nullptr;  // [n_tokens][w.cols]
  QuantizedActivations act;  // empty for the float weight types
  // Float weight types with at least kFloatGroupMinTokens tokens: x transposed per token group,
  // [group][w.cols][kGroupTokens] (tokens past n_tokens are zeros), so that one vector load gives
  // the same column of 8 tokens and the prefill kernel can broadcast weights instead.
  const float* x_groups = nullptr;
  float* out = nullptr;      // [n_tokens][w.rows]
  size_t n_tokens = 0;
  float* scratch = nullptr;  // kScratchFloatsPerCol * w.cols floats per thread (fallback only)
  const float* f16_table = nullptr;  // fp16_table()
};

// All 65536 IEEE half values as floats. Block scales are converted with one load from here
// instead of movd + vcvtph2ps + broadcast (three vector uops per block on the FP pipes that the
// dot products need); the scales of one model touch only a few KiB of the 256 KiB table.
const float* fp16_table();

// Rows dequantized at once by the portable (non-AVX2) fallback, which also needs one row for
// the dequantized activations of a token; sizes the per-thread scratch.
inline constexpr size_t kScratchRows = 4;
inline constexpr size_t kScratchFloatsPerCol = kScratchRows + 1;

// Rows of one register tile of the float prefill kernel (matmul_float.cpp).
inline constexpr size_t kFloatTileRows = 6;
// Fewer tokens keep the float weights' dot-product tiles: the prefill kernel widens each weight
// chunk once for all token groups, which pays off only with several groups (measured slower than
// the dot-product tiles at 16 tokens on 576x576, faster from 128 tokens on every shape).
inline constexpr size_t kFloatGroupMinTokens = 32;

// The most rows one prefill task covers (kernels may size stack buffers by it).
inline constexpr size_t kMaxPrefillRowChunk = 72;

// Computes out[t][r] for r in [row_begin, row_end), t in [token_begin, token_end).
// `thread` indexes the per-thread scratch. With interleaved activations, token ranges start at a
// multiple of kGroupTokens.
struct TileRange {
  size_t row_begin, row_end, token_begin, token_end, thread;
};

void matmul_tiles_float(const MatmulJob& job, const TileRange& range);  // F32, F16, BF16
void matmul_tiles_q8(const MatmulJob& job, const TileRange& range);     // Q8_0, Q4_0/1, Q5_0/1
void matmul_tiles_k(const MatmulJob& job, const TileRange& range);      // Q4_K, Q5_K, Q6_K, Q8_K

// Fills token group `group` of `il` (whose pointers must be writable) from the row layout `act`
// of n_tokens tokens; s is multiplied by s_scale (the weight type's offset, see matmul_q8.cpp).
void interleave_activations(const QuantizedActivations& act, size_t n_tokens, size_t cols,
                            float s_scale, size_t group, int8_t* qs, float* d, float* s,
                            int16_t* bsums);

// Fills token group `group` of x_groups (see MatmulJob) from the n_tokens rows of x.
void interleave_float_activations(const float* x, size_t n_tokens, size_t cols, size_t group,
                                  float* x_groups);

// Quantizes one token's row of `cols` floats (cols % block == 0, block in {32, 256}) into the
// QuantizedActivations layout at the given per-token pointers. Symmetric: d = max|x| / 127.
void quantize_activations(const float* x, size_t cols, size_t block, int8_t* qs, float* d, float* s,
                          int16_t* bsums);

}  // namespace liftoff::kernels::matmul_detail
