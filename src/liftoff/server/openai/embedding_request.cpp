// /v1/embeddings request fields.
#include "liftoff/server/openai/embedding_request.h"

#include <nlohmann/json.hpp>

#include "liftoff/server/openai/json_fields.h"

namespace liftoff::server::openai {
namespace {

constexpr size_t kMaxInputs = 2048;  // OpenAI's limit per request

}  // namespace

ApiResult<EmbeddingRequest> parse_embedding_request(const nlohmann::json& body, size_t n_vocab) {
  EmbeddingRequest req;
  if (const nlohmann::json* m = field(body, "model"); m != nullptr && !m->is_string()) {
    return invalid_field("model", "'model' must be a string, got " + json_type_name(*m));
  }
  LIFTOFF_TRY_FIELD(read_string(body, "model", &req.model));
  const nlohmann::json* input = field(body, "input");
  if (input == nullptr) return invalid_field("input", "'input' is required");
  auto inputs = read_prompt_inputs(*input, "input", PromptInputRules{n_vocab, kMaxInputs, false});
  if (!inputs.ok()) return inputs.error();
  req.inputs = std::move(inputs.value());

  std::string format = "float";
  LIFTOFF_TRY_FIELD(read_string(body, "encoding_format", &format));
  if (format != "float" && format != "base64") {
    return invalid_field("encoding_format",
                         "'encoding_format' must be 'float' or 'base64', got '" + format + "'");
  }
  req.base64 = format == "base64";
  if (field(body, "dimensions") != nullptr) {
    return invalid_field("dimensions",
                         "'dimensions' is not supported by this server (the "
                         "embedding has the model's width)");
  }
  LIFTOFF_TRY_FIELD(read_string(body, "user", &req.user));
  return req;
}

}  // namespace liftoff::server::openai
