// Pieces every generation response shares: usage and the chunk header.
#include "liftoff/server/openai/generation_format.h"

namespace liftoff::server::openai {

nlohmann::ordered_json finish_json(const std::optional<engine::FinishReason>& finish) {
  if (!finish) return nullptr;
  return std::string(engine::finish_reason_name(*finish));
}

nlohmann::ordered_json usage_json(const Usage& usage) {
  return {{"prompt_tokens", usage.prompt_tokens},
          {"completion_tokens", usage.completion_tokens},
          {"total_tokens", usage.prompt_tokens + usage.completion_tokens},
          {"prompt_tokens_details", {{"cached_tokens", usage.cached_tokens}}}};
}

nlohmann::ordered_json GenerationFormat::chunk_head(const char* object) const {
  nlohmann::ordered_json head = {{"id", options_.id},
                                 {"object", object},
                                 {"created", options_.created},
                                 {"model", options_.model}};
  if (options_.include_usage) head["usage"] = nullptr;
  return head;
}

nlohmann::ordered_json GenerationFormat::usage_chunk(const Usage& usage) const {
  nlohmann::ordered_json chunk = chunk_head(chunk_object());
  chunk["choices"] = nlohmann::ordered_json::array();
  chunk["usage"] = usage_json(usage);
  return chunk;
}

}  // namespace liftoff::server::openai
