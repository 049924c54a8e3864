// compare_models: how far model B's next-token distributions are from model A's on one text —
// KL(A || B) per scored token (mean, median, P99, max), top-1 agreement, and both perplexities.
// Chunking is perplexity()'s (llama.cpp's): n_ctx-token chunks, BOS first, second half scored,
// so ppl_a equals `liftoff perplexity` on A with the same n_ctx.
#pragma once

#include <cstdint>
#include <string>

#include "liftoff/base/status.h"
#include "liftoff/base/thread_pool.h"
#include "liftoff/model/model.h"
#include "liftoff/tokenizer/tokenizer.h"

namespace liftoff::tooling {

struct CompareOptions {
  int64_t n_ctx = 512;
  int64_t n_batch = 512;
};

struct CompareResult {
  int64_t n_chunks = 0;
  int64_t n_scored = 0;
  double kl_mean = 0, kl_median = 0, kl_p99 = 0, kl_max = 0;  // nats, KL(A || B)
  double top1_agreement = 0;  // fraction of scored positions where both argmaxes agree
  double ppl_a = 0, ppl_b = 0;
};

// kInvalidArgument unless both vocabularies have the same size and the same token texts.
Status check_same_vocab(const tokenizer::Tokenizer& a, const tokenizer::Tokenizer& b);

// `tok` tokenizes the text for both (check_same_vocab first). kInvalidArgument if the models'
// vocab sizes differ or the text does not fill one chunk.
Result<CompareResult> compare_models(const model::Model& a, const model::Model& b,
                                     const tokenizer::Tokenizer& tok, const std::string& text,
                                     const CompareOptions& options, base::ThreadPool& pool);

}  // namespace liftoff::tooling
