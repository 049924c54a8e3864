// Importance scores for structured pruning: one score per FFN neuron and per KV-head group of each
// layer, from weight magnitudes or from activations on calibration text, and the choice of which
// units to keep. Scores only rank units within a layer; their scale means nothing across layers.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/base/thread_pool.h"
#include "liftoff/kernels/matmul.h"
#include "liftoff/model/model.h"
#include "liftoff/tokenizer/tokenizer.h"

namespace liftoff::tooling {

// A weight matrix as floats, [rows, cols] row-major (GGUF dims {cols, rows}).
struct FloatMatrix {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> values;  // [rows * cols]
};

// Dequantizes any weight type.
FloatMatrix to_float(const kernels::WeightMatrix& w);

// Neuron i of a SwiGLU FFN: ||gate row i|| * ||up row i|| * ||down column i|| (L2 norms), a bound
// on how much the neuron can move the residual stream for a unit-norm input.
// gate, up: [n_ff, n_embd]; down: [n_embd, n_ff]. Returns [n_ff].
std::vector<double> ffn_magnitude_importance(const FloatMatrix& gate, const FloatMatrix& up,
                                             const FloatMatrix& down);

// KV group g (kv head g and the n_head / n_head_kv query heads that read it):
// ||W_v rows of g||_F * ||W_o columns of g's query heads||_F, the value path's gain (attention
// weights sum to one, so a head's output is bounded by it). wv: [kv_dim, n_embd];
// wo: [n_embd, q_dim]. Returns [n_head_kv].
std::vector<double> head_group_magnitude_importance(const FloatMatrix& wv, const FloatMatrix& wo,
                                                    int64_t n_head, int64_t n_head_kv,
                                                    int64_t head_dim);

// Mean activations gathered on calibration text, per layer.
struct ActivationStats {
  int64_t n_tokens = 0;
  std::vector<std::vector<double>> ffn_mean_abs;    // [n_layer][n_ff]: mean |silu(gate x)(up x)|
  std::vector<std::vector<double>> head_mean_norm;  // [n_layer][n_head]: mean ||head output||_2
};

// Runs the model over `text` (BOS first, chunks of n_ctx tokens, the last one partial) and
// averages the FFN hidden activations and per-head attention outputs. kInvalidArgument if the
// text has fewer than 2 tokens.
Result<ActivationStats> collect_activation_stats(const model::Model& model,
                                                 const tokenizer::Tokenizer& tok,
                                                 const std::string& text, int64_t n_ctx,
                                                 base::ThreadPool& pool);

// Neuron i: mean |h_i| * ||down column i||, its average contribution to the residual stream.
std::vector<double> ffn_activation_importance(std::span<const double> mean_abs,
                                              const FloatMatrix& down);

// KV group g: sum over its query heads h of mean ||out_h|| * ||W_o columns of h||_F.
std::vector<double> head_group_activation_importance(std::span<const double> head_mean_norm,
                                                     const FloatMatrix& wo, int64_t n_head,
                                                     int64_t n_head_kv, int64_t head_dim);

// The indices of the n_keep highest scores, ascending (ties keep the lower index, so equal
// scores prune from the end). n_keep must be in [0, scores.size()].
std::vector<int64_t> keep_most_important(std::span<const double> scores, int64_t n_keep);

}  // namespace liftoff::tooling
