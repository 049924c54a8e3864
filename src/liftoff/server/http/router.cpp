// Router: segment-wise matching of request paths against the registered patterns.
#include "liftoff/server/http/router.h"

#include <algorithm>

#include "liftoff/base/status.h"

namespace liftoff::server::http {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t pos = 0;
  if (!path.empty() && path.front() == '/') pos = 1;
  while (pos <= path.size()) {
    const size_t next = std::min(path.find('/', pos), path.size());
    out.emplace_back(path.substr(pos, next - pos));
    pos = next + 1;
  }
  return out;
}

bool is_param(const std::string& segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// True if `segments` fits `pattern`; appends the parameter values to `params`.
bool fits(const std::vector<std::string>& pattern, const std::vector<std::string>& segments,
          std::vector<std::string>* params) {
  if (pattern.size() != segments.size()) return false;
  std::vector<std::string> values;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (is_param(pattern[i])) {
      if (segments[i].empty()) return false;
      values.push_back(segments[i]);
    } else if (pattern[i] != segments[i]) {
      return false;
    }
  }
  if (params != nullptr) *params = std::move(values);
  return true;
}

}  // namespace

std::string_view target_path(std::string_view target) {
  const size_t end = target.find_first_of("?#");
  return end == std::string_view::npos ? target : target.substr(0, end);
}

void Router::add(std::string_view method, std::string_view pattern, Handler handler) {
  auto segments = split_path(pattern);
  for (const Route& r : routes_) LIFTOFF_CHECK(!(r.method == method && r.segments == segments));
  routes_.push_back(Route{std::string(method), std::move(segments), std::move(handler)});
}

std::variant<RouteMatch, HttpError> Router::match(std::string_view method,
                                                  std::string_view target) const {
  const std::string_view path = target_path(target);
  const auto segments = split_path(path);
  std::string allow;
  for (const Route& r : routes_) {
    std::vector<std::string> params;
    if (!fits(r.segments, segments, &params)) continue;
    if (r.method == method) return RouteMatch{&r.handler, std::move(params)};
    if (allow.find(r.method) == std::string::npos) {
      if (!allow.empty()) allow += ", ";
      allow += r.method;
    }
  }
  if (!allow.empty()) {
    return HttpError{HttpErrorKind::kMethodNotAllowed, std::string(path), std::move(allow)};
  }
  return HttpError{HttpErrorKind::kRouteNotFound, std::string(path), ""};
}

}  // namespace liftoff::server::http
