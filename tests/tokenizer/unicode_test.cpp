#include "liftoff/tokenizer/unicode.h"

#include <gtest/gtest.h>

namespace liftoff::tokenizer::unicode {
namespace {

TEST(Unicode, DecodesAndEncodesEveryLength) {
  const std::string text = "a\xc3\xa9\xe6\x97\xa5\xf0\x9f\x99\x82";  // a é 日 🙂
  EXPECT_EQ(decode(text), (std::vector<uint32_t>{'a', 0xE9, 0x65E5, 0x1F642}));
  std::string out;
  for (uint32_t cpt : decode(text)) append_utf8(cpt, out);
  EXPECT_EQ(out, text);
}

TEST(Unicode, InvalidBytesDecodeToReplacementOneByteAtATime) {
  EXPECT_EQ(decode("\x80x"), (std::vector<uint32_t>{kReplacementChar, 'x'}));
  EXPECT_EQ(decode("\xe6\x97"), (std::vector<uint32_t>{kReplacementChar, kReplacementChar}));
  EXPECT_EQ(decode("\xff"), std::vector<uint32_t>{kReplacementChar});
  EXPECT_EQ(decode("\xf7\xbf\xbf\xbf"),
            (std::vector<uint32_t>(4, kReplacementChar)));  // > U+10FFFF
}

TEST(Unicode, SanitizeKeepsValidTextAndRepairsTheRest) {
  EXPECT_EQ(sanitize("plain \xe6\x97\xa5"), "plain \xe6\x97\xa5");
  EXPECT_EQ(sanitize("a\x80"), "a\xef\xbf\xbd");
  EXPECT_EQ(sanitize("\xc1\x81"), "A");                 // overlong 'A', as llama.cpp reads it
  EXPECT_EQ(sanitize("\xed\xa0\x80"), "\xef\xbf\xbd");  // a surrogate is not valid UTF-8
  EXPECT_EQ(encode(0xD800), "\xef\xbf\xbd");
}

TEST(Unicode, CompletePrefixHoldsBackOnlyUnfinishedSequences) {
  EXPECT_EQ(complete_prefix_length("abc"), 3u);
  EXPECT_EQ(complete_prefix_length("ab\xf0\x9f"), 2u);
  EXPECT_EQ(complete_prefix_length("ab\xf0\x9f\x99"), 2u);
  EXPECT_EQ(complete_prefix_length("ab\xf0\x9f\x99\x82"), 6u);
  EXPECT_EQ(complete_prefix_length("\xe6"), 0u);
  EXPECT_EQ(complete_prefix_length("\xe0\x80"), 2u);  // E0 80 can never complete: not held
  EXPECT_EQ(complete_prefix_length("x\x80"), 2u);     // stray continuation byte
  EXPECT_EQ(complete_prefix_length(""), 0u);
}

TEST(Unicode, Classes) {
  EXPECT_EQ(char_class('a'), CharClass::kLetter);
  EXPECT_EQ(char_class(0x65E5), CharClass::kLetter);
  EXPECT_EQ(char_class('7'), CharClass::kNumber);
  EXPECT_EQ(char_class(0x0301), CharClass::kMark);
  EXPECT_EQ(char_class('!'), CharClass::kPunctuation);
  EXPECT_EQ(char_class('$'), CharClass::kSymbol);
  EXPECT_EQ(char_class(0x1F642), CharClass::kSymbol);
  EXPECT_EQ(char_class(' '), CharClass::kSeparator);
  EXPECT_EQ(char_class('\n'), CharClass::kOther);
  EXPECT_EQ(char_class(0x0378), CharClass::kUnassigned);
  EXPECT_EQ(char_class(0x110000), CharClass::kUnassigned);
}

TEST(Unicode, WhitespaceIsTheWhiteSpaceProperty) {
  for (uint32_t c :
       {0x09u, 0x0Du, 0x20u, 0x85u, 0xA0u, 0x1680u, 0x2000u, 0x200Au, 0x2028u, 0x3000u}) {
    EXPECT_TRUE(is_whitespace(c)) << std::hex << c;
  }
  for (uint32_t c : {0x08u, 0x1Cu, 0x180Eu, 0x200Bu, 0x61u}) {
    EXPECT_FALSE(is_whitespace(c)) << std::hex << c;
  }
}

TEST(Unicode, LowercaseAndNfd) {
  EXPECT_EQ(to_lower('A'), static_cast<uint32_t>('a'));
  EXPECT_EQ(to_lower(0xC9), 0xE9u);    // É
  EXPECT_EQ(to_lower(0x0130), 0x69u);  // İ: simple mapping
  EXPECT_EQ(to_lower('a'), static_cast<uint32_t>('a'));
  EXPECT_EQ(nfd_first(0xE9), static_cast<uint32_t>('e'));
  EXPECT_EQ(nfd_first(0x1E69), static_cast<uint32_t>('s'));  // ṩ
  EXPECT_EQ(nfd_first(0xAC00), 0x1100u);                     // 가 -> ᄀ
  EXPECT_EQ(nfd_first('q'), static_cast<uint32_t>('q'));
  EXPECT_TRUE(is_cjk_ideograph(0x65E5));
  EXPECT_FALSE(is_cjk_ideograph(0x3042));  // hiragana
}

}  // namespace
}  // namespace liftoff::tokenizer::unicode
