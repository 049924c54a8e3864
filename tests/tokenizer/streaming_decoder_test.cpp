#include <gtest/gtest.h>

#include <algorithm>

#include "test_data.h"

namespace liftoff::tokenizer {
namespace {

// Pushes every id, checking each emitted chunk is valid UTF-8 on its own.
std::string stream(const Tokenizer& tok, const std::vector<TokenId>& ids,
                   std::vector<std::string>* chunks = nullptr) {
  StreamingDecoder decoder(tok);
  std::string text;
  for (TokenId id : ids) {
    const std::string chunk = decoder.push(id);
    EXPECT_EQ(chunk.size(), testing::valid_utf8_prefix(chunk)) << "partial UTF-8 emitted";
    if (chunks != nullptr) chunks->push_back(chunk);
    text += chunk;
  }
  text += decoder.flush();
  return text;
}

class StreamingDecoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tok = testing::load_gguf_tokenizer(testing::models_dir() / "gguf/stories260K-f32.gguf");
    ASSERT_TRUE(tok.ok()) << tok.status().to_string();
    tok_ = std::make_unique<Tokenizer>(std::move(tok).value());
  }
  std::unique_ptr<Tokenizer> tok_;
};

TEST_F(StreamingDecoderTest, HoldsEmojiBytesUntilComplete) {
  // With a 512-token vocabulary every emoji is four byte-fallback tokens.
  const std::vector<TokenId> ids = tok_->encode("emoji 🙂🚀 test", false, false);
  std::vector<std::string> chunks;
  EXPECT_EQ(stream(*tok_, ids, &chunks), " emoji 🙂🚀 test");
  EXPECT_NE(std::find(chunks.begin(), chunks.end(), "🙂"), chunks.end());
  EXPECT_NE(std::find(chunks.begin(), chunks.end(), "🚀"), chunks.end());
}

TEST_F(StreamingDecoderTest, CjkAndSkinToneModifier) {
  for (const std::string text : {"日本語のテキスト", "👍🏽", "Привет, мир", "Café naïve"}) {
    EXPECT_EQ(stream(*tok_, tok_->encode(text, true, false)), " " + text);
  }
}

TEST_F(StreamingDecoderTest, ControlTokensAreSilent) {
  EXPECT_EQ(stream(*tok_, {1, 346, 306, 414, 2}), " Hello");
}

TEST_F(StreamingDecoderTest, DanglingBytesBecomeReplacementCharacterOnFlush) {
  // <0xF0> <0x9F> = the first half of an emoji, then the stream ends.
  StreamingDecoder decoder(*tok_);
  EXPECT_EQ(decoder.push(0xF0 + 3), "");
  EXPECT_EQ(decoder.push(0x9F + 3), "");
  EXPECT_EQ(decoder.flush(), "\xef\xbf\xbd\xef\xbf\xbd");
  // A stray continuation byte is invalid at once.
  EXPECT_EQ(decoder.push(0x80 + 3), "\xef\xbf\xbd");
  EXPECT_EQ(decoder.push(261), " a");
}

TEST(StreamingDecoder, ByteLevelBpeSplitsCharactersAcrossTokens) {
  auto tok = Tokenizer::from_hf_json(testing::models_dir() / "tokenizers/llama3/tokenizer.json");
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  const std::string text = "Emoji 🦙🦙 and 𝄞 ok";
  const std::vector<TokenId> ids = tok->encode(text, false, false);
  // At least one token must carry only part of a character, or the test proves nothing.
  bool split_character = false;
  for (TokenId id : ids) {
    const std::string piece = tok->token_to_piece(id);
    if (testing::valid_utf8_prefix(piece) != piece.size()) split_character = true;
  }
  EXPECT_TRUE(split_character);
  EXPECT_EQ(stream(*tok, ids), text);
}

}  // namespace
}  // namespace liftoff::tokenizer
