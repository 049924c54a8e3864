// The /v1/embeddings response: {object: "list", data: [{object: "embedding", index, embedding}],
// model, usage: {prompt_tokens, total_tokens}}.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

namespace liftoff::server::openai {

// `embeddings[i]` answers input i. With `base64`, each embedding is the base64 of its
// little-endian float32 bytes, as OpenAI encodes it.
nlohmann::ordered_json embedding_response(const std::vector<std::vector<float>>& embeddings,
                                          bool base64, const std::string& model,
                                          int64_t prompt_tokens);

// Standard base64 (RFC 4648, with padding) of the floats' little-endian bytes.
std::string base64_floats(std::span<const float> values);

}  // namespace liftoff::server::openai
