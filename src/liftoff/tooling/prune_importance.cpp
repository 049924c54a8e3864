// Importance scores for structured pruning (see the header for the formulas).
#include "liftoff/tooling/prune_importance.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "liftoff/engine/sequence_runner.h"
#include "liftoff/kernels/quantize.h"
#include "liftoff/model/activation_observer.h"

namespace liftoff::tooling {
namespace {

double row_norm(const FloatMatrix& m, int64_t r) {
  double s = 0.0;
  for (int64_t c = 0; c < m.cols; ++c) {
    const double v = m.values[static_cast<size_t>(r * m.cols + c)];
    s += v * v;
  }
  return std::sqrt(s);
}

// Squared L2 norm of each column: [cols].
std::vector<double> column_norms_sq(const FloatMatrix& m) {
  std::vector<double> out(static_cast<size_t>(m.cols), 0.0);
  for (int64_t r = 0; r < m.rows; ++r) {
    const float* row = m.values.data() + r * m.cols;
    for (int64_t c = 0; c < m.cols; ++c) out[static_cast<size_t>(c)] += double(row[c]) * row[c];
  }
  return out;
}

// ||W_o columns of query head h||_F for every head: [n_head].
std::vector<double> wo_head_norms(const FloatMatrix& wo, int64_t n_head, int64_t head_dim) {
  const std::vector<double> col_sq = column_norms_sq(wo);
  std::vector<double> out(static_cast<size_t>(n_head), 0.0);
  for (int64_t h = 0; h < n_head; ++h) {
    double s = 0.0;
    for (int64_t c = h * head_dim; c < (h + 1) * head_dim; ++c) s += col_sq[static_cast<size_t>(c)];
    out[static_cast<size_t>(h)] = std::sqrt(s);
  }
  return out;
}

// Accumulates sums of |h| and ||head output|| over every evaluated token.
class StatsObserver : public model::ActivationObserver {
 public:
  StatsObserver(const model::HParams& hp, ActivationStats& stats) : hp_(hp), stats_(stats) {
    stats_.ffn_mean_abs.assign(hp.n_layer, std::vector<double>(hp.n_ff, 0.0));
    stats_.head_mean_norm.assign(hp.n_layer, std::vector<double>(hp.n_head, 0.0));
  }

  void on_attention_heads(int64_t layer, std::span<const float> heads, size_t n_tokens) override {
    auto& sums = stats_.head_mean_norm[static_cast<size_t>(layer)];
    const int64_t hd = hp_.head_dim;
    for (size_t t = 0; t < n_tokens; ++t) {
      const float* row = heads.data() + t * hp_.q_dim();
      for (int64_t h = 0; h < hp_.n_head; ++h) {
        double s = 0.0;
        for (int64_t i = 0; i < hd; ++i) s += double(row[h * hd + i]) * row[h * hd + i];
        sums[static_cast<size_t>(h)] += std::sqrt(s);
      }
    }
  }

  void on_ffn_hidden(int64_t layer, std::span<const float> hidden, size_t n_tokens) override {
    auto& sums = stats_.ffn_mean_abs[static_cast<size_t>(layer)];
    for (size_t t = 0; t < n_tokens; ++t) {
      const float* row = hidden.data() + t * hp_.n_ff;
      for (int64_t i = 0; i < hp_.n_ff; ++i) sums[static_cast<size_t>(i)] += std::fabs(row[i]);
    }
  }

