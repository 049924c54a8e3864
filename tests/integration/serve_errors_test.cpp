// Bad requests: each one gets the right HTTP status and an OpenAI error object, and the server
// keeps serving (a good request succeeds right after, on the same connection where it stays
// open). Malformed HTTP, oversized bodies and headers, unknown routes and wrong methods too.
#include <gtest/gtest.h>

#include "serve_fixture.h"

namespace liftoff::testing {
namespace {

using nlohmann::json;

struct ErrorArgs {
  static std::vector<std::string> args() { return {"--parallel", "2", "--ctx", "128"}; }
};
using ServeErrors = ServeSuite<ErrorArgs>;

void expect_still_serving(HttpClient& c) {
  auto ok = c.post("/v1/completions", {{"prompt", "Once upon a time"}, {"max_tokens", 2}});
  EXPECT_EQ(ok.status, 200u) << ok.body;
}

void expect_error_shape(const HttpResponse& r) {
  json j = r.json();
  ASSERT_TRUE(j.is_object()) << r.body;
  ASSERT_TRUE(j["error"].is_object()) << r.body;
  EXPECT_TRUE(j["error"]["message"].is_string());
  EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
  EXPECT_TRUE(j["error"]["type"].is_string());
  EXPECT_TRUE(j["error"].contains("param"));
  EXPECT_TRUE(j["error"].contains("code"));
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_FALSE(r.header("x-request-id").empty());
}

struct BadRequest {
  const char* name;
  const char* target;
  const char* body;  // sent verbatim
  unsigned status;
  const char* param;  // expected error.param ("" = null)
};

const BadRequest kBadRequests[] = {
    {"invalid_json", "/v1/completions", "{\"prompt\": ", 400, ""},
    {"empty_body", "/v1/chat/completions", "", 400, ""},
    {"not_an_object", "/v1/completions", "[1, 2]", 400, ""},
    {"deep_nesting", "/v1/completions", nullptr, 400, ""},
    {"missing_prompt", "/v1/completions", R"({"max_tokens": 3})", 400, "prompt"},
    {"prompt_wrong_type", "/v1/completions", R"({"prompt": {"a": 1}})", 400, "prompt"},
    {"token_out_of_vocab", "/v1/completions", R"({"prompt": [1, 100000]})", 400, "prompt"},
    {"temperature_high", "/v1/completions", R"({"prompt": "a", "temperature": 2.5})", 400,
     "temperature"},
    {"temperature_string", "/v1/completions", R"({"prompt": "a", "temperature": "hot"})", 400,
     "temperature"},
    {"top_p_high", "/v1/completions", R"({"prompt": "a", "top_p": 1.01})", 400, "top_p"},
    {"n_zero", "/v1/completions", R"({"prompt": "a", "n": 0})", 400, "n"},
    {"n_too_big", "/v1/completions", R"({"prompt": "a", "n": 1000})", 400, "n"},
    {"max_tokens_negative", "/v1/completions", R"({"prompt": "a", "max_tokens": -5})", 400,
     "max_tokens"},
    {"legacy_logprobs_high", "/v1/completions", R"({"prompt": "a", "logprobs": 6})", 400,
     "logprobs"},
    {"best_of", "/v1/completions", R"({"prompt": "a", "best_of": 3})", 400, "best_of"},
    {"echo", "/v1/completions", R"({"prompt": "a", "echo": true})", 400, "echo"},
    {"suffix", "/v1/completions", R"({"prompt": "a", "suffix": "z"})", 400, "suffix"},
    {"stop_wrong_type", "/v1/completions", R"({"prompt": "a", "stop": 3})", 400, "stop"},
    {"logit_bias_bad_id", "/v1/completions", R"({"prompt": "a", "logit_bias": {"9999": 1}})", 400,
     "logit_bias"},
    {"stream_options_without_stream", "/v1/completions",
     R"({"prompt": "a", "stream_options": {"include_usage": true}})", 400, "stream_options"},
    {"missing_messages", "/v1/chat/completions", R"({"model": "x"})", 400, "messages"},
    {"empty_messages", "/v1/chat/completions", R"({"messages": []})", 400, "messages"},
    {"unknown_role", "/v1/chat/completions",
     R"({"messages": [{"role": "pirate", "content": "arr"}]})", 400, "messages[0].role"},
    {"message_not_object", "/v1/chat/completions", R"({"messages": [42]})", 400, "messages[0]"},
    {"content_wrong_type", "/v1/chat/completions",
     R"({"messages": [{"role": "user", "content": 42}]})", 400, "messages[0].content"},
    {"image_part", "/v1/chat/completions",
     R"({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]})", 400,
     "messages[0].content[0].type"},
    {"top_logprobs_high", "/v1/chat/completions",
     R"({"messages": [{"role": "user", "content": "a"}], "logprobs": true, "top_logprobs": 21})",
     400, "top_logprobs"},
    {"tools", "/v1/chat/completions",
     R"({"messages": [{"role": "user", "content": "a"}], "tools": [{"type": "function"}]})", 400,
     "tools"},
    {"response_format_json", "/v1/chat/completions",
     R"({"messages": [{"role": "user", "content": "a"}],
         "response_format": {"type": "json_object"}})",
     400, "response_format"},
    {"embeddings_missing_input", "/v1/embeddings", R"({"model": "x"})", 400, "input"},
    {"embeddings_empty_string", "/v1/embeddings", R"({"input": ""})", 400, "input"},
    {"embeddings_dimensions", "/v1/embeddings", R"({"input": "a", "dimensions": 8})", 400,
     "dimensions"},
    {"embeddings_bad_format", "/v1/embeddings", R"({"input": "a", "encoding_format": "hex"})", 400,
     "encoding_format"},
    {"unknown_model_completions", "/v1/completions", R"({"model": "gpt-4o", "prompt": "a"})", 404,
     "model"},
    {"unknown_model_chat", "/v1/chat/completions",
     R"({"model": "gpt-4o", "messages": [{"role": "user", "content": "a"}]})", 404, "model"},
    {"unknown_model_embeddings", "/v1/embeddings", R"({"model": "gpt-4o", "input": "a"})", 404,
     "model"},
};

