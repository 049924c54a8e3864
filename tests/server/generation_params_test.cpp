// GenerationParams: OpenAI defaults, and one row per accepted or rejected value of every field.
#include "liftoff/server/openai/generation_params.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace liftoff::server::openai {
namespace {

constexpr ParseLimits kLimits{512, 16};

ApiResult<GenerationParams> parse(const std::string& body, Endpoint e = Endpoint::kCompletions) {
  return read_generation_params(nlohmann::json::parse(body), e, kLimits);
}

TEST(GenerationParams, OpenAiDefaultsNotCliDefaults) {
  auto r = parse("{}");
  ASSERT_TRUE(r.ok());
  const GenerationParams& p = r.value();
  EXPECT_EQ(p.sampling.temperature, 1.0f);
  EXPECT_EQ(p.sampling.top_p, 1.0f);
  EXPECT_EQ(p.sampling.top_k, 0);
  EXPECT_EQ(p.sampling.min_p, 0.0f);
  EXPECT_EQ(p.sampling.repetition_penalty, 1.0f);
  EXPECT_EQ(p.sampling.frequency_penalty, 0.0f);
  EXPECT_EQ(p.sampling.presence_penalty, 0.0f);
  EXPECT_EQ(p.sampling.penalty_last_n, kPenaltyWindow);
  EXPECT_TRUE(p.sampling.logit_bias.empty());
  EXPECT_EQ(p.sampling.n_top_logprobs, 0);
  EXPECT_EQ(p.max_tokens, -1);
  EXPECT_FALSE(p.seed.has_value());
  EXPECT_EQ(p.n, 1);
  EXPECT_FALSE(p.stream);
  EXPECT_FALSE(p.include_usage);
  EXPECT_FALSE(p.ignore_eos);
  EXPECT_FALSE(p.logprobs);
  EXPECT_TRUE(p.stop.empty());
  EXPECT_TRUE(p.model.empty());
  EXPECT_TRUE(p.sampling.validate(kLimits.n_vocab).is_ok());
}

TEST(GenerationParams, NullMeansAbsent) {
  auto r = parse(R"({"temperature": null, "stop": null, "n": null, "seed": null,
                     "max_tokens": null, "logit_bias": null, "stream_options": null})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().sampling.temperature, 1.0f);
  EXPECT_FALSE(r.value().seed.has_value());
}

TEST(GenerationParams, ReadsEveryField) {
  auto r = parse(R"({"model": "m", "temperature": 0, "top_p": 0.5, "top_k": 7, "min_p": 0.1,
                     "repetition_penalty": 1.3, "frequency_penalty": -1.5,
                     "presence_penalty": 2, "seed": 42, "max_tokens": 9, "stop": ["a", "", "b"],
                     "ignore_eos": true, "n": 3, "stream": true,
                     "stream_options": {"include_usage": true}, "user": "u1",
                     "logit_bias": {"5": -100, "7": 2.5}, "logprobs": 2,
                     "unknown_extra_field": {"x": 1}})");
  ASSERT_TRUE(r.ok()) << r.error().status.message();
  const GenerationParams& p = r.value();
  EXPECT_EQ(p.model, "m");
  EXPECT_EQ(p.sampling.temperature, 0.0f);
  EXPECT_EQ(p.sampling.top_p, 0.5f);
  EXPECT_EQ(p.sampling.top_k, 7);
  EXPECT_FLOAT_EQ(p.sampling.min_p, 0.1f);
  EXPECT_FLOAT_EQ(p.sampling.repetition_penalty, 1.3f);
  EXPECT_EQ(p.sampling.frequency_penalty, -1.5f);
  EXPECT_EQ(p.sampling.presence_penalty, 2.0f);
  EXPECT_EQ(p.seed, 42);
  EXPECT_EQ(p.max_tokens, 9);
  EXPECT_EQ(p.stop, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(p.ignore_eos);
  EXPECT_EQ(p.n, 3);
  EXPECT_TRUE(p.stream);
  EXPECT_TRUE(p.include_usage);
  EXPECT_EQ(p.user, "u1");
  ASSERT_EQ(p.sampling.logit_bias.size(), 2u);
  EXPECT_TRUE(p.logprobs);
  EXPECT_EQ(p.top_logprobs, 2);
  EXPECT_EQ(p.sampling.n_top_logprobs, 2);
  EXPECT_TRUE(p.sampling.validate(kLimits.n_vocab).is_ok());
}

