// The Llama-family forward pass: embeddings -> n_layer x (RMSNorm, GQA attention with RoPE over
// the paged KV cache, residual; RMSNorm, SwiGLU FFN, residual) -> final norm -> logits.
// Matmuls cover every token of the batch at once; attention runs per (token, head) task.
#include "liftoff/model/forward_pass.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "liftoff/kernels/elementwise.h"
#include "liftoff/kernels/f16_vector.h"
#include "liftoff/kernels/matmul.h"
#include "liftoff/kernels/quantize.h"

namespace liftoff::model {

ForwardPass::ForwardPass(const Model& model, base::ThreadPool& pool, int64_t max_batch_tokens,
                         int64_t max_context)
    : model_(model),
      hp_(model.hparams()),
      pool_(pool),
      max_tokens_(max_batch_tokens),
      max_context_(max_context) {
  const size_t t = static_cast<size_t>(max_tokens_);
  x_.resize(t * hp_.n_embd);
  xn_.resize(t * hp_.n_embd);
  q_.resize(t * hp_.q_dim());
  k_.resize(t * hp_.kv_dim());
  v_.resize(t * hp_.kv_dim());
  attn_.resize(t * hp_.q_dim());
  proj_.resize(t * hp_.n_embd);
  gate_.resize(t * hp_.n_ff);
  up_.resize(t * hp_.n_ff);
  out_hidden_.resize(t * hp_.n_embd);
  scores_.resize(pool.n_threads() * static_cast<size_t>(hp_.n_head / hp_.n_head_kv * max_context_));
}

std::span<const float> ForwardPass::output_hidden() const {
  return {out_hidden_.data(), n_outputs_ * static_cast<size_t>(hp_.n_embd)};
}

Status ForwardPass::validate(const Batch& batch, const KvCache& cache) const {
  const size_t n_tokens = batch.n_tokens();
  if (n_tokens == 0) return Status::invalid_argument("batch has no tokens");
  if (n_tokens > static_cast<size_t>(max_tokens_)) {
    return Status::invalid_argument("batch of " + std::to_string(n_tokens) +
                                    " tokens exceeds the maximum of " +
                                    std::to_string(max_tokens_));
  }
  const int64_t block_size = cache.shape().block_size;
  for (const SequenceStep& s : batch.sequences) {
    if (s.tokens.empty()) return Status::invalid_argument("a batch sequence has no tokens");
    for (int32_t id : s.tokens) {
      if (id < 0 || id >= hp_.n_vocab) {
        return Status::invalid_argument("token id " + std::to_string(id) +
                                        " is outside the vocabulary [0, " +
                                        std::to_string(hp_.n_vocab) + ")");
      }
    }
    const int64_t end = s.n_past + static_cast<int64_t>(s.tokens.size());
    if (s.n_past < 0 || end > max_context_) {
      return Status::invalid_argument("sequence positions up to " + std::to_string(end) +
                                      " exceed the context of " + std::to_string(max_context_));
    }
    const int64_t blocks_needed = (end + block_size - 1) / block_size;
    if (static_cast<int64_t>(s.block_table.size()) < blocks_needed) {
      return Status::invalid_argument("block table of " + std::to_string(s.block_table.size()) +
                                      " blocks cannot hold " + std::to_string(end) + " positions");
    }
    for (int64_t b = 0; b < blocks_needed; ++b) {
      if (s.block_table[b] < 0 || s.block_table[b] >= cache.shape().n_blocks) {
        return Status::invalid_argument("KV block id " + std::to_string(s.block_table[b]) +
                                        " is out of range");
      }
    }
  }
  return Status::ok();
}

void ForwardPass::embed(const Batch& batch) {
  token_seq_.clear();
  token_pos_.clear();
  output_tokens_.clear();
  output_has_logits_.clear();
  const kernels::WeightMatrix& embd = model_.weights().token_embd;
  const size_t row_bytes = kernels::row_bytes(embd.type, embd.cols);
  size_t t = 0;
  for (const SequenceStep& s : batch.sequences) {
    for (size_t i = 0; i < s.tokens.size(); ++i, ++t) {
      token_seq_.push_back(&s);
      token_pos_.push_back(s.n_past + static_cast<int64_t>(i));
      const auto* row = static_cast<const uint8_t*>(embd.data) + s.tokens[i] * row_bytes;
      kernels::dequantize_row(embd.type, row, x_.data() + t * hp_.n_embd, hp_.n_embd);
      if (s.outputs == Outputs::kAll || s.outputs == Outputs::kHidden ||
          (s.outputs == Outputs::kLast && i + 1 == s.tokens.size())) {
        output_tokens_.push_back(t);
        output_has_logits_.push_back(s.outputs != Outputs::kHidden);
      }
    }
  }
}

void ForwardPass::attend(int64_t layer, size_t token, size_t kv_head, const KvCache& cache,
                         float* scores) {
  // The query heads of one KV head are contiguous in q: they share each K and V row.
  const size_t group = static_cast<size_t>(hp_.n_head / hp_.n_head_kv);
  const int64_t hd = hp_.head_dim;
  const SequenceStep& s = *token_seq_[token];
  const int64_t n_pos = token_pos_[token] + 1;  // causal: positions [0, pos]
  const int64_t bs = cache.shape().block_size;
  const size_t head0 = kv_head * group;
  const float* q = q_.data() + token * hp_.q_dim() + head0 * hd;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const size_t scores_stride = static_cast<size_t>(max_context_);
  // Block by block: a block's keys are slot-minor, its values rows of kv_dim.
  const size_t kvd = static_cast<size_t>(hp_.kv_dim());
  const auto n_slots = [&](int64_t p) { return static_cast<size_t>(std::min(bs, n_pos - p)); };
  for (int64_t p = 0; p < n_pos; p += bs) {
    const uint16_t* keys = cache.key_block(layer, s.block_table[p / bs]) + kv_head * hd * bs;
    kernels::dot_f16_columns({keys, static_cast<size_t>(bs), n_slots(p), static_cast<size_t>(hd)},
                             q, hd, group, scale, scores + p, scores_stride);
  }
  for (size_t g = 0; g < group; ++g) kernels::softmax(scores + g * scores_stride, n_pos);
  float* out = attn_.data() + token * hp_.q_dim() + head0 * hd;
  std::memset(out, 0, group * hd * sizeof(float));
  for (int64_t p = 0; p < n_pos; p += bs) {
    const uint16_t* values = cache.value(layer, s.block_table[p / bs], 0) + kv_head * hd;
    kernels::axpy_f16_rows({values, kvd, n_slots(p), static_cast<size_t>(hd)}, scores + p,
                           scores_stride, group, out, hd);
  }
}

void ForwardPass::attention_layer(int64_t layer, KvCache& cache) {
  const LayerWeights& w = model_.weights().layers[layer];
  const size_t n = token_pos_.size();
  const int64_t d = hp_.n_embd, qd = hp_.q_dim(), kvd = hp_.kv_dim();
  for (size_t t = 0; t < n; ++t) {
    kernels::rms_norm(x_.data() + t * d, w.attn_norm.data(), hp_.rms_eps, xn_.data() + t * d, d);
  }
  const kernels::MatmulTarget qkv[] = {{w.wq, q_.data()}, {w.wk, k_.data()}, {w.wv, v_.data()}};
  kernels::matmul_shared_input(qkv, xn_.data(), n, pool_, workspace_);
  const int64_t bs = cache.shape().block_size;
  for (size_t t = 0; t < n; ++t) {
    float* q = q_.data() + t * qd;
    float* k = k_.data() + t * kvd;
    float* v = v_.data() + t * kvd;
    if (!w.bq.empty()) {
      kernels::add(w.bq.data(), q, qd);
      kernels::add(w.bk.data(), k, kvd);
      kernels::add(w.bv.data(), v, kvd);
    }
    const int32_t pos = static_cast<int32_t>(token_pos_[t]);
    kernels::rope(q, hp_.n_head, hp_.head_dim, hp_.n_rot, pos, hp_.rope_freq_base,
                  hp_.rope_freq_scale, hp_.rope_mode);
    kernels::rope(k, hp_.n_head_kv, hp_.head_dim, hp_.n_rot, pos, hp_.rope_freq_base,
                  hp_.rope_freq_scale, hp_.rope_mode);
    const int32_t block = token_seq_[t]->block_table[pos / bs];
    cache.store_key(layer, block, pos % bs, k);
    kernels::to_f16(v, cache.value(layer, block, pos % bs), kvd);
  }
  const size_t n_kv_heads = static_cast<size_t>(hp_.n_head_kv);
  const size_t scratch = static_cast<size_t>(hp_.n_head / hp_.n_head_kv * max_context_);
  pool_.parallel_for(n * n_kv_heads, [&](size_t task, size_t thread) {
    attend(layer, task / n_kv_heads, task % n_kv_heads, cache, scores_.data() + thread * scratch);
  });
  if (observer_ != nullptr) {
    observer_->on_attention_heads(layer, {attn_.data(), n * static_cast<size_t>(qd)}, n);
  }
  kernels::matmul(w.wo, attn_.data(), n, proj_.data(), pool_, workspace_);
  kernels::add(proj_.data(), x_.data(), n * d);
}

void ForwardPass::ffn_layer(int64_t layer, size_t n) {
  const LayerWeights& w = model_.weights().layers[layer];
  const int64_t d = hp_.n_embd, ff = hp_.n_ff;
  for (size_t t = 0; t < n; ++t) {
    kernels::rms_norm(x_.data() + t * d, w.ffn_norm.data(), hp_.rms_eps, xn_.data() + t * d, d);
  }
  const kernels::MatmulTarget gate_up[] = {{w.w_gate, gate_.data()}, {w.w_up, up_.data()}};
  kernels::matmul_shared_input(gate_up, xn_.data(), n, pool_, workspace_);
  kernels::silu_mul(gate_.data(), up_.data(), gate_.data(), n * ff);
  if (observer_ != nullptr) {
    observer_->on_ffn_hidden(layer, {gate_.data(), n * static_cast<size_t>(ff)}, n);
  }
  kernels::matmul(w.w_down, gate_.data(), n, proj_.data(), pool_, workspace_);
  kernels::add(proj_.data(), x_.data(), n * d);
}

Result<std::span<const float>> ForwardPass::run(const Batch& batch, KvCache& cache) {
  LIFTOFF_RETURN_IF_ERROR(validate(batch, cache));
  embed(batch);
  const size_t n = token_pos_.size();
  for (int64_t l = 0; l < hp_.n_layer; ++l) {
    attention_layer(l, cache);
    ffn_layer(l, n);
  }
  const int64_t d = hp_.n_embd;
  n_outputs_ = output_tokens_.size();
  for (size_t o = 0; o < n_outputs_; ++o) {
    kernels::rms_norm(x_.data() + output_tokens_[o] * d, model_.weights().output_norm.data(),
                      hp_.rms_eps, out_hidden_.data() + o * d, d);
  }
  // Rows of kHidden sequences need no logits: when there are any, gather the others into xn_
  // (free by now) so the output matmul sees contiguous rows.
  const size_t n_logits =
      static_cast<size_t>(std::count(output_has_logits_.begin(), output_has_logits_.end(), 1));
  const float* logit_input = out_hidden_.data();
  if (n_logits != n_outputs_) {
    for (size_t o = 0, r = 0; o < n_outputs_; ++o) {
      if (!output_has_logits_[o]) continue;
      std::memcpy(xn_.data() + r++ * d, out_hidden_.data() + o * d, d * sizeof(float));
    }
    logit_input = xn_.data();
  }
  if (n_logits > 0) {
    // Grown on demand: sampling needs one row per sequence, only perplexity needs every row,
    // and a [max_tokens, n_vocab] buffer would cost ~100 MB for a 49k vocabulary.
    const size_t needed = n_logits * static_cast<size_t>(hp_.n_vocab);
    if (logits_.size() < needed) logits_.resize(needed);
    kernels::matmul(model_.weights().output, logit_input, n_logits, logits_.data(), pool_,
                    workspace_);
  }
  return std::span<const float>(logits_.data(), n_logits * static_cast<size_t>(hp_.n_vocab));
}

}  // namespace liftoff::model
