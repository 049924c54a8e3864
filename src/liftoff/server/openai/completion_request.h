// CompletionRequest: a /v1/completions body, validated. Tokenizing the prompts is the handler's
// job (it owns the tokenizer); this is JSON in, plain structs out.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <vector>

#include "liftoff/server/openai/api_error.h"
#include "liftoff/server/openai/generation_params.h"
#include "liftoff/server/openai/prompt_input.h"

namespace liftoff::server::openai {

struct CompletionRequest {
  GenerationParams params;
  std::vector<PromptInput> prompts;  // choices are indexed prompt_index * n + j
};

// 400 for a missing or malformed prompt, any shared-field error, and what we do not support:
// best_of other than n, echo = true, a non-empty suffix.
ApiResult<CompletionRequest> parse_completion_request(const nlohmann::json& body,
                                                      const ParseLimits& limits);

}  // namespace liftoff::server::openai
