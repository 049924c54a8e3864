// PromptInput: one prompt of /v1/completions or one input of /v1/embeddings, as text or as token
// ids. Both endpoints take a string, an array of strings, an array of token ids, or an array of
// token-id arrays.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "liftoff/server/openai/api_error.h"

namespace liftoff::server::openai {

struct PromptInput {
  bool is_tokens = false;
  std::string text;             // !is_tokens
  std::vector<int32_t> tokens;  // is_tokens: ids already checked against the vocabulary
};

struct PromptInputRules {
  size_t n_vocab = 0;
  size_t max_inputs = 2048;      // array length limit (OpenAI's for embeddings)
  bool allow_empty_text = true;  // embeddings reject "" as OpenAI does
};

// Reads `value` (the field named `param`). 400 for other types, mixed arrays, empty arrays,
// token ids outside [0, n_vocab), or more than max_inputs inputs.
ApiResult<std::vector<PromptInput>> read_prompt_inputs(const nlohmann::json& value,
                                                       const std::string& param,
                                                       const PromptInputRules& rules);

}  // namespace liftoff::server::openai
