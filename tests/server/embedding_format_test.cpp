// Embedding responses: float arrays, and base64 of little-endian float32 as OpenAI sends it.
#include "liftoff/server/openai/embedding_format.h"

#include <gtest/gtest.h>

namespace liftoff::server::openai {
namespace {

TEST(EmbeddingFormat, FloatResponse) {
  auto j = embedding_response({{0.6f, 0.8f}, {1.0f, 0.0f}}, false, "stories", 9);
  EXPECT_EQ(j["object"], "list");
  EXPECT_EQ(j["model"], "stories");
  ASSERT_EQ(j["data"].size(), 2u);
  EXPECT_EQ(j["data"][1]["object"], "embedding");
  EXPECT_EQ(j["data"][1]["index"], 1);
  EXPECT_EQ(j["data"][0]["embedding"].size(), 2u);
  EXPECT_FLOAT_EQ(j["data"][0]["embedding"][1].get<float>(), 0.8f);
  EXPECT_EQ(j["usage"]["prompt_tokens"], 9);
  EXPECT_EQ(j["usage"]["total_tokens"], 9);
}

TEST(EmbeddingFormat, Base64OfLittleEndianFloats) {
  // 1.0f = 00 00 80 3f, -2.0f = 00 00 00 c0: bytes 00 00 80 3f 00 00 00 c0.
  EXPECT_EQ(base64_floats(std::vector<float>{1.0f, -2.0f}), "AACAPwAAAMA=");
  EXPECT_EQ(base64_floats(std::vector<float>{1.0f}), "AACAPw==");
  EXPECT_EQ(base64_floats(std::vector<float>{}), "");
  auto j = embedding_response({{1.0f}}, true, "m", 1);
  EXPECT_EQ(j["data"][0]["embedding"], "AACAPw==");
}

}  // namespace
}  // namespace liftoff::server::openai
