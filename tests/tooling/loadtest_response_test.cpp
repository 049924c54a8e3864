// StreamAccumulator and the non-streamed body parser on the shapes real servers send: vLLM's
// usage chunk with empty choices, llama.cpp's role-only first chat chunk and error lines,
// reasoning_content, malformed chunks.
#include "liftoff/tooling/loadtest_response.h"

#include <gtest/gtest.h>

namespace liftoff::tooling {
namespace {

using Clock = std::chrono::steady_clock;

SseEvent data(std::string d) { return {"message", std::move(d)}; }

TEST(StreamAccumulator, CompletionsTokensUsageAndDone) {
  StreamAccumulator acc(/*chat=*/false);
  const auto t0 = Clock::now();
  const auto t1 = t0 + std::chrono::milliseconds(5);
  acc.on_event(data(R"({"choices":[{"index":0,"text":""}]})"), t0);  // empty text: no token yet
  EXPECT_FALSE(acc.first_content_time());
  acc.on_event(data(R"({"choices":[{"index":0,"text":" a"}]})"), t1);
  acc.on_event(data(R"({"choices":[{"index":0,"text":" b","finish_reason":"length"}]})"),
               t1 + std::chrono::milliseconds(1));
  acc.on_event(data(R"({"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2}})"), t1);
  EXPECT_FALSE(acc.saw_done());
  acc.on_event(data("[DONE]"), t1);
  EXPECT_TRUE(acc.saw_done());
  ASSERT_TRUE(acc.first_content_time());
  EXPECT_EQ(*acc.first_content_time(), t1);
  EXPECT_EQ(acc.n_content_chunks(), 2);
  EXPECT_EQ(acc.usage().prompt_tokens, 12);
  EXPECT_EQ(acc.usage().completion_tokens, 2);
  EXPECT_EQ(acc.problem(), ResponseProblem::kNone);
}

TEST(StreamAccumulator, UsageChunkWithoutChoicesAndUsageInLastContentChunk) {
  StreamAccumulator acc(false);
  const auto t = Clock::now();
  acc.on_event(
      data(R"({"choices":[{"text":"x"}],"usage":{"prompt_tokens":3,"completion_tokens":1}})"), t);
  acc.on_event(data(R"({"usage":{"prompt_tokens":3,"completion_tokens":1}})"), t);
  EXPECT_EQ(acc.problem(), ResponseProblem::kNone);
  EXPECT_EQ(acc.usage().completion_tokens, 1);
}

TEST(StreamAccumulator, ChatRoleChunkIsNotTheFirstToken) {
  StreamAccumulator acc(/*chat=*/true);
  const auto t0 = Clock::now();
  const auto t1 = t0 + std::chrono::milliseconds(3);
  acc.on_event(data(R"({"choices":[{"delta":{"role":"assistant","content":null}}]})"), t0);
  acc.on_event(data(R"({"choices":[{"delta":{"role":"assistant","content":""}}]})"), t0);
  acc.on_event(data(R"({"choices":[{"delta":{"reasoning_content":"hmm"}}]})"), t1);
  acc.on_event(data(R"({"choices":[{"delta":{"content":"Hi"}}]})"), t1);
  acc.on_event(data(R"({"choices":[{"delta":{},"finish_reason":"length"}]})"), t1);
  ASSERT_TRUE(acc.first_content_time());
  EXPECT_EQ(*acc.first_content_time(), t1);
  EXPECT_EQ(acc.n_content_chunks(), 2);
  EXPECT_EQ(acc.usage().completion_tokens, -1);  // never reported
}

TEST(StreamAccumulator, ErrorEventAndErrorObject) {
  StreamAccumulator a(false);
  a.on_event({"error", R"({"code":500,"message":"out of memory","type":"server_error"})"},
             Clock::now());
  EXPECT_EQ(a.problem(), ResponseProblem::kServerError);
  EXPECT_EQ(a.problem_message(), "out of memory");

  StreamAccumulator b(false);
  b.on_event(data(R"({"error":{"message":"context overflow"}})"), Clock::now());
  b.on_event(data(R"({"error":{"message":"second"}})"), Clock::now());  // the first one is kept
  EXPECT_EQ(b.problem(), ResponseProblem::kServerError);
  EXPECT_EQ(b.problem_message(), "context overflow");

  StreamAccumulator c(false);
  c.on_event({"error", "not json at all"}, Clock::now());
  EXPECT_EQ(c.problem(), ResponseProblem::kServerError);
  EXPECT_EQ(c.problem_message(), "not json at all");
}

TEST(StreamAccumulator, MalformedChunks) {
  StreamAccumulator a(false);
  a.on_event(data("{truncated"), Clock::now());
  EXPECT_EQ(a.problem(), ResponseProblem::kMalformed);
  StreamAccumulator b(false);
  b.on_event(data("[1,2]"), Clock::now());
  EXPECT_EQ(b.problem(), ResponseProblem::kMalformed);
  StreamAccumulator c(false);
  c.on_event(data(R"({"id":"x"})"), Clock::now());  // neither choices nor usage
  EXPECT_EQ(c.problem(), ResponseProblem::kMalformed);
}

TEST(CompletionBody, UsageFromAWholeResponse) {
  const auto r = parse_completion_body(
      R"({"choices":[{"text":"abc","finish_reason":"length"}],)"
      R"("usage":{"prompt_tokens":9,"completion_tokens":4}})");
  EXPECT_EQ(r.problem, ResponseProblem::kNone);
  EXPECT_EQ(r.usage.prompt_tokens, 9);
  EXPECT_EQ(r.usage.completion_tokens, 4);
  const auto no_usage = parse_completion_body(R"({"choices":[{"message":{"content":"x"}}]})");
  EXPECT_EQ(no_usage.problem, ResponseProblem::kNone);
  EXPECT_EQ(no_usage.usage.completion_tokens, -1);
}

TEST(CompletionBody, Problems) {
  EXPECT_EQ(parse_completion_body("").problem, ResponseProblem::kMalformed);
  EXPECT_EQ(parse_completion_body("<html>").problem, ResponseProblem::kMalformed);
  EXPECT_EQ(parse_completion_body(R"({"choices":[]})").problem, ResponseProblem::kMalformed);
  EXPECT_EQ(parse_completion_body(R"({"object":"list"})").problem, ResponseProblem::kMalformed);
  const auto err = parse_completion_body(R"({"error":"model is loading"})");
  EXPECT_EQ(err.problem, ResponseProblem::kServerError);
  EXPECT_EQ(err.problem_message, "model is loading");
}

TEST(ErrorMessage, CommonShapes) {
  EXPECT_EQ(error_message_of(R"({"error":{"message":"bad key","type":"auth"}})"), "bad key");
  EXPECT_EQ(error_message_of(R"({"error":"plain"})"), "plain");
  EXPECT_EQ(error_message_of(R"({"message":"fastapi style"})"), "fastapi style");
  EXPECT_EQ(error_message_of("Service Unavailable"), "Service Unavailable");
  EXPECT_EQ(error_message_of(std::string(1000, 'x')).size(), 200u);
}

}  // namespace
}  // namespace liftoff::tooling
