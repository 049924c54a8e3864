// What the load generator keeps about one request: its timings, token counts and, if it failed,
// why. Plain data shared by the runner (which fills it) and the summary (which aggregates it).
#pragma once

#include <cstdint>
#include <string>

namespace liftoff::tooling {

enum class ErrorKind {
  kNone,
  kConnect,       // TCP connect failed
  kTimeout,       // no complete response within --timeout
  kDisconnected,  // connection closed or reset mid-response, or a stream ended without [DONE]
  kHttpStatus,    // a 4xx/5xx response (the status is in http_status)
  kMalformed,     // not HTTP, not JSON, or JSON without the fields a completion has
  kServerError,   // an error object or error event inside a 200 response
};

struct RequestRecord {
  ErrorKind error = ErrorKind::kNone;
  unsigned http_status = 0;       // 0 when no response header arrived
  std::string error_message;      // first 200 bytes of what the server or the system said
  double ttft_s = 0;              // to the first non-empty content chunk; = e2e_s when not streamed
  double e2e_s = 0;               // request written .. response complete (or failed)
  int64_t prompt_tokens = -1;     // from usage; -1 when the server reported none
  int64_t completion_tokens = 0;  // from usage, else the number of non-empty content chunks
  bool usage_reported = false;

  bool ok() const { return error == ErrorKind::kNone; }
};

// "connect", "timeout", "disconnected", "http_503", "malformed", "server_error"; "" when ok.
inline std::string error_key(const RequestRecord& r) {
  switch (r.error) {
    case ErrorKind::kNone:
      return "";
    case ErrorKind::kConnect:
      return "connect";
    case ErrorKind::kTimeout:
      return "timeout";
    case ErrorKind::kDisconnected:
      return "disconnected";
    case ErrorKind::kHttpStatus:
      return "http_" + std::to_string(r.http_status);
    case ErrorKind::kMalformed:
      return "malformed";
    case ErrorKind::kServerError:
      return "server_error";
  }
  return "unknown";
}

}  // namespace liftoff::tooling
