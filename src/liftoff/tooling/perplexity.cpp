// Chunked perplexity (llama.cpp's method, see the header).
#include "liftoff/tooling/perplexity.h"

#include <algorithm>
#include <cmath>

#include "liftoff/engine/sequence_runner.h"

namespace liftoff::tooling {
namespace {

// -log p(target) under softmax(logits), in double for a stable sum over thousands of tokens.
double negative_log_likelihood(const float* logits, size_t n_vocab, int32_t target) {
  float max_logit = *std::max_element(logits, logits + n_vocab);
  double sum = 0.0;
  for (size_t i = 0; i < n_vocab; ++i) sum += std::exp(static_cast<double>(logits[i] - max_logit));
  return -(static_cast<double>(logits[target] - max_logit) - std::log(sum));
}

// Accumulates NLLs into the result's statistics.
class NllSum {
 public:
  void add(double v) {
    sum_ += v;
    sum2_ += v * v;
    ++n_;
  }
  double running_ppl() const { return std::exp(sum_ / static_cast<double>(n_)); }
  void finish(PerplexityResult& r) const {
    r.n_scored = n_;
    const double mean = sum_ / static_cast<double>(n_);
    r.ppl = std::exp(mean);
    const double var = sum2_ / static_cast<double>(n_) - mean * mean;
    if (var > 0 && n_ > 1) r.ppl_stderr = std::sqrt(var / static_cast<double>(n_ - 1)) * r.ppl;
  }

 private:
  double sum_ = 0.0, sum2_ = 0.0;
  int64_t n_ = 0;
};

// Sliding windows (see the header): window [begin, end) scores targets t in
// [max(prev_end, begin + 1), end), each predicted by logits row t - begin - 1.
Result<PerplexityResult> strided_perplexity(const model::Model& model,
                                            const std::vector<int32_t>& tokens,
                                            const PerplexityOptions& options,
                                            base::ThreadPool& pool,
                                            const std::function<void(int64_t, double)>& on_chunk) {
  const int64_t n_ctx = options.n_ctx, stride = options.stride, n = std::ssize(tokens);
  if (stride < 1 || stride > n_ctx) {
    return Status::invalid_argument("perplexity stride " + std::to_string(stride) +
                                    " must be in [1, ctx = " + std::to_string(n_ctx) + "]");
  }
  if (n < 2) return Status::invalid_argument("the text has fewer than 2 tokens");
  LIFTOFF_ASSIGN_OR_RETURN(auto runner,
                           engine::SequenceRunner::create(model, pool, n_ctx, options.n_batch));
  const size_t n_vocab = static_cast<size_t>(model.hparams().n_vocab);
  PerplexityResult result;
  NllSum nll;
  int64_t prev_end = 0;
  for (int64_t begin = 0; prev_end < n; begin += stride) {
    const int64_t end = std::min(begin + n_ctx, n);
    runner.reset();
    const auto window = std::span(tokens).subspan(begin, end - begin);
    LIFTOFF_ASSIGN_OR_RETURN(auto logits, runner.eval(window, model::Outputs::kAll));
    for (int64_t t = std::max(prev_end, begin + 1); t < end; ++t) {
      const float* row = logits.data() + (t - begin - 1) * n_vocab;
      nll.add(negative_log_likelihood(row, n_vocab, tokens[t]));
    }
    prev_end = end;
    result.chunk_running_ppl.push_back(nll.running_ppl());
    if (on_chunk) on_chunk(result.n_chunks, result.chunk_running_ppl.back());
    ++result.n_chunks;
  }
  nll.finish(result);
  return result;
}

}  // namespace

Result<PerplexityResult> perplexity(const model::Model& model, const tokenizer::Tokenizer& tok,
                                    const std::string& text, const PerplexityOptions& options,
                                    base::ThreadPool& pool,
                                    const std::function<void(int64_t, double)>& on_chunk) {
  const int64_t n_ctx = options.n_ctx;
  if (n_ctx < 4) return Status::invalid_argument("perplexity context must be at least 4 tokens");
  std::vector<int32_t> tokens = tok.encode(text, /*add_special=*/true, /*parse_special=*/false);
  if (options.stride != 0) return strided_perplexity(model, tokens, options, pool, on_chunk);
  const int64_t n_chunks = static_cast<int64_t>(tokens.size()) / n_ctx;
  if (n_chunks == 0) {
    return Status::invalid_argument("the text has " + std::to_string(tokens.size()) +
                                    " tokens, fewer than one chunk of " + std::to_string(n_ctx) +
                                    " (use a longer text or a smaller --ctx)");
  }
  LIFTOFF_ASSIGN_OR_RETURN(auto runner,
                           engine::SequenceRunner::create(model, pool, n_ctx, options.n_batch));
  const size_t n_vocab = static_cast<size_t>(model.hparams().n_vocab);
  const int64_t first = n_ctx / 2;
  PerplexityResult result;
  result.n_chunks = n_chunks;
  double nll = 0.0, nll2 = 0.0;
  std::vector<int32_t> chunk(static_cast<size_t>(n_ctx));
  for (int64_t c = 0; c < n_chunks; ++c) {
    std::copy_n(tokens.begin() + c * n_ctx, n_ctx, chunk.begin());
    if (tok.add_bos() && tok.bos() >= 0) chunk[0] = tok.bos();
    runner.reset();
    LIFTOFF_ASSIGN_OR_RETURN(auto logits, runner.eval(chunk, model::Outputs::kAll));
    // Position j's logits predict token j + 1; score j in [first, n_ctx - 1).
    for (int64_t j = first; j < n_ctx - 1; ++j) {
      const double v = negative_log_likelihood(logits.data() + j * n_vocab, n_vocab, chunk[j + 1]);
      nll += v;
      nll2 += v * v;
      ++result.n_scored;
    }
    result.chunk_running_ppl.push_back(std::exp(nll / static_cast<double>(result.n_scored)));
    if (on_chunk) on_chunk(c, result.chunk_running_ppl.back());
  }
  const double mean = nll / static_cast<double>(result.n_scored);
  result.ppl = std::exp(mean);
  const double var = nll2 / static_cast<double>(result.n_scored) - mean * mean;
  if (var > 0 && result.n_scored > 1) {
    result.ppl_stderr = std::sqrt(var / static_cast<double>(result.n_scored - 1)) * result.ppl;
  }
  return result;
}

}  // namespace liftoff::tooling