TEST_F(ServeErrors, EveryBadRequestIsAnsweredAndTheServerKeepsServing) {
  HttpClient c(port());
  for (const BadRequest& bad : kBadRequests) {
    SCOPED_TRACE(bad.name);
    const std::string body =
        bad.body != nullptr ? bad.body : "{\"a\":" + std::string(5000, '[') + "}";
    auto r = c.request("POST", bad.target, body);
    EXPECT_EQ(r.status, bad.status) << r.body;
    expect_error_shape(r);
    const json param = r.json()["error"]["param"];
    if (std::string(bad.param).empty()) {
      EXPECT_TRUE(param.is_null()) << r.body;
    } else {
      EXPECT_EQ(param, bad.param) << r.body;
    }
    if (bad.status == 404) {
      EXPECT_EQ(r.json()["error"]["code"], "model_not_found");
    }
    expect_still_serving(c);
  }
  EXPECT_EQ(c.connects(), 1);  // a bad request does not cost the connection
}

TEST_F(ServeErrors, PromptLongerThanTheContextIs400NotTruncated) {
  HttpClient c(port());
  std::vector<int> ids(200, 400);
  ids[0] = 1;
  auto r = c.post("/v1/completions", {{"prompt", ids}, {"max_tokens", 4}});
  EXPECT_EQ(r.status, 400u);
  expect_error_shape(r);
  EXPECT_NE(r.json()["error"]["message"].get<std::string>().find("128"), std::string::npos)
      << r.body;
  auto too_many = c.post("/v1/completions", {{"prompt", "Once upon a time"}, {"max_tokens", 500}});
  EXPECT_EQ(too_many.status, 400u);
  EXPECT_NE(too_many.json()["error"]["message"].get<std::string>().find("max_tokens"),
            std::string::npos);
  auto chat = c.post("/v1/chat/completions",
                     {{"messages", {{{"role", "user"}, {"content", std::string(2000, 'a')}}}}});
  EXPECT_EQ(chat.status, 400u);
  auto embed = c.post("/v1/embeddings", {{"input", std::string(2000, 'a')}});
  EXPECT_EQ(embed.status, 400u);
  expect_still_serving(c);
}

