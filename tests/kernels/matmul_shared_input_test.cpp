// matmul_shared_input must give exactly what separate matmul() calls give, for every weight
// family, decode and prefill sizes, and targets of mixed types (which fall back to one by one).
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "liftoff/kernels/matmul.h"
#include "liftoff/kernels/quantize.h"

namespace liftoff::kernels {
namespace {

std::vector<uint8_t> random_matrix(DType type, size_t rows, size_t cols, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 0.1f);
  std::vector<float> row(cols);
  std::vector<uint8_t> out(rows * row_bytes(type, cols));
  for (size_t r = 0; r < rows; ++r) {
    for (auto& v : row) v = dist(rng);
    quantize_row(type, row.data(), out.data() + r * row_bytes(type, cols), cols);
  }
  return out;
}

void check(DType type_q, DType type_kv, size_t n_tokens) {
  const size_t cols = 512, rows_q = 96, rows_kv = 40;
  auto wq = random_matrix(type_q, rows_q, cols, 1);
  auto wk = random_matrix(type_kv, rows_kv, cols, 2);
  auto wv = random_matrix(type_kv, rows_kv, cols, 3);
  std::mt19937 rng(4);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> x(n_tokens * cols);
  for (auto& v : x) v = dist(rng);

  base::ThreadPool pool(2);
  Workspace ws;
  const WeightMatrix mq{type_q, wq.data(), rows_q, cols}, mk{type_kv, wk.data(), rows_kv, cols},
      mv{type_kv, wv.data(), rows_kv, cols};
  std::vector<float> q1(n_tokens * rows_q), k1(n_tokens * rows_kv), v1(n_tokens * rows_kv);
  matmul(mq, x.data(), n_tokens, q1.data(), pool, ws);
  matmul(mk, x.data(), n_tokens, k1.data(), pool, ws);
  matmul(mv, x.data(), n_tokens, v1.data(), pool, ws);

  std::vector<float> q2(q1.size(), -1.0f), k2(k1.size(), -1.0f), v2(v1.size(), -1.0f);
  const MatmulTarget targets[] = {{mq, q2.data()}, {mk, k2.data()}, {mv, v2.data()}};
  matmul_shared_input(targets, x.data(), n_tokens, pool, ws);
  EXPECT_EQ(q1, q2);
  EXPECT_EQ(k1, k2);
  EXPECT_EQ(v1, v2);
}

TEST(MatmulSharedInput, BitIdenticalToSeparateCalls) {
  for (DType type : {DType::kF32, DType::kF16, DType::kBF16, DType::kQ8_0, DType::kQ4_0,
                     DType::kQ5_1, DType::kQ4_K, DType::kQ6_K}) {
    for (size_t n_tokens : {1u, 3u, 9u, 37u}) {
      SCOPED_TRACE(std::string(dtype_info(type).name) + " tokens " + std::to_string(n_tokens));
      check(type, type, n_tokens);
    }
  }
}

TEST(MatmulSharedInput, MixedTypesFallBackToSeparateCalls) {
  for (size_t n_tokens : {1u, 17u}) check(DType::kQ4_K, DType::kQ6_K, n_tokens);
}

}  // namespace
}  // namespace liftoff::kernels
