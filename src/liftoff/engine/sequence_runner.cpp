// SequenceRunner: chunked evaluation of one sequence over an identity block table.
#include "liftoff/engine/sequence_runner.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace liftoff::engine {
namespace {
constexpr int64_t kBlockSize = 16;
}

Result<SequenceRunner> SequenceRunner::create(const model::Model& model, base::ThreadPool& pool,
                                              int64_t n_ctx, int64_t n_batch) {
  if (n_ctx <= 0) return Status::invalid_argument("context size must be positive");
  if (n_batch <= 0) return Status::invalid_argument("batch size must be positive");
  SequenceRunner r;
  r.model_ = &model;
  r.n_ctx_ = n_ctx;
  r.n_batch_ = std::min(n_batch, n_ctx);
  const auto& hp = model.hparams();
  model::KvCacheShape shape{hp.n_layer, hp.kv_dim(), kBlockSize,
                            (n_ctx + kBlockSize - 1) / kBlockSize};
  LIFTOFF_ASSIGN_OR_RETURN(model::KvCache cache, model::KvCache::create(shape));
  r.cache_ = std::make_unique<model::KvCache>(std::move(cache));
  r.forward_ = std::make_unique<model::ForwardPass>(model, pool, r.n_batch_, n_ctx);
  r.block_table_.resize(static_cast<size_t>(shape.n_blocks));
  std::iota(r.block_table_.begin(), r.block_table_.end(), 0);
  return r;
}

Result<std::span<const float>> SequenceRunner::eval(std::span<const int32_t> tokens,
                                                    model::Outputs outputs) {
  if (tokens.empty()) return Status::invalid_argument("nothing to evaluate");
  if (n_past_ + static_cast<int64_t>(tokens.size()) > n_ctx_) {
    return Status::invalid_argument("sequence of " + std::to_string(n_past_ + tokens.size()) +
                                    " tokens exceeds the context size " + std::to_string(n_ctx_));
  }
  const size_t n_vocab = static_cast<size_t>(model_->hparams().n_vocab);
  if (outputs == model::Outputs::kAll) all_logits_.clear();
  std::span<const float> last;
  for (size_t start = 0; start < tokens.size(); start += static_cast<size_t>(n_batch_)) {
    const size_t n = std::min(tokens.size() - start, static_cast<size_t>(n_batch_));
    const bool final_chunk = start + n == tokens.size();
    model::Batch batch;
    batch.sequences.push_back(model::SequenceStep{
        tokens.subspan(start, n), n_past_, block_table_,
        outputs == model::Outputs::kAll ? model::Outputs::kAll
        : final_chunk                   ? outputs
                                        : model::Outputs::kNone});
    LIFTOFF_ASSIGN_OR_RETURN(last, forward_->run(batch, *cache_));
    n_past_ += static_cast<int64_t>(n);
    if (outputs == model::Outputs::kAll) all_logits_.insert(all_logits_.end(), last.begin(), last.end());
  }
  if (outputs == model::Outputs::kAll) return std::span<const float>(all_logits_);
  return last.first(outputs == model::Outputs::kNone ? 0 : n_vocab);
}

}  // namespace liftoff::engine
