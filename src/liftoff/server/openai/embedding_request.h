// EmbeddingRequest: a /v1/embeddings body, validated.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "liftoff/server/openai/api_error.h"
#include "liftoff/server/openai/prompt_input.h"

namespace liftoff::server::openai {

struct EmbeddingRequest {
  std::string model;                // "" when absent
  std::vector<PromptInput> inputs;  // one engine request each; data[i] answers inputs[i]
  bool base64 = false;              // encoding_format "base64": little-endian float32, base64
  std::string user;
};

// 400 for a missing/empty/malformed input (at most 2048 inputs, no empty strings), an
// encoding_format other than float/base64, and `dimensions` (not supported).
ApiResult<EmbeddingRequest> parse_embedding_request(const nlohmann::json& body, size_t n_vocab);

}  // namespace liftoff::server::openai
