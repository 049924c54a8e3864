#include "liftoff/tokenizer/wpm_encoder.h"

#include <gtest/gtest.h>

#include "test_data.h"

namespace liftoff::tokenizer {
namespace {

using Words = std::vector<std::string>;

TEST(WpmSplitWords, LowercasesStripsAccentsAndIsolatesPunctuation) {
  EXPECT_EQ(wpm_split_words("Héllo, WORLD!", true, true), (Words{"hello", ",", "world", "!"}));
  EXPECT_EQ(wpm_split_words("Héllo", false, false), (Words{"Héllo"}));
  EXPECT_EQ(wpm_split_words("a$b+c", true, true), (Words{"a", "$", "b", "+", "c"}));
  // Non-ASCII symbols stay inside words; CJK ideographs are words of their own.
  EXPECT_EQ(wpm_split_words("x\xe2\x82\xacy \xe6\x97\xa5\xe6\x9c\xac", true, true),
            (Words{"x\xe2\x82\xacy", "\xe6\x97\xa5", "\xe6\x9c\xac"}));
}

TEST(WpmSplitWords, WhitespaceSplitsAndControlCharactersVanish) {
  EXPECT_EQ(wpm_split_words("  a\t\nb\xc2\xa0"
                            "c ",
                            true, true),
            (Words{"a", "b", "c"}));
  EXPECT_EQ(wpm_split_words("a\x01"
                            "b\xe2\x80\x8b"
                            "c",
                            true, true),
            (Words{"abc"}));
  EXPECT_EQ(wpm_split_words("a\x80"
                            "b",
                            true, true),
            (Words{"ab"}));  // invalid byte dropped
  EXPECT_TRUE(wpm_split_words("   ", true, true).empty());
}

TEST(WpmEncoder, GreedyLongestMatchWithUnknownWords) {
  Vocab v;
  v.type = VocabType::kWpm;
  v.add_token("[UNK]", 0, TokenKind::kControl);  // 0
  v.add_token(
      "\xe2\x96\x81"
      "un",
      0, TokenKind::kNormal);  // 1  "▁un"
  v.add_token(
      "\xe2\x96\x81"
      "unaff",
      0, TokenKind::kNormal);                  // 2
  v.add_token("able", 0, TokenKind::kNormal);  // 3
  v.add_token("aff", 0, TokenKind::kNormal);   // 4
  v.add_token(
      "\xe2\x96\x81"
      "!",
      0, TokenKind::kNormal);  // 5
  v.unk = 0;
  ASSERT_TRUE(v.finalize("", "").is_ok());
  std::vector<TokenId> out;
  wpm_encode(v, "Unaffable! xyz", out);
  EXPECT_EQ(out, (std::vector<TokenId>{2, 3, 5, 0}));
}

TEST(WpmEncoder, BertBgeFraming) {
  auto tok = testing::load_gguf_tokenizer(testing::models_dir() / "vocab/ggml-vocab-bert-bge.gguf");
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  const std::vector<TokenId> ids = tok->encode("Hello world", true, false);
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(ids.front(), 101);  // [CLS]
  EXPECT_EQ(ids.back(), 102);   // [SEP]
  EXPECT_EQ(tok->encode("Hello world", false, false), (std::vector<TokenId>{ids[1], ids[2]}));
  // Word-start markers decode to spaces, the first one included (llama.cpp does the same: BERT
  // vocabularies have no space prefix to take off).
  EXPECT_EQ(tok->decode(std::vector<TokenId>{ids[1], ids[2]}), " hello world");
}

}  // namespace
}  // namespace liftoff::tokenizer
