// Perplexity of a model on a text, computed the way llama.cpp's llama-perplexity does so the
// numbers are comparable: tokenize with BOS, cut into non-overlapping chunks of n_ctx tokens
// (remainder dropped), put BOS first in each chunk, score only the second half of each chunk.
// With a stride (llama.cpp has none) the method is Hugging Face's sliding window instead: windows
// of n_ctx tokens start every `stride` tokens, each scores only the tokens the previous window did
// not (so every token after the first is scored once, with up to n_ctx - stride tokens of
// context), no BOS is inserted mid-text, and the last, shorter window is kept.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/base/thread_pool.h"
#include "liftoff/model/model.h"
#include "liftoff/tokenizer/tokenizer.h"

namespace liftoff::tooling {

struct PerplexityOptions {
  int64_t n_ctx = 512;
  int64_t n_batch = 512;
  int64_t stride = 0;  // 0: llama.cpp's chunks; else sliding windows, in [1, n_ctx]
};

struct PerplexityResult {
  double ppl = 0.0;
  double ppl_stderr = 0.0;           // as llama.cpp prints it: ppl * stddev(nll) / sqrt(n - 1)
  int64_t n_chunks = 0;              // chunks, or windows with a stride
  int64_t n_scored = 0;              // tokens scored in total
  std::vector<double> chunk_running_ppl;  // after each chunk
};

// on_chunk (optional) is called after each chunk with its index and the running perplexity.
// kInvalidArgument if the text does not fill one chunk of n_ctx tokens (without a stride), has
// fewer than 2 tokens, or the stride is outside [0, n_ctx].
Result<PerplexityResult> perplexity(const model::Model& model, const tokenizer::Tokenizer& tok,
                                    const std::string& text, const PerplexityOptions& options,
                                    base::ThreadPool& pool,
                                    const std::function<void(int64_t, double)>& on_chunk = {});

}  // namespace liftoff::tooling
