// ChatRequest: a /v1/chat/completions body, validated. Messages are plain role + text; the
// handler renders them with the model's chat template.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <vector>

#include "liftoff/server/openai/api_error.h"
#include "liftoff/server/openai/generation_params.h"
#include "liftoff/tokenizer/chat_template.h"

namespace liftoff::server::openai {

struct ChatRequest {
  GenerationParams params;
  std::vector<tokenizer::ChatMessage> messages;
};

// 400 for missing/empty messages, a message that is not an object, an unknown or unsupported
// role (tool, function), content that is neither a string nor an array of text parts, and any
// shared-field error. "developer" messages are passed to the template as "system".
ApiResult<ChatRequest> parse_chat_request(const nlohmann::json& body, const ParseLimits& limits);

}  // namespace liftoff::server::openai
