// Tests kernels::matmul on every compiled SIMD target (AVX2 and the portable baseline fallback)
// and every weight type against the scalar reference, over odd shapes and fixed-seed data.
// clang-format off
#include "liftoff/kernels/matmul_targets.h"  // before any Highway header
// clang-format on

#include "liftoff/kernels/matmul.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ostream>
#include <random>
#include <vector>

#include "hwy/highway.h"
#include "hwy/tests/hwy_gtest.h"
#include "liftoff/base/thread_pool.h"
#include "liftoff/kernels/dtype.h"
#include "liftoff/kernels/quant_blocks.h"
#include "liftoff/kernels/quantize.h"
#include "liftoff/kernels/reference/matmul_ref.h"
#include "liftoff/kernels/workspace.h"

namespace liftoff::kernels {

// gtest prints the parameter in test names ("AVX2_Q4_K").
void PrintTo(DType type, std::ostream* os) { *os << dtype_info(type).name; }

namespace {

// Activation block size matmul quantizes to for each weight type (0: activations stay float).
size_t activation_block(DType type) {
  switch (type) {
    case DType::kF32:
    case DType::kF16:
    case DType::kBF16:
      return 0;
    case DType::kQ4_K:
    case DType::kQ5_K:
    case DType::kQ6_K:
    case DType::kQ8_K:
      return kQK_K;
    default:
      return kQK;
  }
}

// What matmul promises to compute for quantized types: x rounded per block to d * q with
// d = max|x| / 127, q = nearest-even(x * 127 / max|x|), in the same float steps as the kernels.
std::vector<float> quantize_dequantize(const std::vector<float>& x, size_t block) {
  if (block == 0) return x;
  std::vector<float> out(x.size());
  for (size_t b = 0; b < x.size(); b += block) {
    float max_abs = 0.0f;
    for (size_t i = b; i < b + block; ++i) max_abs = std::max(max_abs, std::fabs(x[i]));
    const float d = max_abs / 127.0f;
    const float inv = max_abs > 0.0f ? 127.0f / max_abs : 0.0f;
    for (size_t i = b; i < b + block; ++i) out[i] = d * std::nearbyint(x[i] * inv);
  }
  return out;
}

struct Shape {
  size_t rows, cols, n_tokens;
};

class MatmulTest : public hwy::TestWithParamTargetAndT<DType> {};
HWY_TARGET_INSTANTIATE_TEST_SUITE_P_T(MatmulTest,
                                      testing::Values(DType::kF32, DType::kF16, DType::kBF16,
                                                      DType::kQ8_0, DType::kQ4_0, DType::kQ4_1,
                                                      DType::kQ5_0, DType::kQ5_1, DType::kQ4_K,
                                                      DType::kQ5_K, DType::kQ6_K, DType::kQ8_K));

// Weights: rows alternate between zero-centred and shifted ranges so the *_1 and K-type minimums
// are exercised in both signs. Activations: uniform with sparse outliers (what makes per-block
// scales matter) and, for the second token on, one all-zero block (scale 0).
void fill_inputs(const Shape& s, size_t block_elems, std::mt19937& rng, std::vector<float>* w,
                 std::vector<float>* x) {
  std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
  w->resize(s.rows * s.cols);
  for (size_t r = 0; r < s.rows; ++r) {
    const float shift = (r % 3 == 1) ? 0.8f : (r % 3 == 2) ? -0.3f : 0.0f;
    const float scale = 0.05f + 0.1f * static_cast<float>(r % 5);
    for (size_t c = 0; c < s.cols; ++c) (*w)[r * s.cols + c] = scale * (uni(rng) + shift);
  }
  x->resize(s.n_tokens * s.cols);
  for (size_t i = 0; i < x->size(); ++i) {
    (*x)[i] = uni(rng) * ((i % 97 == 5) ? 20.0f : 1.0f);
  }
  const size_t zero_block = std::max<size_t>(block_elems, 32);
  if (s.n_tokens > 1 && s.cols >= zero_block) {
    std::fill(x->begin() + s.cols, x->begin() + s.cols + zero_block, 0.0f);
  }
}

TEST_P(MatmulTest, MatchesReference) {
  const DType type = GetParam();
  const size_t block_elems = dtype_info(type).block_elems;
  const size_t act_block = activation_block(type);
  std::vector<size_t> col_counts = {block_elems, 2 * block_elems, 3 * block_elems, 4096};
  if (block_elems == 1) col_counts.push_back(37);  // vector loop plus a scalar tail

  std::mt19937 rng(1234 + static_cast<unsigned>(type));
  base::ThreadPool pool(2);
  Workspace ws;
  for (size_t rows : {1, 3, 17, 64}) {
    for (size_t cols : col_counts) {
      for (size_t n_tokens : {1, 2, 4, 5, 16, 17, 37}) {
        const Shape s{rows, cols, n_tokens};
        std::vector<float> wf, x;
        fill_inputs(s, block_elems, rng, &wf, &x);
        const size_t stride = row_bytes(type, cols);
        std::vector<uint8_t> wq(rows * stride);
        for (size_t r = 0; r < rows; ++r) {
          quantize_row(type, wf.data() + r * cols, wq.data() + r * stride, cols);
        }
        const WeightMatrix w{type, wq.data(), rows, cols};

        std::vector<float> got(n_tokens * rows, NAN), want(n_tokens * rows),
            want_q(n_tokens * rows);
        matmul(w, x.data(), n_tokens, got.data(), pool, ws);
        reference::matmul_ref(w, x.data(), n_tokens, want.data());
        const std::vector<float> xq = quantize_dequantize(x, act_block);
        reference::matmul_ref(w, xq.data(), n_tokens, want_q.data());

        std::vector<float> row(cols);
        for (size_t r = 0; r < rows; ++r) {
          dequantize_row(type, wq.data() + r * stride, row.data(), cols);
          // Largest |w| of each block: the kernels' float terms (offsets, minimums) are bounded
          // by it, not by |w| itself.
          std::vector<float> block_max(cols);
          for (size_t b = 0; b < cols; b += block_elems) {
            float m = 0.0f;
            for (size_t c = b; c < b + block_elems; ++c) m = std::max(m, std::fabs(row[c]));
            std::fill(block_max.begin() + b, block_max.begin() + b + block_elems, m);
          }
          for (size_t t = 0; t < n_tokens; ++t) {
            const float* xt = x.data() + t * cols;
            const float* xqt = xq.data() + t * cols;
            // Float rounding: each output is a float sum of terms bounded by block_max * |x|,
            // in chains of at most cols / 4 + 16 terms per lane, except the float prefill
            // kernel's single chain of `cols` terms. Rounding errors of such sums grow like
            // sqrt(n) * 2^-24 (about 4e-6 for n = 4096; the worst case n * 2^-24 is never
            // approached with these random inputs), so 1e-4 leaves wide room and still sits
            // far below the size of any indexing or scaling bug (~ sqrt(cols) * |w| * |x|).
            double magnitude = 0.0, quant_bound = 0.0;
            for (size_t c = 0; c < cols; ++c) {
              magnitude += static_cast<double>(block_max[c]) * std::fabs(xqt[c]) +
                           static_cast<double>(std::fabs(row[c])) * std::fabs(xt[c]);
            }
            // Activation rounding: |x - d q| <= d / 2 per element, d = max|x| / 127 per block.
            if (act_block != 0) {
              for (size_t b = 0; b < cols; b += act_block) {
                float max_abs = 0.0f;
                for (size_t c = b; c < b + act_block; ++c)
                  max_abs = std::max(max_abs, std::fabs(xt[c]));
                double wsum = 0.0;
                for (size_t c = b; c < b + act_block; ++c) wsum += std::fabs(row[c]);
                quant_bound += wsum * max_abs / 127.0 / 2.0;
              }
            }
            const double float_tol = 1e-4 * magnitude + 1e-30;
            const size_t i = t * rows + r;
            ASSERT_NEAR(got[i], want_q[i], float_tol)
                << dtype_info(type).name << " rows=" << rows << " cols=" << cols
                << " n_tokens=" << n_tokens << " r=" << r << " t=" << t << " (vs quantized x)";
            ASSERT_NEAR(got[i], want[i], 1.001 * quant_bound + float_tol)
                << dtype_info(type).name << " rows=" << rows << " cols=" << cols
                << " n_tokens=" << n_tokens << " r=" << r << " t=" << t << " (vs float x)";
          }
        }
      }
    }
  }
}

// Results do not depend on how the work is split: 1 thread and 3 threads agree bit for bit
// (each output is computed by exactly one task, in the same order).
TEST_P(MatmulTest, SameResultForAnyThreadCount) {
  const DType type = GetParam();
  const size_t block_elems = dtype_info(type).block_elems;
  const Shape s{67, std::max<size_t>(block_elems, 32) * 8, 9};
  std::mt19937 rng(99);
  std::vector<float> wf, x;
  fill_inputs(s, block_elems, rng, &wf, &x);
  const size_t stride = row_bytes(type, s.cols);
  std::vector<uint8_t> wq(s.rows * stride);
  for (size_t r = 0; r < s.rows; ++r) {
    quantize_row(type, wf.data() + r * s.cols, wq.data() + r * stride, s.cols);
  }
  const WeightMatrix w{type, wq.data(), s.rows, s.cols};
  std::vector<float> one(s.n_tokens * s.rows), three(s.n_tokens * s.rows);
  base::ThreadPool pool1(1), pool3(3);
  Workspace ws;
  matmul(w, x.data(), s.n_tokens, one.data(), pool1, ws);
  matmul(w, x.data(), s.n_tokens, three.data(), pool3, ws);
  EXPECT_EQ(one, three);
}

TEST(Matmul, EmptyShapesWriteNothingOrZeros) {
  base::ThreadPool pool(2);
  Workspace ws;
  const float x[4] = {1, 2, 3, 4};
  float out[4] = {7, 7, 7, 7};
  matmul(WeightMatrix{DType::kF32, x, 0, 4}, x, 1, out, pool, ws);  // no rows
  matmul(WeightMatrix{DType::kF32, x, 1, 4}, x, 0, out, pool, ws);  // no tokens
  EXPECT_EQ(out[0], 7.0f);
  matmul(WeightMatrix{DType::kQ4_0, nullptr, 2, 0}, x, 2, out, pool, ws);  // no columns
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[3], 0.0f);
}

}  // namespace
}  // namespace liftoff::kernels
