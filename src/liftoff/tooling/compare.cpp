// KL divergence, top-1 agreement and perplexity of two models on the same chunks.
#include "liftoff/tooling/compare.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "liftoff/engine/sequence_runner.h"

namespace liftoff::tooling {
namespace {

// out[i] = log softmax(logits)[i], in double; returns the argmax (lowest id on ties).
int32_t log_softmax(const float* logits, size_t n, std::vector<double>& out) {
  out.resize(n);
  const float* max_it = std::max_element(logits, logits + n);
  const double max_logit = *max_it;
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(logits[i]) - max_logit);
  const double log_sum = std::log(sum);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<double>(logits[i]) - max_logit - log_sum;
  return static_cast<int32_t>(max_it - logits);
}

}  // namespace

Status check_same_vocab(const tokenizer::Tokenizer& a, const tokenizer::Tokenizer& b) {
  if (a.n_vocab() != b.n_vocab()) {
    return Status::invalid_argument(
        "the models have different vocabularies: " + std::to_string(a.n_vocab()) + " vs " +
        std::to_string(b.n_vocab()) + " tokens");
  }
  for (size_t i = 0; i < a.n_vocab(); ++i) {
    const auto id = static_cast<tokenizer::TokenId>(i);
    if (a.text(id) != b.text(id)) {
      return Status::invalid_argument("the models have different vocabularies: token " +
                                      std::to_string(i) + " is '" + a.text(id) + "' vs '" +
                                      b.text(id) + "'");
    }
  }
  return Status::ok();
}

Result<CompareResult> compare_models(const model::Model& a, const model::Model& b,
                                     const tokenizer::Tokenizer& tok, const std::string& text,
                                     const CompareOptions& options, base::ThreadPool& pool) {
  const int64_t n_ctx = options.n_ctx;
  if (n_ctx < 4) return Status::invalid_argument("compare context must be at least 4 tokens");
  if (a.hparams().n_vocab != b.hparams().n_vocab) {
    return Status::invalid_argument(
        "the models' output sizes differ: " + std::to_string(a.hparams().n_vocab) + " vs " +
        std::to_string(b.hparams().n_vocab));
  }
  const std::vector<int32_t> tokens = tok.encode(text, /*add_special=*/true, false);
  const int64_t n_chunks = static_cast<int64_t>(tokens.size()) / n_ctx;
  if (n_chunks == 0) {
    return Status::invalid_argument("the text has " + std::to_string(tokens.size()) +
                                    " tokens, fewer than one chunk of " + std::to_string(n_ctx) +
                                    " (use a longer text or a smaller --ctx)");
  }
  LIFTOFF_ASSIGN_OR_RETURN(auto runner_a,
                           engine::SequenceRunner::create(a, pool, n_ctx, options.n_batch));
  LIFTOFF_ASSIGN_OR_RETURN(auto runner_b,
                           engine::SequenceRunner::create(b, pool, n_ctx, options.n_batch));
  const size_t n_vocab = static_cast<size_t>(a.hparams().n_vocab);
  const int64_t first = n_ctx / 2;
  CompareResult r;
  r.n_chunks = n_chunks;
  std::vector<double> kls, lp_a, lp_b;
  double nll_a = 0, nll_b = 0;
  int64_t agree = 0;
  std::vector<int32_t> chunk(static_cast<size_t>(n_ctx));
  for (int64_t c = 0; c < n_chunks; ++c) {
    std::copy_n(tokens.begin() + c * n_ctx, n_ctx, chunk.begin());
    if (tok.add_bos() && tok.bos() >= 0) chunk[0] = tok.bos();
    runner_a.reset();
    runner_b.reset();
    // Each runner owns its logits, so A's rows stay valid while B runs.
    LIFTOFF_ASSIGN_OR_RETURN(auto la, runner_a.eval(chunk, model::Outputs::kAll));
    LIFTOFF_ASSIGN_OR_RETURN(auto lb, runner_b.eval(chunk, model::Outputs::kAll));
    for (int64_t j = first; j < n_ctx - 1; ++j) {
      const int32_t top_a = log_softmax(la.data() + j * n_vocab, n_vocab, lp_a);
      const int32_t top_b = log_softmax(lb.data() + j * n_vocab, n_vocab, lp_b);
      double kl = 0.0;
      for (size_t i = 0; i < n_vocab; ++i) kl += std::exp(lp_a[i]) * (lp_a[i] - lp_b[i]);
      kls.push_back(std::max(kl, 0.0));  // rounding can give -1e-17 for identical rows
      agree += top_a == top_b;
      nll_a -= lp_a[static_cast<size_t>(chunk[j + 1])];
      nll_b -= lp_b[static_cast<size_t>(chunk[j + 1])];
    }
  }
  r.n_scored = static_cast<int64_t>(kls.size());
  const double n = static_cast<double>(r.n_scored);
  for (double k : kls) r.kl_mean += k;
  r.kl_mean /= n;
  std::sort(kls.begin(), kls.end());
  r.kl_median = kls[kls.size() / 2];
  r.kl_p99 = kls[std::min(kls.size() - 1, static_cast<size_t>(std::ceil(0.99 * n)) - 1)];
  r.kl_max = kls.back();
  r.top1_agreement = static_cast<double>(agree) / n;
  r.ppl_a = std::exp(nll_a / n);
  r.ppl_b = std::exp(nll_b / n);
  return r;
}

}  // namespace liftoff::tooling
