// `liftoff serve` end to end: the endpoints and their OpenAI response shapes, n and multiple
// prompts, logprobs, stop strings, embeddings, request ids, keep-alive and pipelining, 16
// concurrent mixed requests, and what never reaches the log.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <future>
#include <thread>

#include "liftoff/formats/open_model.h"
#include "liftoff/tokenizer/tokenizer.h"
#include "serve_fixture.h"

namespace liftoff::testing {
namespace {

using nlohmann::json;

struct ApiArgs {
  static std::vector<std::string> args() { return {"--parallel", "8", "--ctx", "256"}; }
};
using ServeApi = ServeSuite<ApiArgs>;

json completion(HttpClient& c, json body) {
  auto r = c.post("/v1/completions", body);
  EXPECT_EQ(r.status, 200u) << r.body;
  return r.json();
}

TEST_F(ServeApi, HealthReadyAndStats) {
  HttpClient c(port());
  auto health = c.get("/health");
  EXPECT_EQ(health.status, 200u);
  EXPECT_EQ(health.json()["status"], "ok");
  EXPECT_EQ(c.get("/ready").status, 200u);
  auto stats = c.get("/stats");
  ASSERT_EQ(stats.status, 200u);
  for (const char* key :
       {"running", "waiting", "kv_blocks_total", "kv_blocks_used", "kv_blocks_cached",
        "prefix_cache_queries", "prefix_cache_hits", "preemptions", "steps", "prompt_tokens",
        "generated_tokens", "requests_finished"}) {
    EXPECT_TRUE(stats.json()[key].is_number_integer()) << key;
  }
  EXPECT_GT(stats.json()["kv_blocks_total"].get<int64_t>(), 0);
}

TEST_F(ServeApi, ModelsList) {
  HttpClient c(port());
  auto list = c.get("/v1/models");
  ASSERT_EQ(list.status, 200u);
  auto j = list.json();
  EXPECT_EQ(j["object"], "list");
  ASSERT_EQ(j["data"].size(), 1u);
  EXPECT_EQ(j["data"][0]["id"], kModelId);
  EXPECT_EQ(j["data"][0]["object"], "model");
  EXPECT_EQ(j["data"][0]["owned_by"], "liftoff");
  auto one = c.get(std::string("/v1/models/") + kModelId);
  ASSERT_EQ(one.status, 200u);
  EXPECT_EQ(one.json()["id"], kModelId);
  auto missing = c.get("/v1/models/gpt-4o");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.json()["error"]["code"], "model_not_found");
}

TEST_F(ServeApi, GreedyCompletionIsTheReferenceContinuation) {
  HttpClient c(port());
  auto j = completion(c, {{"model", kModelId},
                          {"prompt", "Once upon a time"},
                          {"max_tokens", 32},
                          {"temperature", 0}});
  EXPECT_EQ(j["object"], "text_completion");
  EXPECT_EQ(j["id"].get<std::string>().rfind("cmpl-", 0), 0u);
  EXPECT_EQ(j["model"], kModelId);
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  EXPECT_NEAR(j["created"].get<double>(), static_cast<double>(now), 600.0);  // seconds, not ms
  ASSERT_EQ(j["choices"].size(), 1u);
  EXPECT_EQ(j["choices"][0]["text"], kGreedyContinuation);
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
  EXPECT_TRUE(j["choices"][0]["logprobs"].is_null());
  EXPECT_EQ(j["usage"]["completion_tokens"], 32);
  EXPECT_EQ(j["usage"]["total_tokens"],
            j["usage"]["prompt_tokens"].get<int>() + j["usage"]["completion_tokens"].get<int>());
}

TEST_F(ServeApi, TokenIdPromptsEqualTextPrompts) {
  auto file = formats::open_model_file(stories_model());
  ASSERT_TRUE(file.ok());
  auto tok = tokenizer::Tokenizer::from_model_file(*file);
  ASSERT_TRUE(tok.ok());
  const std::vector<int32_t> ids = tok->encode("Once upon a time", true, true);
  HttpClient c(port());
  auto j = completion(c, {{"prompt", ids}, {"max_tokens", 32}, {"temperature", 0}});
  EXPECT_EQ(j["choices"][0]["text"], kGreedyContinuation);
  auto nested = completion(c, {{"prompt", {ids, ids}}, {"max_tokens", 32}, {"temperature", 0}});
  ASSERT_EQ(nested["choices"].size(), 2u);
  EXPECT_EQ(nested["choices"][1]["text"], kGreedyContinuation);
}

TEST_F(ServeApi, MaxTokensAbsentRunsToTheEndOfTheContext) {
  HttpClient c(port());
  auto j =
      completion(c, {{"prompt", "Once upon a time"}, {"ignore_eos", true}, {"temperature", 0}});
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(j["usage"]["prompt_tokens"].get<int>() + j["usage"]["completion_tokens"].get<int>(),
            256);
}

TEST_F(ServeApi, ChatCompletion) {
  HttpClient c(port());
  auto r = c.post("/v1/chat/completions",
                  {{"model", kModelId},
                   {"messages",
                    {{{"role", "system"}, {"content", "You tell stories."}},
                     {{"role", "user"}, {"content", {{{"type", "text"}, {"text", "A story"}}}}}}},
                   {"max_completion_tokens", 16},
                   {"temperature", 0}});
  ASSERT_EQ(r.status, 200u) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["object"], "chat.completion");
  EXPECT_EQ(j["id"].get<std::string>().rfind("chatcmpl-", 0), 0u);
  ASSERT_EQ(j["choices"].size(), 1u);
  EXPECT_EQ(j["choices"][0]["index"], 0);
  EXPECT_EQ(j["choices"][0]["message"]["role"], "assistant");
  EXPECT_TRUE(j["choices"][0]["message"]["content"].is_string());
  const std::string finish = j["choices"][0]["finish_reason"];
  EXPECT_TRUE(finish == "stop" || finish == "length") << finish;
  EXPECT_LE(j["usage"]["completion_tokens"].get<int>(), 16);
  EXPECT_GT(j["usage"]["prompt_tokens"].get<int>(), 0);
}

