// Reading OpenAI completion responses for the load generator: the chunks of a streamed response
// (what arrived when, token counts, usage, errors) and a whole non-streamed body. Interpretation
// only; SSE framing is loadtest_sse and the socket is loadtest_http.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "liftoff/tooling/loadtest_sse.h"

namespace liftoff::tooling {

enum class ResponseProblem {
  kNone,
  kServerError,  // the server said so: an "error" object or an error event
  kMalformed,    // not JSON, or JSON that is not a completion
};

struct CompletionUsage {
  int64_t prompt_tokens = -1;      // -1: not reported
  int64_t completion_tokens = -1;  // -1: not reported
};

// Consumes the events of one streamed /completions or /chat/completions response. The first
// problem is kept; later events still count so the record shows how far the stream got.
class StreamAccumulator {
 public:
  using Clock = std::chrono::steady_clock;
  explicit StreamAccumulator(bool chat) : chat_(chat) {}

  // `now`: when the bytes that completed this event arrived.
  void on_event(const SseEvent& event, Clock::time_point now);

  // When the first chunk with non-empty content arrived (a role-only first chat chunk does not
  // count).
  std::optional<Clock::time_point> first_content_time() const { return first_content_; }
  int64_t n_content_chunks() const { return n_content_chunks_; }
  const CompletionUsage& usage() const { return usage_; }
  bool saw_done() const { return saw_done_; }  // "data: [DONE]" arrived
  ResponseProblem problem() const { return problem_; }
  const std::string& problem_message() const { return problem_message_; }

 private:
  void set_problem(ResponseProblem problem, std::string message);

  bool chat_;
  std::optional<Clock::time_point> first_content_;
  int64_t n_content_chunks_ = 0;
  CompletionUsage usage_;
  bool saw_done_ = false;
  ResponseProblem problem_ = ResponseProblem::kNone;
  std::string problem_message_;
};

struct CompletionResult {
  ResponseProblem problem = ResponseProblem::kNone;
  std::string problem_message;
  CompletionUsage usage;
};

// A whole non-streamed response body with status 200.
CompletionResult parse_completion_body(std::string_view body);

// The message of an error response (OpenAI's {"error": {"message": ...}}, or {"error": "..."}),
// else the start of the body; at most 200 bytes either way.
std::string error_message_of(std::string_view body);

}  // namespace liftoff::tooling
