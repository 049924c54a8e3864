// CompletionFormat: text_completion bodies and stream events, legacy logprobs with offsets.
#include "liftoff/server/openai/completion_format.h"

#include <gtest/gtest.h>

namespace liftoff::server::openai {
namespace {

FormatOptions options(bool logprobs = false, int32_t top = 0) {
  FormatOptions o;
  o.id = "cmpl-xyz";
  o.created = 1700000000;
  o.model = "stories";
  o.logprobs = logprobs;
  o.top_logprobs = top;
  // Token 1 is a two-byte character, token 2 its first byte only (a partial character).
  o.piece = [](int32_t id) -> std::string {
    if (id == 1) return "\xc3\xa9";
    if (id == 2) return "\xc3";
    return " w" + std::to_string(id);
  };
  return o;
}

TEST(CompletionFormat, Response) {
  CompletionFormat f(options());
  std::vector<ChoiceResult> choices(1);
  choices[0].text = " there was";
  choices[0].finish = engine::FinishReason::kLength;
  auto j = f.response(choices, Usage{5, 3, 0});
  EXPECT_EQ(j["id"], "cmpl-xyz");
  EXPECT_EQ(j["object"], "text_completion");
  EXPECT_EQ(j["model"], "stories");
  EXPECT_EQ(j["choices"][0]["text"], " there was");
  EXPECT_EQ(j["choices"][0]["index"], 0);
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
  EXPECT_TRUE(j["choices"][0]["logprobs"].is_null());
  EXPECT_EQ(j["usage"]["total_tokens"], 8);
}

TEST(CompletionFormat, LegacyLogprobsIncludeTheSampledToken) {
  CompletionFormat f(options(true, 1));
  std::vector<ChoiceResult> choices(1);
  choices[0].tokens = {{7, -2.0f, {{8, -0.5f}, {7, -2.0f}}}, {1, -0.1f, {{1, -0.1f}}}};
  auto lp = f.response(choices, Usage{})["choices"][0]["logprobs"];
  EXPECT_EQ(lp["tokens"], nlohmann::ordered_json({" w7", "\xc3\xa9"}));
  EXPECT_EQ(lp["token_logprobs"], nlohmann::ordered_json({-2.0, -0.1}));
  // Top 1 is " w8"; the sampled " w7" is added.
  EXPECT_EQ(lp["top_logprobs"][0], nlohmann::ordered_json({{" w8", -0.5}, {" w7", -2.0}}));
  EXPECT_EQ(lp["top_logprobs"][1], nlohmann::ordered_json({{"\xc3\xa9", -0.1}}));
  EXPECT_EQ(lp["text_offset"], nlohmann::ordered_json({0, 3}));
}

TEST(CompletionFormat, StreamEventsCarryTextAndFinish) {
  CompletionFormat f(options());
  EXPECT_TRUE(f.stream_start(3).empty());
  engine::ChoiceDelta d;
  d.index = 2;
  d.text = " there";
  auto e = f.stream_delta(d);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0]["object"], "text_completion");
  EXPECT_EQ(e[0]["choices"][0]["index"], 2);
  EXPECT_EQ(e[0]["choices"][0]["text"], " there");
  EXPECT_TRUE(e[0]["choices"][0]["finish_reason"].is_null());
  engine::ChoiceDelta last;
  last.index = 2;
  last.finish = engine::FinishReason::kStop;
  auto end = f.stream_delta(last);
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(end[0]["choices"][0]["text"], "");
  EXPECT_EQ(end[0]["choices"][0]["finish_reason"], "stop");
  EXPECT_TRUE(f.stream_delta(engine::ChoiceDelta{}).empty());
}

TEST(CompletionFormat, StreamTextOffsetRunsAcrossChunksPerChoice) {
  CompletionFormat f(options(true, 0));
  engine::ChoiceDelta a;
  a.index = 0;
  a.text = " w3";
  a.tokens = {{3, -1.0f, {}}};
  engine::ChoiceDelta other;
  other.index = 1;
  other.text = " w4";
  other.tokens = {{4, -1.0f, {}}};
  engine::ChoiceDelta b;
  b.index = 0;
  b.text = " w5";
  b.tokens = {{5, -1.0f, {}}};
  f.stream_delta(a);
  EXPECT_EQ(f.stream_delta(other)[0]["choices"][0]["logprobs"]["text_offset"],
            nlohmann::ordered_json({0}));
  EXPECT_EQ(f.stream_delta(b)[0]["choices"][0]["logprobs"]["text_offset"],
            nlohmann::ordered_json({3}));
}

TEST(CompletionFormat, PartialCharacterPiecesCountOnce) {
  LegacyLogprobs lp;
  FormatOptions o = options();
  std::vector<engine::SampledToken> tokens = {{2, -1.0f, {}}, {1, -1.0f, {}}, {9, -1.0f, {}}};
  auto j = lp.format(tokens, 0, o.piece);
  EXPECT_EQ(j["text_offset"], nlohmann::ordered_json({0, 1, 2}));
}

}  // namespace
}  // namespace liftoff::server::openai
