// The one place where errors become HTTP: a Status code (or a transport-level HttpError) picks
// the HTTP status, and the body is OpenAI's {"error": {"message", "type", "param", "code"}}.
#pragma once

#include <string_view>

#include "liftoff/base/status.h"
#include "liftoff/server/http/response.h"
#include "liftoff/server/openai/api_error.h"

namespace liftoff::server::openai {

// Seconds a client should wait before retrying a 503 (queue full, shutting down).
inline constexpr int kRetryAfterSeconds = 1;

unsigned http_status_for(StatusCode code);

// The error response; 503s carry Retry-After.
http::Response error_response(const ApiError& error);
inline http::Response error_response(const Status& status) {
  return error_response(ApiError{status, "", ""});
}
// Unknown route, wrong method (with Allow), body or header too large, malformed HTTP, draining.
http::Response render_http_error(const http::HttpError& error);

// The error object alone (streams send it as an SSE event after the header went out).
std::string error_body(const ApiError& error);

// 404 with code model_not_found, as OpenAI answers for a model it does not serve.
ApiError model_not_found(std::string_view model);

}  // namespace liftoff::server::openai
