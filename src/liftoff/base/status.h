// Status and Result<T>: the one error type used at every boundary that can fail on input.
// Exceptions never cross a layer; a broken invariant (a bug) is LIFTOFF_CHECK, not a Status.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace liftoff {

enum class StatusCode {
  kOk,
  kInvalidArgument,
  kNotFound,
  kUnauthenticated,
  kPermissionDenied,
  kResourceExhausted,
  kUnavailable,
  kCorruptData,
  kInternal,
};

const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }
  static Status invalid_argument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status unauthenticated(std::string m) { return {StatusCode::kUnauthenticated, std::move(m)}; }
  static Status permission_denied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status resource_exhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status corrupt_data(std::string m) { return {StatusCode::kCorruptData, std::move(m)}; }
  static Status internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "corrupt data: GGUF tensor 'x' ..." — for logs and CLI error lines.
  std::string to_string() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status explaining why there is none. Accessing value() of an error is a bug.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(data_).is_ok()) {
      data_ = Status::internal("Result constructed from an OK status without a value");
    }
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  Status status() const { return ok() ? Status::ok() : std::get<Status>(data_); }

  T& value() & { return checked(); }
  const T& value() const& { return const_cast<Result*>(this)->checked(); }
  T&& value() && { return std::move(checked()); }
  T& operator*() & { return checked(); }
  const T& operator*() const& { return const_cast<Result*>(this)->checked(); }
  T* operator->() { return &checked(); }
  const T* operator->() const { return &const_cast<Result*>(this)->checked(); }

 private:
  T& checked() {
    if (!ok()) {
      std::fprintf(stderr, "liftoff: value() of an error Result: %s\n",
                   std::get<Status>(data_).to_string().c_str());
      std::abort();
    }
    return std::get<T>(data_);
  }
  std::variant<T, Status> data_;
};

namespace detail {
[[noreturn]] void check_failed(const char* expr, const char* file, int line);
}  // namespace detail

}  // namespace liftoff

#define LIFTOFF_CONCAT_INNER(a, b) a##b
#define LIFTOFF_CONCAT(a, b) LIFTOFF_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function if `expr` is not OK.
#define LIFTOFF_RETURN_IF_ERROR(expr)                 \
  do {                                                \
    ::liftoff::Status liftoff_status_ = (expr);       \
    if (!liftoff_status_.is_ok()) return liftoff_status_; \
  } while (0)

// `LIFTOFF_ASSIGN_OR_RETURN(auto x, f());` declares x from a Result or returns its Status.
#define LIFTOFF_ASSIGN_OR_RETURN(lhs, expr) \
  LIFTOFF_ASSIGN_OR_RETURN_IMPL(LIFTOFF_CONCAT(liftoff_result_, __LINE__), lhs, expr)
#define LIFTOFF_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

// For broken invariants only (programming errors): logs and aborts. Never for user input.
#define LIFTOFF_CHECK(cond) \
  ((cond) ? (void)0 : ::liftoff::detail::check_failed(#cond, __FILE__, __LINE__))
