// ApiError: a request failure as the OpenAI API reports it. The Status code decides the HTTP
// status (in error_json.cpp, the one place that maps them); `param` names the offending field.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "liftoff/base/status.h"

namespace liftoff::server::openai {

struct ApiError {
  Status status;      // never OK
  std::string param;  // e.g. "messages[1].role"; "" -> null
  std::string code;   // OpenAI error code, e.g. "model_not_found"; "" -> null
};

inline ApiError invalid_field(std::string param, std::string message) {
  return ApiError{Status::invalid_argument(std::move(message)), std::move(param), ""};
}

// A parsed value or the error that explains why there is none.
template <typename T>
class ApiResult {
 public:
  ApiResult(T value) : data_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  ApiResult(ApiError error) : data_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return std::holds_alternative<T>(data_); }
  T& value() { return std::get<T>(data_); }
  const T& value() const { return std::get<T>(data_); }
  const ApiError& error() const { return std::get<ApiError>(data_); }

 private:
  std::variant<T, ApiError> data_;
};

// Field readers return this: nullopt when the field was fine (or absent).
using MaybeError = std::optional<ApiError>;

}  // namespace liftoff::server::openai

// Returns the error from the enclosing function if a field reader (a MaybeError) reports one.
#define LIFTOFF_TRY_FIELD(expr)                                           \
  do {                                                                    \
    if (auto liftoff_field_error_ = (expr)) return *liftoff_field_error_; \
  } while (0)