TEST_F(ServeApi, NChoicesAreIndexedAndCounted) {
  HttpClient c(port());
  auto j = completion(
      c, {{"prompt", "The dog"}, {"n", 2}, {"max_tokens", 8}, {"seed", 5}, {"ignore_eos", true}});
  ASSERT_EQ(j["choices"].size(), 2u);
  EXPECT_EQ(j["choices"][0]["index"], 0);
  EXPECT_EQ(j["choices"][1]["index"], 1);
  EXPECT_EQ(j["usage"]["completion_tokens"], 16);
  auto chat =
      c.post("/v1/chat/completions",
             {{"messages", {{{"role", "user"}, {"content", "Hi"}}}}, {"n", 3}, {"max_tokens", 4}});
  ASSERT_EQ(chat.status, 200u);
  ASSERT_EQ(chat.json()["choices"].size(), 3u);
  EXPECT_EQ(chat.json()["choices"][2]["index"], 2);
}

TEST_F(ServeApi, MultiplePromptsIndexPromptTimesNPlusJ) {
  HttpClient c(port());
  auto j = completion(c, {{"prompt", {"Once upon a time", "The dog"}},
                          {"n", 2},
                          {"max_tokens", 32},
                          {"temperature", 0}});
  ASSERT_EQ(j["choices"].size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(j["choices"][i]["index"], i);
  EXPECT_EQ(j["choices"][0]["text"], kGreedyContinuation);
  EXPECT_EQ(j["choices"][1]["text"], kGreedyContinuation);
  EXPECT_EQ(j["choices"][2]["text"], j["choices"][3]["text"]);
  EXPECT_NE(j["choices"][2]["text"], kGreedyContinuation);
  auto single = completion(c, {{"prompt", "The dog"}, {"max_tokens", 32}, {"temperature", 0}});
  EXPECT_EQ(j["choices"][2]["text"], single["choices"][0]["text"]);
  EXPECT_EQ(j["usage"]["completion_tokens"], 4 * 32);
}

TEST_F(ServeApi, LegacyCompletionLogprobs) {
  HttpClient c(port());
  auto j = completion(
      c, {{"prompt", "Once upon a time"}, {"max_tokens", 6}, {"temperature", 0}, {"logprobs", 2}});
  const auto& lp = j["choices"][0]["logprobs"];
  ASSERT_TRUE(lp.is_object()) << j.dump();
  ASSERT_EQ(lp["tokens"].size(), 6u);
  ASSERT_EQ(lp["token_logprobs"].size(), 6u);
  ASSERT_EQ(lp["top_logprobs"].size(), 6u);
  ASSERT_EQ(lp["text_offset"].size(), 6u);
  std::string joined;
  int64_t previous_offset = -1;
  for (size_t i = 0; i < 6; ++i) {
    const std::string token = lp["tokens"][i];
    const double logprob = lp["token_logprobs"][i];
    EXPECT_LE(logprob, 0.0);
    const auto& top = lp["top_logprobs"][i];
    EXPECT_GE(top.size(), 2u);
    EXPECT_LE(top.size(), 3u);
    ASSERT_TRUE(top.contains(token));
    for (const auto& [alt, alt_logprob] : top.items()) {
      EXPECT_LE(alt_logprob.get<double>(), logprob + 1e-6) << "greedy picks the most likely";
    }
    EXPECT_GT(lp["text_offset"][i].get<int64_t>(), previous_offset);
    previous_offset = lp["text_offset"][i];
    joined += token;
  }
  EXPECT_EQ(joined, j["choices"][0]["text"]);
}

TEST_F(ServeApi, ChatLogprobs) {
  HttpClient c(port());
  auto r = c.post("/v1/chat/completions", {{"messages", {{{"role", "user"}, {"content", "Hi"}}}},
                                           {"max_tokens", 5},
                                           {"temperature", 0},
                                           {"ignore_eos", true},
                                           {"logprobs", true},
                                           {"top_logprobs", 3}});
  ASSERT_EQ(r.status, 200u) << r.body;
  const json content = r.json()["choices"][0]["logprobs"]["content"];
  ASSERT_EQ(content.size(), 5u);
  for (const auto& t : content) {
    ASSERT_TRUE(t["token"].is_string());
    EXPECT_LE(t["logprob"].get<double>(), 0.0);
    const std::string token = t["token"];
    ASSERT_EQ(t["bytes"].size(), token.size());
    ASSERT_EQ(t["top_logprobs"].size(), 3u);
    EXPECT_EQ(t["top_logprobs"][0]["token"], token);  // greedy: the sampled token is the top one
    EXPECT_NEAR(t["top_logprobs"][0]["logprob"].get<double>(), t["logprob"].get<double>(), 1e-6);
    EXPECT_TRUE(t["top_logprobs"][1]["bytes"].is_array());
  }
  auto without = c.post("/v1/chat/completions",
                        {{"messages", {{{"role", "user"}, {"content", "Hi"}}}}, {"max_tokens", 2}});
  EXPECT_TRUE(without.json()["choices"][0]["logprobs"].is_null());
}

TEST_F(ServeApi, StopStringEndsTheTextBeforeIt) {
  HttpClient c(port());
  auto j = completion(c, {{"prompt", "Once upon a time"},
                          {"max_tokens", 32},
                          {"temperature", 0},
                          {"stop", {"Lily", "never appears"}}});
  EXPECT_EQ(j["choices"][0]["text"], ", there was a little girl named ");
  EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
  auto spanning = completion(c, {{"prompt", "Once upon a time"},
                                 {"max_tokens", 32},
                                 {"temperature", 0},
                                 {"stop", "little girl"}});
  EXPECT_EQ(spanning["choices"][0]["text"], ", there was a ");
}

std::vector<float> decode_base64_floats(const std::string& s) {
  static const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : s) {
    if (ch == '=') break;
    acc = (acc << 6) | static_cast<uint32_t>(alphabet.find(ch));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  std::vector<float> out(bytes.size() / 4);
  std::memcpy(out.data(), bytes.data(), out.size() * 4);
  return out;
}

TEST_F(ServeApi, EmbeddingsAreUnitVectors) {
  HttpClient c(port());
  auto r = c.post("/v1/embeddings",
                  {{"model", kModelId}, {"input", {"hello world", "Once upon a time", "x"}}});
  ASSERT_EQ(r.status, 200u) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["object"], "list");
  EXPECT_EQ(j["model"], kModelId);
  ASSERT_EQ(j["data"].size(), 3u);
  size_t width = 0;
  for (size_t i = 0; i < 3; ++i) {
    const auto& d = j["data"][i];
    EXPECT_EQ(d["object"], "embedding");
    EXPECT_EQ(d["index"], i);
    const auto v = d["embedding"].get<std::vector<float>>();
    if (width == 0) width = v.size();
    EXPECT_EQ(v.size(), width);
    double norm2 = 0;
    for (float x : v) norm2 += static_cast<double>(x) * x;
    EXPECT_NEAR(std::sqrt(norm2), 1.0, 1e-3);
  }
  EXPECT_GT(width, 0u);
  EXPECT_GT(j["usage"]["prompt_tokens"].get<int>(), 0);
  EXPECT_EQ(j["usage"]["total_tokens"], j["usage"]["prompt_tokens"]);

  auto b64 = c.post("/v1/embeddings", {{"input", "hello world"}, {"encoding_format", "base64"}});
  ASSERT_EQ(b64.status, 200u);
  const auto decoded = decode_base64_floats(b64.json()["data"][0]["embedding"]);
  const auto floats = j["data"][0]["embedding"].get<std::vector<float>>();
  ASSERT_EQ(decoded.size(), floats.size());
  for (size_t i = 0; i < floats.size(); ++i) EXPECT_FLOAT_EQ(decoded[i], floats[i]);

  auto ids = c.post("/v1/embeddings", {{"input", {{1, 400, 401}, {1}}}});
  ASSERT_EQ(ids.status, 200u) << ids.body;
  EXPECT_EQ(ids.json()["data"].size(), 2u);
}

