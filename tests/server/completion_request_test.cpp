// /v1/completions bodies: the four prompt shapes and the unsupported fields.
#include "liftoff/server/openai/completion_request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace liftoff::server::openai {
namespace {

constexpr ParseLimits kLimits{512, 16};

ApiResult<CompletionRequest> parse(const std::string& body) {
  return parse_completion_request(nlohmann::json::parse(body), kLimits);
}

TEST(CompletionRequest, StringPrompt) {
  auto r = parse(R"({"model": "m", "prompt": "Once upon"})");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().prompts.size(), 1u);
  EXPECT_FALSE(r.value().prompts[0].is_tokens);
  EXPECT_EQ(r.value().prompts[0].text, "Once upon");
}

TEST(CompletionRequest, EmptyStringPromptIsAllowed) {
  auto r = parse(R"({"prompt": ""})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().prompts[0].text, "");
}

TEST(CompletionRequest, ArrayOfStrings) {
  auto r = parse(R"({"prompt": ["a", "b", "c"], "n": 2})");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().prompts.size(), 3u);
  EXPECT_EQ(r.value().prompts[2].text, "c");
  EXPECT_EQ(r.value().params.n, 2);
}

TEST(CompletionRequest, TokenIds) {
  auto r = parse(R"({"prompt": [1, 2, 511]})");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().prompts.size(), 1u);
  EXPECT_TRUE(r.value().prompts[0].is_tokens);
  EXPECT_EQ(r.value().prompts[0].tokens, (std::vector<int32_t>{1, 2, 511}));
}

TEST(CompletionRequest, ArrayOfTokenArrays) {
  auto r = parse(R"({"prompt": [[1, 2], [3]]})");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().prompts.size(), 2u);
  EXPECT_EQ(r.value().prompts[1].tokens, std::vector<int32_t>{3});
}

TEST(CompletionRequest, BestOfEqualToNAndEchoFalseAreFine) {
  EXPECT_TRUE(parse(R"({"prompt": "x", "best_of": 1})").ok());
  EXPECT_TRUE(parse(R"({"prompt": "x", "n": 2, "best_of": 2})").ok());
  EXPECT_TRUE(parse(R"({"prompt": "x", "echo": false, "suffix": null})").ok());
  EXPECT_TRUE(parse(R"({"prompt": "x", "suffix": ""})").ok());
}

struct BadCase {
  const char* name;
  const char* body;
  const char* param;
};

class CompletionRequestRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(CompletionRequestRejects, With400) {
  auto r = parse(GetParam().body);
  ASSERT_FALSE(r.ok()) << GetParam().body;
  EXPECT_EQ(r.error().status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.error().param, GetParam().param) << r.error().status.message();
}

INSTANTIATE_TEST_SUITE_P(
    Prompts, CompletionRequestRejects,
    ::testing::Values(
        BadCase{"missing_prompt", R"({"model": "m"})", "prompt"},
        BadCase{"null_prompt", R"({"prompt": null})", "prompt"},
        BadCase{"number_prompt", R"({"prompt": 5})", "prompt"},
        BadCase{"object_prompt", R"({"prompt": {"a": 1}})", "prompt"},
        BadCase{"empty_array", R"({"prompt": []})", "prompt"},
        BadCase{"mixed_array", R"({"prompt": ["a", 1]})", "prompt"},
        BadCase{"mixed_nested", R"({"prompt": [[1], "a"]})", "prompt"},
        BadCase{"token_out_of_vocab", R"({"prompt": [1, 512]})", "prompt"},
        BadCase{"token_negative", R"({"prompt": [-1]})", "prompt"},
        BadCase{"token_float", R"({"prompt": [1.5]})", "prompt"},
        BadCase{"nested_empty", R"({"prompt": [[1], []]})", "prompt[1]"},
        BadCase{"nested_out_of_vocab", R"({"prompt": [[1], [9999]]})", "prompt[1]"},
        BadCase{"best_of_other_than_n", R"({"prompt": "x", "best_of": 3})", "best_of"},
        BadCase{"echo_true", R"({"prompt": "x", "echo": true})", "echo"},
        BadCase{"suffix", R"({"prompt": "x", "suffix": "end"})", "suffix"},
        BadCase{"bad_shared_field", R"({"prompt": "x", "temperature": 9})", "temperature"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

}  // namespace
}  // namespace liftoff::server::openai
