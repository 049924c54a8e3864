// Response and HttpError: what a handler hands the HTTP session to write, and the transport-level
// failures (unknown route, body too large, malformed request) the session reports. How an error
// looks on the wire (OpenAI error JSON) is decided in server/openai/error_json.cpp, not here.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace liftoff::server::http {

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra: Retry-After, Allow, ...
  bool close = false;  // close the connection after this response
};

enum class HttpErrorKind {
  kRouteNotFound,     // no route has this path
  kMethodNotAllowed,  // the path exists, the method does not (`allow` lists the methods)
  kBodyTooLarge,      // Content-Length or the chunked body passed the body limit
  kHeaderTooLarge,    // the request line + headers passed the header limit
  kMalformed,         // not parseable as HTTP/1.x
  kShuttingDown,      // a request arrived while the server drains
  kInternal,          // a handler failed unexpectedly (an exception from third-party code)
};

struct HttpError {
  HttpErrorKind kind = HttpErrorKind::kMalformed;
  std::string detail;  // for the message: the path, the limit, the parser's complaint
  std::string allow;   // kMethodNotAllowed: "GET" or "GET, POST"
};

// Turns a transport-level error into the response to send (installed by the server).
using ErrorRenderer = std::function<Response(const HttpError&)>;

}  // namespace liftoff::server::http
