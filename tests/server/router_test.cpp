// Router: literal and parameter segments, 404 vs 405 with the allowed methods, query strings.
#include "liftoff/server/http/router.h"

#include <gtest/gtest.h>

namespace liftoff::server::http {
namespace {

Router make_router(std::string* hit) {
  Router r;
  auto mark = [hit](std::string name) { return [hit, name](const Exchange&) { *hit = name; }; };
  r.add("GET", "/v1/models", mark("list"));
  r.add("GET", "/v1/models/{id}", mark("get"));
  r.add("POST", "/v1/completions", mark("completions"));
  r.add("GET", "/health", mark("health"));
  r.add("POST", "/health", mark("health-post"));
  return r;
}

TEST(Router, MatchesLiteralPaths) {
  std::string hit;
  Router r = make_router(&hit);
  auto m = r.match("POST", "/v1/completions");
  ASSERT_TRUE(std::holds_alternative<RouteMatch>(m));
  EXPECT_TRUE(std::get<RouteMatch>(m).params.empty());
  EXPECT_NE(std::get<RouteMatch>(m).handler, nullptr);
}

TEST(Router, CapturesParameterSegments) {
  std::string hit;
  Router r = make_router(&hit);
  auto m = r.match("GET", "/v1/models/stories260K");
  ASSERT_TRUE(std::holds_alternative<RouteMatch>(m));
  EXPECT_EQ(std::get<RouteMatch>(m).params, std::vector<std::string>{"stories260K"});
  // An empty parameter segment is not a match for the parameter route.
  auto empty = r.match("GET", "/v1/models/");
  ASSERT_TRUE(std::holds_alternative<HttpError>(empty));
  EXPECT_EQ(std::get<HttpError>(empty).kind, HttpErrorKind::kRouteNotFound);
}

TEST(Router, IgnoresQueryString) {
  std::string hit;
  Router r = make_router(&hit);
  EXPECT_TRUE(std::holds_alternative<RouteMatch>(r.match("GET", "/health?verbose=1")));
  EXPECT_EQ(target_path("/a/b?x=1#frag"), "/a/b");
  EXPECT_EQ(target_path("/a"), "/a");
}

TEST(Router, UnknownPathIs404) {
  std::string hit;
  Router r = make_router(&hit);
  for (const char* path : {"/", "/v1", "/v1/chat", "/v1/models/a/b", "/healthz", "", "*"}) {
    auto m = r.match("GET", path);
    ASSERT_TRUE(std::holds_alternative<HttpError>(m)) << path;
    EXPECT_EQ(std::get<HttpError>(m).kind, HttpErrorKind::kRouteNotFound) << path;
  }
}

TEST(Router, WrongMethodIs405WithAllow) {
  std::string hit;
  Router r = make_router(&hit);
  auto m = r.match("GET", "/v1/completions");
  ASSERT_TRUE(std::holds_alternative<HttpError>(m));
  EXPECT_EQ(std::get<HttpError>(m).kind, HttpErrorKind::kMethodNotAllowed);
  EXPECT_EQ(std::get<HttpError>(m).allow, "POST");
  auto both = r.match("DELETE", "/health");
  ASSERT_TRUE(std::holds_alternative<HttpError>(both));
  EXPECT_EQ(std::get<HttpError>(both).allow, "GET, POST");
}

TEST(Router, EachRouteHasItsOwnHandler) {
  std::string hit;
  Router r = make_router(&hit);
  auto get = std::get<RouteMatch>(r.match("GET", "/health"));
  auto post = std::get<RouteMatch>(r.match("POST", "/health"));
  auto list = std::get<RouteMatch>(r.match("GET", "/v1/models"));
  EXPECT_NE(get.handler, post.handler);
  EXPECT_NE(get.handler, list.handler);
}

}  // namespace
}  // namespace liftoff::server::http
