// Logprobs as the two OpenAI generations of the API report them: chat's per-token objects with
// bytes, and the legacy completions' parallel arrays with text offsets.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>

#include "liftoff/engine/sampler.h"
#include "liftoff/server/openai/generation_format.h"

namespace liftoff::server::openai {

// Chat: {"content": [{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}]}, with
// top_logprobs cut to `top` entries.
nlohmann::ordered_json chat_logprobs(std::span<const engine::SampledToken> tokens, int32_t top,
                                     const TokenPiece& piece);

// Legacy completions: {tokens, token_logprobs, top_logprobs: [{piece: logprob}], text_offset}.
// top_logprobs holds the `top` most likely tokens plus the sampled one (so up to top + 1, as
// OpenAI documents). text_offset counts characters (code points) of the tokens' pieces from the
// start of the choice's text; one instance per choice carries it across stream chunks.
class LegacyLogprobs {
 public:
  nlohmann::ordered_json format(std::span<const engine::SampledToken> tokens, int32_t top,
                                const TokenPiece& piece);

 private:
  int64_t offset_ = 0;
};

}  // namespace liftoff::server::openai
