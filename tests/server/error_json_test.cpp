// error_json: every Status code and transport error maps to one HTTP status and OpenAI's error
// object.
#include "liftoff/server/openai/error_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace liftoff::server::openai {
namespace {

std::string header(const http::Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

TEST(ErrorJson, StatusCodesMapToHttpStatuses) {
  EXPECT_EQ(http_status_for(StatusCode::kInvalidArgument), 400u);
  EXPECT_EQ(http_status_for(StatusCode::kNotFound), 404u);
  EXPECT_EQ(http_status_for(StatusCode::kUnauthenticated), 401u);
  EXPECT_EQ(http_status_for(StatusCode::kPermissionDenied), 403u);
  EXPECT_EQ(http_status_for(StatusCode::kResourceExhausted), 503u);
  EXPECT_EQ(http_status_for(StatusCode::kUnavailable), 503u);
  EXPECT_EQ(http_status_for(StatusCode::kCorruptData), 500u);
  EXPECT_EQ(http_status_for(StatusCode::kInternal), 500u);
}

TEST(ErrorJson, BodyHasOpenAiShape) {
  auto r = error_response(invalid_field("temperature", "'temperature' must be between 0 and 2"));
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.content_type, "application/json");
  auto j = nlohmann::json::parse(r.body);
  ASSERT_TRUE(j.contains("error"));
  EXPECT_EQ(j["error"]["message"], "'temperature' must be between 0 and 2");
  EXPECT_EQ(j["error"]["type"], "invalid_request_error");
  EXPECT_EQ(j["error"]["param"], "temperature");
  EXPECT_TRUE(j["error"]["code"].is_null());
}

TEST(ErrorJson, NullParamAndCodeWhenUnset) {
  auto j = nlohmann::json::parse(error_response(Status::internal("boom")).body);
  EXPECT_TRUE(j["error"]["param"].is_null());
  EXPECT_TRUE(j["error"]["code"].is_null());
  EXPECT_EQ(j["error"]["type"], "server_error");
}

TEST(ErrorJson, QueueFullIs503WithRetryAfter) {
  auto r = error_response(Status::resource_exhausted("queue full"));
  EXPECT_EQ(r.status, 503u);
  EXPECT_EQ(header(r, "Retry-After"), "1");
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["code"], "server_overloaded");
}

TEST(ErrorJson, ModelNotFound) {
  auto r = error_response(model_not_found("gpt-4"));
  EXPECT_EQ(r.status, 404u);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["error"]["code"], "model_not_found");
  EXPECT_EQ(j["error"]["type"], "invalid_request_error");
  EXPECT_NE(j["error"]["message"].get<std::string>().find("gpt-4"), std::string::npos);
}

TEST(ErrorJson, TransportErrors) {
  using K = http::HttpErrorKind;
  struct Case {
    K kind;
    unsigned status;
    const char* code;
  };
  for (const Case& c :
       {Case{K::kRouteNotFound, 404, "not_found"},
        Case{K::kMethodNotAllowed, 405, "method_not_allowed"},
        Case{K::kBodyTooLarge, 413, "request_too_large"},
        Case{K::kHeaderTooLarge, 431, "header_too_large"},
        Case{K::kMalformed, 400, "malformed_request"}, Case{K::kShuttingDown, 503, "shutting_down"},
        Case{K::kInternal, 500, "internal_error"}}) {
    auto r = render_http_error({c.kind, "detail", "GET, POST"});
    EXPECT_EQ(r.status, c.status) << c.code;
    auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["error"]["code"], c.code);
    EXPECT_TRUE(j["error"]["message"].is_string());
  }
  auto r405 = render_http_error({K::kMethodNotAllowed, "/v1/models", "GET"});
  EXPECT_EQ(header(r405, "Allow"), "GET");
  auto r503 = render_http_error({K::kShuttingDown, "", ""});
  EXPECT_EQ(header(r503, "Retry-After"), "1");
  auto r413 = render_http_error({K::kBodyTooLarge, "8388608", ""});
  EXPECT_NE(nlohmann::json::parse(r413.body)["error"]["message"].get<std::string>().find("8388608"),
            std::string::npos);
}

TEST(ErrorJson, InvalidUtf8InMessageDoesNotThrow) {
  auto r = error_response(model_not_found("bad\xff\xfe"));
  EXPECT_NO_THROW(nlohmann::json::parse(r.body));
}

}  // namespace
}  // namespace liftoff::server::openai
