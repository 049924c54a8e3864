// ChatFormat: chat.completion bodies and chat.completion.chunk events, with and without logprobs.
#include "liftoff/server/openai/chat_format.h"

#include <gtest/gtest.h>

namespace liftoff::server::openai {
namespace {

FormatOptions options(bool logprobs = false, int32_t top = 0, bool include_usage = false) {
  FormatOptions o;
  o.id = "chatcmpl-abc";
  o.created = 1700000000;
  o.model = "stories";
  o.logprobs = logprobs;
  o.top_logprobs = top;
  o.include_usage = include_usage;
  o.piece = [](int32_t id) { return "t" + std::to_string(id); };
  return o;
}

engine::SampledToken token(int32_t id, float logprob, std::vector<engine::TokenLogprob> top = {}) {
  return engine::SampledToken{id, logprob, std::move(top)};
}

TEST(ChatFormat, Response) {
  ChatFormat f(options());
  std::vector<ChoiceResult> choices(2);
  choices[0].text = "Hello";
  choices[0].finish = engine::FinishReason::kStop;
  choices[1].text = "Hi there";
  choices[1].finish = engine::FinishReason::kLength;
  auto j = f.response(choices, Usage{10, 7, 4});
  EXPECT_EQ(j["id"], "chatcmpl-abc");
  EXPECT_EQ(j["object"], "chat.completion");
  EXPECT_EQ(j["created"], 1700000000);
  EXPECT_EQ(j["model"], "stories");
  ASSERT_EQ(j["choices"].size(), 2u);
  EXPECT_EQ(j["choices"][0]["index"], 0);
  EXPECT_EQ(j["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(j["choices"][0]["message"]["content"], "Hello");
  EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
  EXPECT_TRUE(j["choices"][0]["logprobs"].is_null());
  EXPECT_EQ(j["choices"][1]["index"], 1);
  EXPECT_EQ(j["choices"][1]["finish_reason"], "length");
  EXPECT_EQ(j["usage"]["prompt_tokens"], 10);
  EXPECT_EQ(j["usage"]["completion_tokens"], 7);
  EXPECT_EQ(j["usage"]["total_tokens"], 17);
  EXPECT_EQ(j["usage"]["prompt_tokens_details"]["cached_tokens"], 4);
}

TEST(ChatFormat, ResponseLogprobs) {
  ChatFormat f(options(true, 1));
  std::vector<ChoiceResult> choices(1);
  choices[0].text = "t5t6";
  choices[0].tokens = {token(5, -0.5f, {{5, -0.5f}, {9, -1.5f}}), token(6, -0.25f, {{6, -0.25f}})};
  auto j = f.response(choices, Usage{});
  const auto& content = j["choices"][0]["logprobs"]["content"];
  ASSERT_EQ(content.size(), 2u);
  EXPECT_EQ(content[0]["token"], "t5");
  EXPECT_EQ(content[0]["logprob"], -0.5);
  EXPECT_EQ(content[0]["bytes"], nlohmann::ordered_json({116, 53}));
  ASSERT_EQ(content[0]["top_logprobs"].size(), 1u);  // cut to top_logprobs
  EXPECT_EQ(content[0]["top_logprobs"][0]["token"], "t5");
  EXPECT_EQ(content[0]["top_logprobs"][0]["bytes"], nlohmann::ordered_json({116, 53}));
}

TEST(ChatFormat, StreamStartHasRoleDeltaPerChoice) {
  ChatFormat f(options());
  auto events = f.stream_start(2);
  ASSERT_EQ(events.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(events[i]["object"], "chat.completion.chunk");
    EXPECT_EQ(events[i]["id"], "chatcmpl-abc");
    EXPECT_EQ(events[i]["choices"][0]["index"], i);
    EXPECT_EQ(events[i]["choices"][0]["delta"]["role"], "assistant");
    EXPECT_EQ(events[i]["choices"][0]["delta"]["content"], "");
    EXPECT_TRUE(events[i]["choices"][0]["finish_reason"].is_null());
    EXPECT_FALSE(events[i].contains("usage"));
  }
}

TEST(ChatFormat, StreamDeltaThenFinishChunk) {
  ChatFormat f(options());
  engine::ChoiceDelta d;
  d.index = 1;
  d.text = "lo";
  d.finish = engine::FinishReason::kStop;
  auto events = f.stream_delta(d);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["choices"][0]["index"], 1);
  EXPECT_EQ(events[0]["choices"][0]["delta"], nlohmann::ordered_json({{"content", "lo"}}));
  EXPECT_TRUE(events[0]["choices"][0]["finish_reason"].is_null());
  EXPECT_EQ(events[1]["choices"][0]["delta"], nlohmann::ordered_json::object());
  EXPECT_EQ(events[1]["choices"][0]["finish_reason"], "stop");
}

TEST(ChatFormat, EmptyDeltaWithoutLogprobsSendsNothing) {
  ChatFormat f(options());
  engine::ChoiceDelta d;
  d.tokens = {token(3, -1.0f)};  // text held back (a partial stop string)
  EXPECT_TRUE(f.stream_delta(d).empty());
  ChatFormat with(options(true));
  auto events = with.stream_delta(d);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["choices"][0]["logprobs"]["content"][0]["token"], "t3");
}

TEST(ChatFormat, IncludeUsage) {
  ChatFormat f(options(false, 0, true));
  engine::ChoiceDelta d;
  d.text = "x";
  auto events = f.stream_delta(d);
  ASSERT_EQ(events.size(), 1u);
  ASSERT_TRUE(events[0].contains("usage"));
  EXPECT_TRUE(events[0]["usage"].is_null());
  auto last = f.usage_chunk(Usage{3, 4, 0});
  EXPECT_EQ(last["object"], "chat.completion.chunk");
  EXPECT_EQ(last["choices"], nlohmann::ordered_json::array());
  EXPECT_EQ(last["usage"]["total_tokens"], 7);
}

}  // namespace
}  // namespace liftoff::server::openai
