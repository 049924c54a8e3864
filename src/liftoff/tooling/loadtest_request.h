// The JSON bodies `liftoff loadtest` sends: OpenAI /completions or /chat/completions requests
// with the options every common server honours. Building only; sending is loadtest_http.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "liftoff/tooling/loadtest_prompts.h"

namespace liftoff::tooling {

struct RequestShape {
  std::string model;
  int64_t max_tokens = 128;
  double temperature = 0;
  bool stream = false;     // adds stream_options.include_usage so the last chunk carries usage
  bool chat = false;       // /chat/completions with messages instead of /completions with prompt
  bool ignore_eos = true;  // vLLM and llama.cpp then generate exactly max_tokens tokens
};

// "/chat/completions" or "/completions" (appended to the URL's prefix).
std::string_view endpoint_suffix(bool chat);

// The request body. In chat mode a shared prompt prefix becomes the system message and the rest
// the user message, so a server's prefix cache sees the same leading tokens either way.
std::string build_request_body(const RequestShape& shape, const Prompt& prompt);

}  // namespace liftoff::tooling