TEST(GenerationParams, StopAsString) {
  auto r = parse(R"({"stop": "\n"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().stop, std::vector<std::string>{"\n"});
}

TEST(GenerationParams, TopPZeroKeepsTheTopTokenOnly) {
  auto r = parse(R"({"top_p": 0})");
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r.value().sampling.top_p, 0.0f);
  EXPECT_LT(r.value().sampling.top_p, 1e-30f);
  EXPECT_TRUE(r.value().sampling.validate(kLimits.n_vocab).is_ok());
}

TEST(GenerationParams, ChatMaxCompletionTokensWins) {
  auto r = parse(R"({"max_tokens": 5, "max_completion_tokens": 7})", Endpoint::kChatCompletions);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().max_tokens, 7);
  // Completions has no max_completion_tokens: it is an unknown field there, ignored.
  auto c = parse(R"({"max_tokens": 5, "max_completion_tokens": 7})");
  EXPECT_EQ(c.value().max_tokens, 5);
}

TEST(GenerationParams, ChatLogprobs) {
  auto r = parse(R"({"logprobs": true, "top_logprobs": 20})", Endpoint::kChatCompletions);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().logprobs);
  EXPECT_EQ(r.value().top_logprobs, 20);
  auto off = parse(R"({"logprobs": false})", Endpoint::kChatCompletions);
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off.value().logprobs);
}

TEST(GenerationParams, LegacyLogprobsZeroStillReportsTokens) {
  auto r = parse(R"({"logprobs": 0})");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().logprobs);
  EXPECT_EQ(r.value().top_logprobs, 0);
}

TEST(GenerationParams, ResponseFormatText) {
  EXPECT_TRUE(parse(R"({"response_format": {"type": "text"}})", Endpoint::kChatCompletions).ok());
  EXPECT_TRUE(parse(R"({"tools": []})", Endpoint::kChatCompletions).ok());
}

struct BadCase {
  const char* name;
  const char* body;
  const char* param;  // expected `param` of the 400
  Endpoint endpoint = Endpoint::kCompletions;
};

class GenerationParamsRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(GenerationParamsRejects, With400NamingTheField) {
  const BadCase& c = GetParam();
  auto r = parse(c.body, c.endpoint);
  ASSERT_FALSE(r.ok()) << c.body;
  EXPECT_EQ(r.error().status.code(), StatusCode::kInvalidArgument) << c.body;
  EXPECT_EQ(r.error().param, c.param) << c.body << ": " << r.error().status.message();
  EXPECT_FALSE(r.error().status.message().empty());
}

constexpr Endpoint kChat = Endpoint::kChatCompletions;

