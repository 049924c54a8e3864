// Sampler: turns one position's logits into a token, per request, reproducibly from a seed.
// Logprobs are reported from the model's raw distribution (log-softmax of the unmodified logits),
// as OpenAI, vLLM and llama.cpp's server (post_sampling_probs=false) do.
//
// Chain, in llama.cpp's default order (common/common.h `samplers`, with logit_bias first as
// common/sampling.cpp adds it before the chain; DRY, top-n-sigma, typical and XTC are not offered):
//   logit_bias -> penalties (repetition, frequency, presence)
//   temperature == 0: argmax (ties -> lowest id); no random draw
//   otherwise: top_k -> top_p -> min_p -> temperature -> softmax -> one seeded draw
// top_p and min_p therefore see temperature-1 probabilities of the biased, penalised logits
// (top_p relative to the top_k survivors); vLLM applies temperature before top_k/top_p instead.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include "liftoff/base/status.h"

namespace liftoff::engine {

struct SamplingParams {
  float temperature = 0.8f;         // 0 = greedy (argmax; ties -> lowest id)
  int32_t top_k = 40;               // <= 0: off
  float top_p = 0.95f;              // 1: off
  float min_p = 0.05f;              // 0: off; keep p >= min_p * p_max
  float repetition_penalty = 1.0f;  // llama.cpp/CTRL style on the last penalty_last_n tokens
  float frequency_penalty = 0.0f;   // OpenAI: logit -= count * frequency_penalty
  float presence_penalty = 0.0f;    // OpenAI: logit -= (count > 0) * presence_penalty
  int32_t penalty_last_n = 64;      // window for the penalties; -1 = whole history, 0 = off
  std::vector<std::pair<int32_t, float>> logit_bias;  // added to the logit (-100 bans)
  uint64_t seed = 0;
  int32_t n_top_logprobs = 0;       // how many alternatives to report (0..20)

  // kInvalidArgument naming the field and range for out-of-range values.
  Status validate(size_t n_vocab) const;
};

struct TokenLogprob {
  int32_t token = 0;
  float logprob = 0.0f;
};

struct SampledToken {
  int32_t token = 0;
  float logprob = 0.0f;             // of `token` under the raw distribution
  std::vector<TokenLogprob> top;    // n_top_logprobs most likely, descending
};

class Sampler {
 public:
  Sampler(SamplingParams params, size_t n_vocab);

  // Samples from `logits` ([n_vocab], scratch: may be modified). `history` is the sequence so far
  // (prompt + generated) for the penalties. Same seed + same calls -> same tokens.
  SampledToken sample(std::span<float> logits, std::span<const int32_t> history);

  const SamplingParams& params() const { return params_; }

 private:
  SamplingParams params_;
  size_t n_vocab_;
  std::mt19937_64 rng_;
  std::vector<std::pair<float, int32_t>> candidates_;  // scratch (logit, id), reused per call
  std::vector<float> weights_;                         // scratch [n_vocab], whole-vocab draws
  std::vector<int32_t> window_;                        // scratch: sorted penalty window
  std::vector<std::pair<int32_t, float>> saved_;       // (id, raw logit) before bias/penalties
};

}  // namespace liftoff::engine
