// /v1/chat/completions request fields: messages and their content parts.
#include "liftoff/server/openai/chat_request.h"

#include <nlohmann/json.hpp>

#include "liftoff/server/openai/json_fields.h"

namespace liftoff::server::openai {
namespace {

ApiResult<std::string> read_content(const nlohmann::json& message, const std::string& param,
                                    const std::string& role) {
  const nlohmann::json* content = field(message, "content");
  if (content == nullptr) {
    // An assistant turn may come without content (OpenAI allows it next to tool calls).
    if (role == "assistant") return std::string();
    return invalid_field(param, "'" + param + "' is required");
  }
  if (content->is_string()) return content->get<std::string>();
  if (!content->is_array()) {
    return invalid_field(param, "'" + param + "' must be a string or an array of text parts, got " +
                                    json_type_name(*content));
  }
  // Text parts are joined with newlines, as vLLM does.
  std::string joined;
  for (size_t i = 0; i < content->size(); ++i) {
    const auto& part = (*content)[i];
    const std::string part_param = param + "[" + std::to_string(i) + "]";
    if (!part.is_object()) {
      return invalid_field(part_param,
                           "'" + part_param + "' must be an object, got " + json_type_name(part));
    }
    std::string type;
    if (auto e = read_string(part, "type", &type)) return *e;
    if (type != "text") {
      return invalid_field(part_param + ".type",
                           type.empty() ? "'" + part_param + ".type' is required"
                                        : "content parts of type '" + type +
                                              "' are not supported by this server (text only)");
    }
    const nlohmann::json* text = field(part, "text");
    if (text == nullptr || !text->is_string()) {
      return invalid_field(part_param + ".text", "'" + part_param + ".text' must be a string");
    }
    if (i > 0) joined += '\n';
    joined += text->get<std::string>();
  }
  return joined;
}

ApiResult<tokenizer::ChatMessage> read_message(const nlohmann::json& message, size_t index) {
  const std::string param = "messages[" + std::to_string(index) + "]";
  if (!message.is_object()) {
    return invalid_field(param,
                         "'" + param + "' must be an object, got " + json_type_name(message));
  }
  const nlohmann::json* role = field(message, "role");
  if (role == nullptr || !role->is_string()) {
    return invalid_field(param + ".role", "'" + param + ".role' must be a string");
  }
  tokenizer::ChatMessage out;
  out.role = role->get<std::string>();
  if (out.role == "tool" || out.role == "function") {
    return invalid_field(param + ".role",
                         "messages with role '" + out.role + "' are not supported by this server");
  }
  if (out.role == "developer") out.role = "system";  // OpenAI's newer name for system
  if (out.role != "system" && out.role != "user" && out.role != "assistant") {
    return invalid_field(param + ".role", "'" + param +
                                              ".role' must be one of system, developer, "
                                              "user, assistant; got '" +
                                              out.role + "'");
  }
  if (out.role == "assistant") {
    if (const nlohmann::json* calls = field(message, "tool_calls");
        calls != nullptr && !(calls->is_array() && calls->empty())) {
      return invalid_field(param + ".tool_calls", "tool calls are not supported by this server");
    }
  }
  auto content = read_content(message, param + ".content", out.role);
  if (!content.ok()) return content.error();
  out.content = std::move(content.value());
  return out;
}

}  // namespace

ApiResult<ChatRequest> parse_chat_request(const nlohmann::json& body, const ParseLimits& limits) {
  ChatRequest req;
  const nlohmann::json* messages = field(body, "messages");
  if (messages == nullptr) return invalid_field("messages", "'messages' is required");
  if (!messages->is_array()) {
    return invalid_field("messages",
                         "'messages' must be an array, got " + json_type_name(*messages));
  }
  if (messages->empty()) return invalid_field("messages", "'messages' must not be empty");
  for (size_t i = 0; i < messages->size(); ++i) {
    auto m = read_message((*messages)[i], i);
    if (!m.ok()) return m.error();
    req.messages.push_back(std::move(m.value()));
  }
  auto params = read_generation_params(body, Endpoint::kChatCompletions, limits);
  if (!params.ok()) return params.error();
  req.params = std::move(params.value());
  return req;
}

}  // namespace liftoff::server::openai