 private:
  const model::HParams& hp_;
  ActivationStats& stats_;
};

}  // namespace

FloatMatrix to_float(const kernels::WeightMatrix& w) {
  FloatMatrix m{static_cast<int64_t>(w.rows), static_cast<int64_t>(w.cols), {}};
  m.values.resize(w.rows * w.cols);
  const size_t row_bytes = kernels::row_bytes(w.type, w.cols);
  for (size_t r = 0; r < w.rows; ++r) {
    kernels::dequantize_row(w.type, static_cast<const uint8_t*>(w.data) + r * row_bytes,
                            m.values.data() + r * w.cols, w.cols);
  }
  return m;
}

std::vector<double> ffn_magnitude_importance(const FloatMatrix& gate, const FloatMatrix& up,
                                             const FloatMatrix& down) {
  const std::vector<double> down_sq = column_norms_sq(down);
  std::vector<double> out(static_cast<size_t>(gate.rows));
  for (int64_t i = 0; i < gate.rows; ++i) {
    out[static_cast<size_t>(i)] =
        row_norm(gate, i) * row_norm(up, i) * std::sqrt(down_sq[static_cast<size_t>(i)]);
  }
  return out;
}

std::vector<double> head_group_magnitude_importance(const FloatMatrix& wv, const FloatMatrix& wo,
                                                    int64_t n_head, int64_t n_head_kv,
                                                    int64_t head_dim) {
  const std::vector<double> wo_norms = wo_head_norms(wo, n_head, head_dim);
  const int64_t per_group = n_head / n_head_kv;
  std::vector<double> out(static_cast<size_t>(n_head_kv));
  for (int64_t g = 0; g < n_head_kv; ++g) {
    double v_sq = 0.0;
    for (int64_t r = g * head_dim; r < (g + 1) * head_dim; ++r)
      v_sq += std::pow(row_norm(wv, r), 2);
    double o_sq = 0.0;
    for (int64_t h = g * per_group; h < (g + 1) * per_group; ++h) {
      o_sq += std::pow(wo_norms[static_cast<size_t>(h)], 2);
    }
    out[static_cast<size_t>(g)] = std::sqrt(v_sq) * std::sqrt(o_sq);
  }
  return out;
}

std::vector<double> ffn_activation_importance(std::span<const double> mean_abs,
                                              const FloatMatrix& down) {
  const std::vector<double> down_sq = column_norms_sq(down);
  std::vector<double> out(mean_abs.size());
  for (size_t i = 0; i < mean_abs.size(); ++i) out[i] = mean_abs[i] * std::sqrt(down_sq[i]);
  return out;
}

std::vector<double> head_group_activation_importance(std::span<const double> head_mean_norm,
                                                     const FloatMatrix& wo, int64_t n_head,
                                                     int64_t n_head_kv, int64_t head_dim) {
  const std::vector<double> wo_norms = wo_head_norms(wo, n_head, head_dim);
  const int64_t per_group = n_head / n_head_kv;
  std::vector<double> out(static_cast<size_t>(n_head_kv), 0.0);
  for (int64_t h = 0; h < n_head; ++h) {
    out[static_cast<size_t>(h / per_group)] +=
        head_mean_norm[static_cast<size_t>(h)] * wo_norms[static_cast<size_t>(h)];
  }
  return out;
}

std::vector<int64_t> keep_most_important(std::span<const double> scores, int64_t n_keep) {
  std::vector<int64_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return scores[a] > scores[b]; });
  order.resize(static_cast<size_t>(n_keep));
  std::sort(order.begin(), order.end());
  return order;
}

Result<ActivationStats> collect_activation_stats(const model::Model& model,
                                                 const tokenizer::Tokenizer& tok,
                                                 const std::string& text, int64_t n_ctx,
                                                 base::ThreadPool& pool) {
  const std::vector<int32_t> tokens = tok.encode(text, /*add_special=*/true, false);
  if (tokens.size() < 2) {
    return Status::invalid_argument("calibration text has " + std::to_string(tokens.size()) +
                                    " tokens; at least 2 are needed");
  }
  LIFTOFF_ASSIGN_OR_RETURN(auto runner, engine::SequenceRunner::create(model, pool, n_ctx, n_ctx));
  ActivationStats stats;
  StatsObserver observer(model.hparams(), stats);
  runner.set_observer(&observer);
  std::vector<int32_t> chunk;
  for (size_t start = 0; start < tokens.size(); start += static_cast<size_t>(n_ctx)) {
    const size_t n = std::min(tokens.size() - start, static_cast<size_t>(n_ctx));
    chunk.assign(tokens.begin() + start, tokens.begin() + start + n);
    if (tok.add_bos() && tok.bos() >= 0) chunk[0] = tok.bos();
    runner.reset();
    LIFTOFF_RETURN_IF_ERROR(runner.eval(chunk, model::Outputs::kNone).status());
    stats.n_tokens += static_cast<int64_t>(n);
  }
  runner.set_observer(nullptr);
  const double inv = 1.0 / static_cast<double>(stats.n_tokens);
  for (auto& layer : stats.ffn_mean_abs)
    for (double& v : layer) v *= inv;
  for (auto& layer : stats.head_mean_norm)
    for (double& v : layer) v *= inv;
  return stats;
}

}  // namespace liftoff::tooling
