// ForwardPass: runs a Llama-family model over one Batch (any mix of prefill chunks and decode
// steps from several sequences), writing K/V through each sequence's block table and returning
// the logits of the requested positions. Owns the activation buffers, sized once for the
// largest batch; one instance per engine loop (not thread-safe: it is the loop's state).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "liftoff/base/aligned_buffer.h"
#include "liftoff/base/status.h"
#include "liftoff/base/thread_pool.h"
#include "liftoff/kernels/workspace.h"
#include "liftoff/model/activation_observer.h"
#include "liftoff/model/batch.h"
#include "liftoff/model/kv_cache.h"
#include "liftoff/model/model.h"

namespace liftoff::model {

class ForwardPass {
 public:
  // max_batch_tokens: the most tokens one run() takes; max_context: the longest sequence
  // (positions) attention must cover.
  ForwardPass(const Model& model, base::ThreadPool& pool, int64_t max_batch_tokens,
              int64_t max_context);

  // Runs the batch. Returns logits [batch.n_outputs(), n_vocab] in batch order (sequence by
  // sequence, token order within; kHidden sequences contribute no rows). The span is valid until the next run(). kInvalidArgument if
  // the batch is too big, a token id is out of range, a position exceeds max_context, or a block
  // table does not cover the sequence.
  Result<std::span<const float>> run(const Batch& batch, KvCache& cache);

  // Final-norm hidden states of the last run(), for embeddings: one [n_embd] row per output
  // token (kLast, kAll and kHidden sequences alike), in batch order.
  std::span<const float> output_hidden() const;

  // Calls `observer` (not owned; nullptr = none) from run() on the caller's thread.
  void set_observer(ActivationObserver* observer) { observer_ = observer; }

  int64_t max_batch_tokens() const { return max_tokens_; }
  int64_t max_context() const { return max_context_; }

 private:
  Status validate(const Batch& batch, const KvCache& cache) const;
  void embed(const Batch& batch);
  void attention_layer(int64_t layer, KvCache& cache);
  void attend(int64_t layer, size_t token, size_t kv_head, const KvCache& cache, float* scores);
  void ffn_layer(int64_t layer, size_t n_tokens);

  const Model& model_;
  const HParams& hp_;
  base::ThreadPool& pool_;
  kernels::Workspace workspace_;
  int64_t max_tokens_;
  int64_t max_context_;
  ActivationObserver* observer_ = nullptr;

  // Per-token bookkeeping of the current batch.
  std::vector<const SequenceStep*> token_seq_;  // [n_tokens]
  std::vector<int64_t> token_pos_;              // [n_tokens]
  std::vector<size_t> output_tokens_;           // token indices whose hidden state is kept
  std::vector<uint8_t> output_has_logits_;      // [output]: 0 for rows of kHidden sequences

  base::AlignedBuffer<float> x_;       // [max_tokens, n_embd] residual stream
  base::AlignedBuffer<float> xn_;      // [max_tokens, n_embd] normalised input of a sub-layer
  base::AlignedBuffer<float> q_;       // [max_tokens, q_dim]
  base::AlignedBuffer<float> k_;       // [max_tokens, kv_dim]
  base::AlignedBuffer<float> v_;       // [max_tokens, kv_dim]
  base::AlignedBuffer<float> attn_;    // [max_tokens, q_dim] attention output before wo
  base::AlignedBuffer<float> proj_;    // [max_tokens, n_embd] wo / w_down output
  base::AlignedBuffer<float> gate_;    // [max_tokens, n_ff]
  base::AlignedBuffer<float> up_;      // [max_tokens, n_ff]
  base::AlignedBuffer<float> out_hidden_;  // [max_tokens, n_embd] final-norm rows of outputs
  base::AlignedBuffer<float> logits_;  // [n_outputs, n_vocab], grown on demand
  base::AlignedBuffer<float> scores_;  // [n_threads, heads per KV head, max_context] scratch
  size_t n_outputs_ = 0;
};

}  // namespace liftoff::model