TEST_F(ServeApi, RequestIds) {
  HttpClient c(port());
  auto echoed = c.request("GET", "/health", "", {{"x-request-id", "trace-42:abc"}});
  EXPECT_EQ(echoed.header("x-request-id"), "trace-42:abc");
  auto fresh = c.get("/health");
  EXPECT_EQ(fresh.header("x-request-id").size(), 32u);
  auto replaced = c.request("GET", "/health", "", {{"x-request-id", "has spaces in it"}});
  EXPECT_EQ(replaced.header("x-request-id").size(), 32u);
  auto error = c.request("GET", "/nope", "", {{"x-request-id", "err-1"}});
  EXPECT_EQ(error.status, 404u);
  EXPECT_EQ(error.header("x-request-id"), "err-1");
  auto posted =
      c.post("/v1/completions", {{"prompt", "a"}, {"max_tokens", 1}}, {{"x-request-id", "gen-7"}});
  EXPECT_EQ(posted.header("x-request-id"), "gen-7");
  EXPECT_TRUE(server().wait_for_log("request.done req=gen-7 route=completions status=ok"));
}

TEST_F(ServeApi, KeepAliveServesManyRequestsOnOneConnection) {
  HttpClient c(port());
  EXPECT_EQ(c.get("/health").status, 200u);
  EXPECT_EQ(c.post("/v1/completions", {{"prompt", "a"}, {"max_tokens", 2}}).status, 200u);
  auto stream = c.start_stream(
      "/v1/chat/completions",
      {{"messages", {{{"role", "user"}, {"content", "Hi"}}}}, {"max_tokens", 3}, {"stream", true}});
  EXPECT_EQ(stream.status, 200u);
  while (c.read_more()) {
  }
  bool done = false;
  sse_data(c.stream_body(), &done);
  EXPECT_TRUE(done);
  EXPECT_EQ(c.get("/v1/models").status, 200u);
  EXPECT_EQ(c.post("/v1/embeddings", {{"input", "a"}}).status, 200u);
  EXPECT_EQ(c.post("/v1/completions", {{"prompt", 5}}).status, 400u);  // errors keep it too
  EXPECT_EQ(c.get("/health").status, 200u);
  EXPECT_EQ(c.connects(), 1);
}

