// /v1/chat/completions bodies: messages, roles and content parts.
#include "liftoff/server/openai/chat_request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace liftoff::server::openai {
namespace {

constexpr ParseLimits kLimits{512, 16};

ApiResult<ChatRequest> parse(const std::string& body) {
  return parse_chat_request(nlohmann::json::parse(body), kLimits);
}

TEST(ChatRequest, StringContent) {
  auto r = parse(R"({"model": "m", "messages": [{"role": "system", "content": "Be brief."},
                                                {"role": "user", "content": "Hi"}]})");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().messages.size(), 2u);
  EXPECT_EQ(r.value().messages[0].role, "system");
  EXPECT_EQ(r.value().messages[1].content, "Hi");
}

TEST(ChatRequest, TextPartsAreJoinedWithNewlines) {
  auto r = parse(R"({"messages": [{"role": "user", "content": [
      {"type": "text", "text": "one"}, {"type": "text", "text": "two"}]}]})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().messages[0].content, "one\ntwo");
}

TEST(ChatRequest, DeveloperBecomesSystem) {
  auto r = parse(R"({"messages": [{"role": "developer", "content": "x"}]})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().messages[0].role, "system");
}

TEST(ChatRequest, AssistantMayHaveNoContent) {
  auto r = parse(R"({"messages": [{"role": "user", "content": "a"},
                                  {"role": "assistant", "content": null},
                                  {"role": "user", "content": "b"}]})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().messages[1].content, "");
}

TEST(ChatRequest, ExtraMessageFieldsAreIgnored) {
  auto r = parse(R"({"messages": [{"role": "user", "content": "a", "name": "bob"}],
                     "parallel_tool_calls": false})");
  EXPECT_TRUE(r.ok());
}

struct BadCase {
  const char* name;
  const char* body;
  const char* param;
};

class ChatRequestRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(ChatRequestRejects, With400) {
  auto r = parse(GetParam().body);
  ASSERT_FALSE(r.ok()) << GetParam().body;
  EXPECT_EQ(r.error().status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.error().param, GetParam().param) << r.error().status.message();
}

INSTANTIATE_TEST_SUITE_P(
    Messages, ChatRequestRejects,
    ::testing::Values(
        BadCase{"missing_messages", R"({"model": "m"})", "messages"},
        BadCase{"messages_string", R"({"messages": "hi"})", "messages"},
        BadCase{"messages_empty", R"({"messages": []})", "messages"},
        BadCase{"message_not_object", R"({"messages": ["hi"]})", "messages[0]"},
        BadCase{"missing_role", R"({"messages": [{"content": "hi"}]})", "messages[0].role"},
        BadCase{"role_number", R"({"messages": [{"role": 1, "content": "hi"}]})",
                "messages[0].role"},
        BadCase{"unknown_role", R"({"messages": [{"role": "wizard", "content": "hi"}]})",
                "messages[0].role"},
        BadCase{"tool_role",
                R"({"messages": [{"role": "tool", "content": "x", "tool_call_id": "1"}]})",
                "messages[0].role"},
        BadCase{"function_role", R"({"messages": [{"role": "function", "content": "x"}]})",
                "messages[0].role"},
        BadCase{"missing_user_content", R"({"messages": [{"role": "user"}]})",
                "messages[0].content"},
        BadCase{"content_number", R"({"messages": [{"role": "user", "content": 5}]})",
                "messages[0].content"},
        BadCase{"part_not_object", R"({"messages": [{"role": "user", "content": ["x"]}]})",
                "messages[0].content[0]"},
        BadCase{"image_part", R"({"messages": [{"role": "user", "content": [
                    {"type": "image_url", "image_url": {"url": "http://x"}}]}]})",
                "messages[0].content[0].type"},
        BadCase{"part_without_text", R"({"messages": [{"role": "user", "content": [
                    {"type": "text"}]}]})",
                "messages[0].content[0].text"},
        BadCase{"second_message_bad",
                R"({"messages": [{"role": "user", "content": "a"}, {"role": "x"}]})",
                "messages[1].role"},
        BadCase{"assistant_tool_calls", R"({"messages": [{"role": "assistant", "content": null,
                    "tool_calls": [{"id": "1"}]}]})",
                "messages[0].tool_calls"},
        BadCase{"bad_shared_field",
                R"({"messages": [{"role": "user", "content": "a"}], "top_p": 2})", "top_p"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

}  // namespace
}  // namespace liftoff::server::openai
