// GenerationParams: the request fields /v1/completions and /v1/chat/completions share (sampling,
// length, stop, n, streaming, user), read with OpenAI's defaults. SamplingParams' own defaults
// are llama.cpp CLI defaults (temperature 0.8, top_k 40, ...) and never reach the API.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "liftoff/engine/sampler.h"
#include "liftoff/server/openai/api_error.h"

namespace liftoff::server::openai {

// What a request is checked against besides fixed ranges.
struct ParseLimits {
  size_t n_vocab = 0;  // token ids in prompts and logit_bias must be below this
  int32_t max_n = 16;  // largest `n`
};

// Penalties (frequency, presence, repetition) look at this many most recent tokens of the
// sequence, as llama.cpp's server does by default.
inline constexpr int32_t kPenaltyWindow = 64;
inline constexpr size_t kMaxStopStrings = 16;

struct GenerationParams {
  std::string model;                // "" when absent
  engine::SamplingParams sampling;  // seed filled from `seed` or by the handler
  std::optional<int64_t> seed;      // absent: the handler draws one
  int64_t max_tokens = -1;          // -1: until the context is full
  std::vector<std::string> stop;    // non-empty strings
  bool ignore_eos = false;
  int32_t n = 1;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  std::string user;
  bool logprobs = false;     // report each sampled token's logprob
  int32_t top_logprobs = 0;  // and this many alternatives (= sampling.n_top_logprobs)
};

enum class Endpoint { kCompletions, kChatCompletions };

// Reads every shared field of `body` (a JSON object), plus the endpoint's logprobs fields
// (chat: logprobs bool + top_logprobs 0..20; completions: logprobs 0..5) and length field (chat
// also takes max_completion_tokens, which wins over max_tokens). Rejects what we do not support
// (tools, functions, response_format other than text) with a 400 naming the field.
ApiResult<GenerationParams> read_generation_params(const nlohmann::json& body, Endpoint endpoint,
                                                   const ParseLimits& limits);

}  // namespace liftoff::server::openai
