// Router: maps (method, path) to a handler. Paths are literal segments or one `{name}` segment
// that matches any non-empty segment ("/v1/models/{id}"). A path that exists with another method
// is a 405 (with the allowed methods), a path that does not exist a 404.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "liftoff/server/http/exchange.h"
#include "liftoff/server/http/response.h"

namespace liftoff::server::http {

using Handler = std::function<void(Exchange)>;

struct RouteMatch {
  const Handler* handler = nullptr;  // owned by the router
  std::vector<std::string> params;   // values of the `{name}` segments, in order
};

class Router {
 public:
  // Registers `handler` for `method` ("GET", "POST", ...) on `pattern`. Registering the same
  // (method, pattern) twice is a programming error.
  void add(std::string_view method, std::string_view pattern, Handler handler);

  // `target` is the request target; a query string ("?...") is ignored. Returns the match, or
  // the HttpError (kRouteNotFound / kMethodNotAllowed with `allow` filled) to send instead.
  std::variant<RouteMatch, HttpError> match(std::string_view method, std::string_view target) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{...}" marks a parameter
    Handler handler;
  };
  std::vector<Route> routes_;
};

// The path of a request target without its query string or fragment.
std::string_view target_path(std::string_view target);

}  // namespace liftoff::server::http