TEST_F(ServeErrors, StreamingRequestErrorsAreJsonNotSse) {
  HttpClient c(port());
  auto r = c.post("/v1/chat/completions", {{"messages", json::array()}, {"stream", true}});
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.header("content-type"), "application/json");
  expect_still_serving(c);
}

TEST_F(ServeErrors, UnknownRouteIs404AndWrongMethodIs405) {
  HttpClient c(port());
  auto missing = c.get("/v1/nothing");
  EXPECT_EQ(missing.status, 404u);
  expect_error_shape(missing);
  auto wrong = c.get("/v1/chat/completions");
  EXPECT_EQ(wrong.status, 405u);
  EXPECT_EQ(wrong.header("allow"), "POST");
  expect_error_shape(wrong);
  auto post_models = c.post("/v1/models", json::object());
  EXPECT_EQ(post_models.status, 405u);
  EXPECT_EQ(post_models.header("allow"), "GET");
  auto del = c.request("DELETE", "/health");
  EXPECT_EQ(del.status, 405u);
  expect_still_serving(c);
  EXPECT_EQ(c.connects(), 1);
}

TEST_F(ServeErrors, MalformedHttpIs400AndCloses) {
  for (const std::string& raw :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET /health HTTX/1.1\r\n\r\n"),
        std::string("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
        std::string("POST /v1/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")}) {
    HttpClient c(port());
    c.send_raw(raw);
    auto r = c.read_response();
    EXPECT_EQ(r.status, 400u) << raw;
    expect_error_shape(r);
    EXPECT_TRUE(c.server_closed()) << raw;
  }
  HttpClient after(port());
  expect_still_serving(after);
}

TEST_F(ServeErrors, BodyOverTheLimitIs413) {
  {  // Announced by Content-Length: refused before the body is read.
    HttpClient c(port());
    c.send_raw(
        "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 9437184\r\n\r\n");
    auto r = c.read_response();
    EXPECT_EQ(r.status, 413u);
    expect_error_shape(r);
  }
  {  // Actually sent: the server drains it and answers, the client sees the 413, not a reset.
    HttpClient c(port());
    const std::string big = "{\"prompt\": \"" + std::string(9u << 20, 'a') + "\"}";
    auto r = c.request("POST", "/v1/completions", big);
    EXPECT_EQ(r.status, 413u);
  }
  {  // Chunked, with no length up front.
    HttpClient c(port());
    std::string raw =
        "POST /v1/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string piece(1u << 20, 'a');
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", piece.size());
    for (int i = 0; i < 9; ++i) raw += size_line + piece + "\r\n";
    raw += "0\r\n\r\n";
    c.send_raw(raw);
    EXPECT_EQ(c.read_response().status, 413u);
  }
  {  // Expect: 100-continue gets the 413 instead of the go-ahead.
    HttpClient c(port());
    c.send_raw(
        "POST /v1/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
        "Content-Length: 99999999\r\n\r\n");
    EXPECT_EQ(c.read_response().status, 413u);
  }
  HttpClient after(port());
  expect_still_serving(after);
}

TEST_F(ServeErrors, ExpectContinueIsHonoured) {
  HttpClient c(port());
  const std::string body = R"({"prompt": "Once upon a time", "max_tokens": 2})";
  c.send_raw(
      "POST /v1/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n");
  auto interim = c.read_response();
  EXPECT_EQ(interim.status, 100u);
  c.send_raw(body);
  EXPECT_EQ(c.read_response().status, 200u);
}

TEST_F(ServeErrors, HugeHeaderIs431) {
  HttpClient c(port());
  auto r = c.request("GET", "/health", "", {{"X-Filler", std::string(64 << 10, 'h')}});
  EXPECT_EQ(r.status, 431u);
  HttpClient after(port());
  expect_still_serving(after);
}

TEST_F(ServeErrors, ClientThatSendsHalfARequestAndLeaves) {
  {
    HttpClient c(port());
    c.send_raw("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"pro");
    c.close();
  }
  {
    HttpClient c(port());
    c.send_raw("GET /hea");
    c.close();
  }
  HttpClient after(port());
  expect_still_serving(after);
}

}  // namespace
}  // namespace liftoff::testing