TEST_F(ServeApi, PipelinedRequestsAreAnsweredInOrder) {
  HttpClient c(port());
  const std::string body = R"({"prompt": "Once upon a time", "max_tokens": 32, "temperature": 0})";
  c.send_raw(
      "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body +
      "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n");
  auto first = c.read_response();
  auto second = c.read_response();
  auto third = c.read_response();
  EXPECT_EQ(first.json()["status"], "ok");
  ASSERT_EQ(second.status, 200u);
  EXPECT_EQ(second.json()["choices"][0]["text"], kGreedyContinuation);
  EXPECT_EQ(third.json()["object"], "list");
}

TEST_F(ServeApi, SixteenConcurrentMixedRequests) {
  std::vector<std::future<std::string>> results;
  for (int i = 0; i < 16; ++i) {
    results.push_back(std::async(std::launch::async, [this, i]() -> std::string {
      HttpClient c(port());
      const bool chat = i % 2 == 0;
      const bool stream = (i / 2) % 2 == 0;
      json body = {{"max_tokens", 32}, {"temperature", 0}, {"stream", stream}};
      if (chat) {
        body["messages"] = {{{"role", "user"}, {"content", "Tell me a story"}}};
      } else {
        body["prompt"] = "Once upon a time";
      }
      const std::string target = chat ? "/v1/chat/completions" : "/v1/completions";
      std::string text;
      if (stream) {
        auto head = c.start_stream(target, body);
        if (head.status != 200) return "status " + std::to_string(head.status);
        while (c.read_more()) {
        }
        bool done = false;
        for (const auto& data : sse_data(c.stream_body(), &done)) {
          if (data == "[DONE]") break;
          const json event = json::parse(data);
          const json& choice = event["choices"][0];
          text += chat ? choice["delta"].value("content", "") : choice.value("text", "");
        }
        if (!done) return "stream without [DONE]";
      } else {
        auto r = c.post(target, body);
        if (r.status != 200) return "status " + std::to_string(r.status) + " " + r.body;
        const json choice = r.json()["choices"][0];
        text = chat ? choice["message"]["content"].get<std::string>()
                    : choice["text"].get<std::string>();
      }
      return (chat ? "chat:" : "completion:") + text;
    }));
  }
  std::vector<std::string> texts;
  for (auto& f : results) texts.push_back(f.get());
  // Greedy output does not depend on what else runs in the batch.
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(texts[i], texts[i % 2]) << i;
  }
  EXPECT_EQ(texts[1], std::string("completion:") + kGreedyContinuation);
}

TEST_F(ServeApi, PromptTextAndKeysNeverReachTheLog) {
  HttpClient c(port());
  auto r = c.post("/v1/completions",
                  {{"prompt", "SECRET-PROMPT-7f3a"}, {"max_tokens", 4}, {"user", "alice"}},
                  {{"Authorization", "Bearer sk-SECRET-KEY-91b2"}, {"x-request-id", "nolog-1"}});
  ASSERT_EQ(r.status, 200u);
  auto bad = c.post("/v1/chat/completions",
                    {{"messages", {{{"role", "SECRET-ROLE-55"}, {"content", "SECRET-CHAT"}}}}});
  EXPECT_EQ(bad.status, 400u);
  ASSERT_TRUE(server().wait_for_log("req=nolog-1"));
  const std::string log = server().log();
  EXPECT_EQ(log.find("SECRET"), std::string::npos) << log;
}

}  // namespace
}  // namespace liftoff::testing
