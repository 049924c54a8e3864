// Request bodies for the load generator.
#include "liftoff/tooling/loadtest_request.h"

#include <nlohmann/json.hpp>

namespace liftoff::tooling {

std::string_view endpoint_suffix(bool chat) { return chat ? "/chat/completions" : "/completions"; }

std::string build_request_body(const RequestShape& shape, const Prompt& prompt) {
  nlohmann::json body = {{"model", shape.model},
                         {"max_tokens", shape.max_tokens},
                         {"temperature", shape.temperature},
                         {"stream", shape.stream}};
  if (shape.chat) {
    nlohmann::json messages = nlohmann::json::array();
    if (!prompt.shared.empty())
      messages.push_back({{"role", "system"}, {"content", prompt.shared}});
    messages.push_back({{"role", "user"}, {"content", prompt.unique}});
    body["messages"] = std::move(messages);
  } else {
    body["prompt"] = prompt.text();
  }
  if (shape.ignore_eos) body["ignore_eos"] = true;
  if (shape.stream) body["stream_options"] = {{"include_usage", true}};
  // replace: a prompt decoded from random tokens may hold invalid UTF-8, and dump() must not throw.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace liftoff::tooling
