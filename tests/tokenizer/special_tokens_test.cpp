#include "liftoff/tokenizer/special_tokens.h"

#include <gtest/gtest.h>

namespace liftoff::tokenizer {
namespace {

Vocab vocab_with_specials() {
  Vocab v;
  v.type = VocabType::kBpe;
  v.add_token("x", 0, TokenKind::kNormal);             // 0
  v.add_token("<s>", 0, TokenKind::kControl);          // 1
  v.add_token("<|im_end|>", 0, TokenKind::kControl);   // 2
  v.add_token("<|im", 0, TokenKind::kControl);         // 3  a prefix of 2
  v.add_token("<think>", 0, TokenKind::kUserDefined);  // 4
  v.add_token("<pad>", 0, TokenKind::kControl);        // 5
  EXPECT_TRUE(v.finalize("", "").is_ok());
  return v;
}

// Fragments as readable strings: "[id]" for tokens, the text for raw runs.
std::vector<std::string> parts(const Vocab& v, std::string_view text, bool parse_special) {
  std::vector<std::string> out;
  for (const Fragment& f : partition_special(v, text, parse_special)) {
    out.push_back(f.token != -1 ? "[" + std::to_string(f.token) + "]"
                                : std::string(text.substr(f.offset, f.length)));
  }
  return out;
}

using Parts = std::vector<std::string>;

TEST(PartitionSpecial, SplitsControlTokensOnlyWhenParsing) {
  const Vocab v = vocab_with_specials();
  EXPECT_EQ(parts(v, "a<s>b<s>", true), (Parts{"a", "[1]", "b", "[1]"}));
  EXPECT_EQ(parts(v, "a<s>b", false), (Parts{"a<s>b"}));
  EXPECT_TRUE(parts(v, "", true).empty());
}

TEST(PartitionSpecial, UserDefinedTokensAreAlwaysSplit) {
  const Vocab v = vocab_with_specials();
  EXPECT_EQ(parts(v, "<think>hi", false), (Parts{"[4]", "hi"}));
}

TEST(PartitionSpecial, LongestTokenWins) {
  const Vocab v = vocab_with_specials();
  EXPECT_EQ(parts(v, "x<|im_end|>y<|im", true), (Parts{"x", "[2]", "y", "[3]"}));
}

TEST(PartitionSpecial, LstripAndRstripSwallowAsciiWhitespace) {
  Vocab v = vocab_with_specials();
  v.tokens[5].attr |= kAttrLstrip | kAttrRstrip;
  EXPECT_EQ(parts(v, "a \t<pad>\n b", true), (Parts{"a", "[5]", "b"}));
  EXPECT_EQ(parts(v, "  <pad>  ", true), (Parts{"[5]"}));
}

}  // namespace
}  // namespace liftoff::tokenizer
