// json_body: only JSON objects get through; deep nesting is refused before parsing.
#include "liftoff/server/openai/json_body.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace liftoff::server::openai {
namespace {

TEST(JsonBody, AcceptsObjects) {
  auto r = parse_json_object(R"({"a": [1, {"b": "c"}]})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()["a"][1]["b"], "c");
}

TEST(JsonBody, RejectsNonObjectsAndGarbage) {
  for (const char* body : {"", "   ", "[1,2]", "42", "\"s\"", "null", "{", "{\"a\":}", "{'a':1}",
                           "{\"a\":1} trailing", "{\"a\":\"\xff\"}"}) {
    auto r = parse_json_object(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().status.code(), StatusCode::kInvalidArgument) << body;
  }
}

TEST(JsonBody, RejectsDeepNesting) {
  std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto r = parse_json_object(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().status.message().find("deeper"), std::string::npos);
  // Unbalanced openers are refused the same way, without recursion.
  EXPECT_FALSE(parse_json_object(std::string(1 << 20, '[')).ok());
}

TEST(JsonBody, BracketsInsideStringsDoNotCount) {
  std::string body = "{\"a\":\"" + std::string(1000, '[') + "\\\"" + std::string(1000, '{') + "\"}";
  EXPECT_TRUE(parse_json_object(body).ok());
}

TEST(JsonBody, DumpReplacesInvalidUtf8) {
  nlohmann::json j = {{"t", std::string("a\xe2\x82")}};
  std::string out;
  ASSERT_NO_THROW(out = dump_json(j));
  EXPECT_EQ(out, "{\"t\":\"a\xef\xbf\xbd\"}");
}

}  // namespace
}  // namespace liftoff::server::openai
