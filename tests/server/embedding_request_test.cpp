// /v1/embeddings bodies.
#include "liftoff/server/openai/embedding_request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace liftoff::server::openai {
namespace {

ApiResult<EmbeddingRequest> parse(const std::string& body) {
  return parse_embedding_request(nlohmann::json::parse(body), 512);
}

TEST(EmbeddingRequest, InputShapes) {
  auto one = parse(R"({"model": "m", "input": "hello"})");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one.value().inputs.size(), 1u);
  EXPECT_FALSE(one.value().base64);
  EXPECT_EQ(one.value().model, "m");
  auto many = parse(R"({"input": ["a", "b"], "encoding_format": "base64", "user": "u"})");
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(many.value().inputs.size(), 2u);
  EXPECT_TRUE(many.value().base64);
  EXPECT_EQ(many.value().user, "u");
  auto ids = parse(R"({"input": [1, 2, 3]})");
  ASSERT_TRUE(ids.ok());
  ASSERT_EQ(ids.value().inputs.size(), 1u);
  EXPECT_TRUE(ids.value().inputs[0].is_tokens);
  auto nested = parse(R"({"input": [[1], [2, 3]]})");
  ASSERT_TRUE(nested.ok());
  EXPECT_EQ(nested.value().inputs.size(), 2u);
  EXPECT_TRUE(parse(R"({"input": "x", "encoding_format": "float"})").ok());
}

TEST(EmbeddingRequest, AtMost2048Inputs) {
  nlohmann::json body = {{"input", std::vector<std::string>(2048, "x")}};
  EXPECT_TRUE(parse_embedding_request(body, 512).ok());
  body["input"].push_back("x");
  auto r = parse_embedding_request(body, 512);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().param, "input");
}

struct BadCase {
  const char* name;
  const char* body;
  const char* param;
};

class EmbeddingRequestRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(EmbeddingRequestRejects, With400) {
  auto r = parse(GetParam().body);
  ASSERT_FALSE(r.ok()) << GetParam().body;
  EXPECT_EQ(r.error().status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.error().param, GetParam().param) << r.error().status.message();
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, EmbeddingRequestRejects,
    ::testing::Values(BadCase{"missing_input", R"({"model": "m"})", "input"},
                      BadCase{"empty_string", R"({"input": ""})", "input"},
                      BadCase{"empty_string_in_array", R"({"input": ["a", ""]})", "input[1]"},
                      BadCase{"empty_array", R"({"input": []})", "input"},
                      BadCase{"number", R"({"input": 3})", "input"},
                      BadCase{"out_of_vocab", R"({"input": [600]})", "input"},
                      BadCase{"bad_format", R"({"input": "x", "encoding_format": "hex"})",
                              "encoding_format"},
                      BadCase{"dimensions", R"({"input": "x", "dimensions": 8})", "dimensions"},
                      BadCase{"model_number", R"({"input": "x", "model": 1})", "model"},
                      BadCase{"user_number", R"({"input": "x", "user": 1})", "user"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

}  // namespace
}  // namespace liftoff::server::openai
