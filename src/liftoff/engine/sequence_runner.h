// SequenceRunner: runs one sequence through the model with a private, contiguous KV cache — the
// engine for single-stream work (`liftoff run`, `bench`, `perplexity`). Prompts are evaluated in
// chunks of n_batch tokens. The serving engine loop batches many sequences instead.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/base/thread_pool.h"
#include "liftoff/model/batch.h"
#include "liftoff/model/forward_pass.h"
#include "liftoff/model/kv_cache.h"
#include "liftoff/model/model.h"

namespace liftoff::engine {

class SequenceRunner {
 public:
  // n_ctx: the most positions the sequence may reach (<= the model's training context is not
  // enforced here; callers decide). n_batch: tokens per forward pass when evaluating a prompt.
  static Result<SequenceRunner> create(const model::Model& model, base::ThreadPool& pool,
                                       int64_t n_ctx, int64_t n_batch);

  SequenceRunner(SequenceRunner&&) noexcept = default;

  // Forgets everything evaluated so far (the cache is simply overwritten).
  void reset() { n_past_ = 0; }

  // Appends `tokens` at the current position. With kLast, returns the logits after the last
  // token ([n_vocab]); with kAll, the logits after each token ([tokens.size(), n_vocab]).
  // kInvalidArgument if the sequence would exceed n_ctx (nothing is evaluated then).
  Result<std::span<const float>> eval(std::span<const int32_t> tokens,
                                      model::Outputs outputs = model::Outputs::kLast);

  // Forwards to ForwardPass::set_observer (statistics for tooling; not owned).
  void set_observer(model::ActivationObserver* observer) { forward_->set_observer(observer); }

  int64_t n_past() const { return n_past_; }
  int64_t n_ctx() const { return n_ctx_; }
  size_t kv_bytes() const { return cache_->bytes(); }

 private:
  SequenceRunner() = default;
  const model::Model* model_ = nullptr;
  std::unique_ptr<model::KvCache> cache_;
  std::unique_ptr<model::ForwardPass> forward_;
  std::vector<int32_t> block_table_;  // identity: the sequence owns every block in order
  std::vector<float> all_logits_;     // accumulated kAll output across chunks
  int64_t n_ctx_ = 0;
  int64_t n_batch_ = 0;
  int64_t n_past_ = 0;
};

}  // namespace liftoff::engine
