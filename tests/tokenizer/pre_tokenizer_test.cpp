#include "liftoff/tokenizer/pre_tokenizer.h"

#include <gtest/gtest.h>

#include "liftoff/tokenizer/pre_tokenizer_presets.h"

namespace liftoff::tokenizer {
namespace {

std::vector<std::string> split(const std::vector<std::string>& regexes, std::string_view text) {
  auto pre = PreTokenizer::create(regexes);
  EXPECT_TRUE(pre.ok()) << pre.status().to_string();
  std::vector<std::string> out;
  for (std::string_view piece : pre->split(text)) out.emplace_back(piece);
  return out;
}

std::vector<std::string> preset_split(std::string_view name, std::string_view text) {
  auto preset = preset_for_name(name);
  EXPECT_TRUE(preset.ok()) << preset.status().to_string();
  return split(preset->regexes, text);
}

using Pieces = std::vector<std::string>;

TEST(PreTokenizer, Gpt2SplitsWordsNumbersAndSpaces) {
  EXPECT_EQ(preset_split("gpt-2", "Hello world, it's 2024!  ok"),
            (Pieces{"Hello", " world", ",", " it", "'s", " 2024", "!", " ", " ok"}));
}

TEST(PreTokenizer, Llama3GroupsDigitsInThreesAndKeepsNewlineRuns) {
  EXPECT_EQ(preset_split("llama-bpe", "x 1234567\n\n  y"),
            (Pieces{"x", " ", "123", "456", "7", "\n\n", " ", " y"}));
  EXPECT_EQ(preset_split("llama3", "I'M here"), (Pieces{"I", "'M", " here"}));
}

TEST(PreTokenizer, LaterRegexesSplitThePiecesOfEarlierOnes) {
  // deepseek-coder: newlines, letters, punctuation, CJK, then single digits.
  EXPECT_EQ(preset_split("deepseek-coder", "ab12\ncd!"), (Pieces{"ab", "1", "2", "\n", "cd", "!"}));
}

TEST(PreTokenizer, EmptyMatchesSplitWithoutLooping) {
  // superbpe: lookahead-only pattern cutting digit runs into groups of three from the right.
  EXPECT_EQ(preset_split("superbpe", "1234567"), (Pieces{"1", "234", "567"}));
}

TEST(PreTokenizer, WhitespaceIsWhiteSpaceNotPcreSpace) {
  // U+180E counts as \s for PCRE2 10.42 but not for llama.cpp or Hugging Face.
  EXPECT_EQ(pcre_pattern_for("\\s+"),
            "[\\t-\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}"
            "\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}]+");
  EXPECT_EQ(split({"\\s+"},
                  "a\xe1\xa0\x8e"
                  "b \xc2\x85"),
            (Pieces{"a\xe1\xa0\x8e"
                    "b",
                    " \xc2\x85"}));
  EXPECT_EQ(split({"[^\\s]+"}, "a b"), (Pieces{"a", " ", "b"}));
  EXPECT_EQ(split({"[]a]+"}, "]a b"), (Pieces{"]a", " b"}));  // ']' first in a class is literal
}

TEST(PreTokenizer, PiecesCoverTheText) {
  const std::string text = "Mixed: ünïcödé, 日本語, emoji 🙂🚀 and\ttabs\r\n";
  auto pieces = preset_split("qwen2", text);
  std::string joined;
  for (const auto& p : pieces) joined += p;
  EXPECT_EQ(joined, text);
  EXPECT_TRUE(preset_split("qwen2", "").empty());
}

TEST(PreTokenizer, BadRegexIsAnError) {
  auto pre = PreTokenizer::create({"(unclosed"});
  ASSERT_FALSE(pre.ok());
  EXPECT_EQ(pre.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(pre.status().message().find("(unclosed"), std::string::npos);
}

TEST(PreTokenizerPresets, NamesAndRegexes) {
  auto unknown = preset_for_name("no-such-pre");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("no-such-pre"), std::string::npos);
  EXPECT_EQ(preset_for_name("")->name, "default");
  EXPECT_TRUE(preset_for_name("llama-bpe")->ignore_merges);
  EXPECT_FALSE(preset_for_name("qwen2")->clean_spaces);

  const std::string hf_llama3 =
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
      "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  auto found = preset_for_regexes({adapt_hf_regex(hf_llama3)});
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->name, "llama3");
  EXPECT_FALSE(preset_for_regexes({"\\d+"}).has_value());
}

TEST(PreTokenizerPresets, EveryPresetCompilesAndCoversItsInput) {
  const std::string text =
      "Hello World! It's 12345 ünïcödé 日本語 🙂 <sentinel:7> IMGIMGABZ\n\n\t  end  ";
  for (std::string_view name : known_pre_tokenizers()) {
    SCOPED_TRACE(std::string(name));
    auto preset = preset_for_name(name);
    ASSERT_TRUE(preset.ok());
    auto pre = PreTokenizer::create(preset->regexes);
    ASSERT_TRUE(pre.ok()) << pre.status().to_string();
    std::string joined;
    for (std::string_view piece : pre->split(text)) {
      EXPECT_FALSE(piece.empty());
      joined += piece;
    }
    EXPECT_EQ(joined, text);
  }
}

TEST(PreTokenizer, LongPiecesOutgrowingTheJitStackStillSplit) {
  // gpt-4o's repeated lookahead groups need more than PCRE2 JIT's default stack here.
  const std::string text = std::string(200000, 'X') + std::string(1000, ' ') + "y";
  const auto pieces = preset_split("gpt-4o", text);
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[0].size(), 200000u);
  EXPECT_EQ(pieces[1].size(), 999u);
  EXPECT_EQ(pieces[2], " y");
}

}  // namespace
}  // namespace liftoff::tokenizer
