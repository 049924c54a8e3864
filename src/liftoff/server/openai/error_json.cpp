// Status / HttpError -> HTTP status + OpenAI error JSON. Nothing else in the server decides an
// error's HTTP status.
#include "liftoff/server/openai/error_json.h"

#include <nlohmann/json.hpp>
#include <string>

#include "liftoff/server/openai/json_body.h"

namespace liftoff::server::openai {
namespace {

const char* error_type_for(unsigned http_status) {
  switch (http_status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    default:
      return http_status >= 500 ? "server_error" : "invalid_request_error";
  }
}

http::Response make(unsigned status, std::string message, std::string param, std::string code) {
  nlohmann::ordered_json error = {
      {"message", std::move(message)},
      {"type", error_type_for(status)},
      {"param",
       param.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(std::move(param))},
      {"code",
       code.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(std::move(code))},
  };
  http::Response r;
  r.status = status;
  r.body = dump_json(nlohmann::ordered_json{{"error", std::move(error)}});
  if (status == 503) r.headers.emplace_back("Retry-After", std::to_string(kRetryAfterSeconds));
  return r;
}

}  // namespace

unsigned http_status_for(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    // The engine's queue is full (or a limit is reached): come back shortly.
    case StatusCode::kResourceExhausted:
      return 503;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kCorruptData:
      return 500;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

http::Response error_response(const ApiError& error) {
  std::string code = error.code;
  if (code.empty() && error.status.code() == StatusCode::kResourceExhausted) {
    code = "server_overloaded";
  }
  return make(http_status_for(error.status.code()), error.status.message(), error.param,
              std::move(code));
}

std::string error_body(const ApiError& error) { return error_response(error).body; }

http::Response render_http_error(const http::HttpError& error) {
  using K = http::HttpErrorKind;
  switch (error.kind) {
    case K::kRouteNotFound:
      return make(404, "no route for path '" + error.detail + "'", "", "not_found");
    case K::kMethodNotAllowed: {
      http::Response r = make(405, "path '" + error.detail + "' accepts only " + error.allow, "",
                              "method_not_allowed");
      r.headers.emplace_back("Allow", error.allow);
      return r;
    }
    case K::kBodyTooLarge:
      return make(413, "request body is larger than the limit of " + error.detail + " bytes", "",
                  "request_too_large");
    case K::kHeaderTooLarge:
      return make(431, "request header is larger than the limit of " + error.detail + " bytes", "",
                  "header_too_large");
    case K::kMalformed:
      return make(400, "malformed HTTP request: " + error.detail, "", "malformed_request");
    case K::kShuttingDown:
      return make(503, "the server is shutting down", "", "shutting_down");
    case K::kInternal:
      return make(500, "internal error while handling the request", "", "internal_error");
  }
  return make(500, "internal error", "", "");
}

ApiError model_not_found(std::string_view model) {
  return ApiError{Status::not_found("The model '" + std::string(model) + "' does not exist"),
                  "model", "model_not_found"};
}

}  // namespace liftoff::server::openai