INSTANTIATE_TEST_SUITE_P(
    Fields, GenerationParamsRejects,
    ::testing::Values(
        BadCase{"model_number", R"({"model": 3})", "model"},
        BadCase{"temperature_high", R"({"temperature": 2.5})", "temperature"},
        BadCase{"temperature_negative", R"({"temperature": -0.1})", "temperature"},
        BadCase{"temperature_string", R"({"temperature": "0.5"})", "temperature"},
        BadCase{"temperature_bool", R"({"temperature": true})", "temperature"},
        BadCase{"top_p_high", R"({"top_p": 1.5})", "top_p"},
        BadCase{"top_p_negative", R"({"top_p": -1})", "top_p"},
        BadCase{"top_k_below_minus_one", R"({"top_k": -2})", "top_k"},
        BadCase{"top_k_float", R"({"top_k": 1.5})", "top_k"},
        BadCase{"min_p_high", R"({"min_p": 2})", "min_p"},
        BadCase{"repetition_penalty_zero", R"({"repetition_penalty": 0})", "repetition_penalty"},
        BadCase{"repetition_penalty_negative", R"({"repetition_penalty": -1})",
                "repetition_penalty"},
        BadCase{"frequency_penalty_high", R"({"frequency_penalty": 2.1})", "frequency_penalty"},
        BadCase{"presence_penalty_low", R"({"presence_penalty": -3})", "presence_penalty"},
        BadCase{"seed_string", R"({"seed": "42"})", "seed"},
        BadCase{"seed_float", R"({"seed": 4.2})", "seed"},
        BadCase{"max_tokens_negative", R"({"max_tokens": -1})", "max_tokens"},
        BadCase{"max_tokens_zero", R"({"max_tokens": 0})", "max_tokens"},
        BadCase{"max_tokens_string", R"({"max_tokens": "10"})", "max_tokens"},
        BadCase{"max_tokens_huge", R"({"max_tokens": 1e30})", "max_tokens"},
        BadCase{"max_completion_tokens_negative", R"({"max_completion_tokens": -5})",
                "max_completion_tokens", kChat},
        BadCase{"stop_number", R"({"stop": 5})", "stop"},
        BadCase{"stop_array_of_numbers", R"({"stop": [1]})", "stop"},
        BadCase{"stop_too_many", R"({"stop": ["a","b","c","d","e","f","g","h","i","j","k","l",
                                             "m","n","o","p","q"]})",
                "stop"},
        BadCase{"n_zero", R"({"n": 0})", "n"}, BadCase{"n_negative", R"({"n": -1})", "n"},
        BadCase{"n_above_max", R"({"n": 17})", "n"},
        BadCase{"stream_string", R"({"stream": "yes"})", "stream"},
        BadCase{"stream_options_without_stream", R"({"stream_options": {"include_usage": true}})",
                "stream_options"},
        BadCase{"stream_options_not_object", R"({"stream": true, "stream_options": 1})",
                "stream_options"},
        BadCase{"include_usage_string",
                R"({"stream": true, "stream_options": {"include_usage": "y"}})",
                "stream_options.include_usage"},
        BadCase{"user_number", R"({"user": 7})", "user"},
        BadCase{"ignore_eos_number", R"({"ignore_eos": 1})", "ignore_eos"},
        BadCase{"logit_bias_array", R"({"logit_bias": [1]})", "logit_bias"},
        BadCase{"logit_bias_key_not_id", R"({"logit_bias": {"abc": 1}})", "logit_bias"},
        BadCase{"logit_bias_key_out_of_vocab", R"({"logit_bias": {"512": 1}})", "logit_bias"},
        BadCase{"logit_bias_key_negative", R"({"logit_bias": {"-1": 1}})", "logit_bias"},
        BadCase{"logit_bias_value_range", R"({"logit_bias": {"1": 101}})", "logit_bias"},
        BadCase{"logit_bias_value_string", R"({"logit_bias": {"1": "x"}})", "logit_bias"},
        BadCase{"legacy_logprobs_high", R"({"logprobs": 6})", "logprobs"},
        BadCase{"legacy_logprobs_negative", R"({"logprobs": -1})", "logprobs"},
        BadCase{"legacy_logprobs_bool", R"({"logprobs": true})", "logprobs"},
        BadCase{"chat_logprobs_int", R"({"logprobs": 3})", "logprobs", kChat},
        BadCase{"chat_top_logprobs_high", R"({"logprobs": true, "top_logprobs": 21})",
                "top_logprobs", kChat},
        BadCase{"chat_top_logprobs_without_logprobs", R"({"top_logprobs": 2})", "top_logprobs",
                kChat},
        BadCase{"tools", R"({"tools": [{"type": "function"}]})", "tools", kChat},
        BadCase{"functions", R"({"functions": [{"name": "f"}]})", "functions", kChat},
        BadCase{"response_format_json", R"({"response_format": {"type": "json_object"}})",
                "response_format", kChat},
        BadCase{"response_format_string", R"({"response_format": "text"})", "response_format",
                kChat}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

}  // namespace
}  // namespace liftoff::server::openai
