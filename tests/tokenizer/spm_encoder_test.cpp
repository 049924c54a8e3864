#include "liftoff/tokenizer/spm_encoder.h"

#include <gtest/gtest.h>

#include <random>

#include "liftoff/formats/gguf_reader.h"
#include "liftoff/tokenizer/unicode.h"
#include "liftoff/tokenizer/vocab_from_model_file.h"
#include "test_data.h"

namespace liftoff::tokenizer {
namespace {

// A small SPM vocabulary: unk, two byte tokens, and scored pieces.
Vocab small_vocab() {
  Vocab v;
  v.type = VocabType::kSpm;
  v.add_token("<unk>", 0, TokenKind::kUnknown);  // 0
  v.add_token("<0x21>", 0, TokenKind::kByte);    // 1  '!'
  v.add_token("<0xC3>", 0, TokenKind::kByte);    // 2
  v.add_token("a", -1, TokenKind::kNormal);      // 3
  v.add_token("b", -1, TokenKind::kNormal);      // 4
  v.add_token("ab", -2, TokenKind::kNormal);     // 5
  v.add_token("ba", -3, TokenKind::kNormal);     // 6
  v.add_token("aba", -1, TokenKind::kNormal);    // 7
  v.unk = 0;
  EXPECT_TRUE(v.finalize("", "").is_ok());
  return v;
}

std::vector<TokenId> encode(const Vocab& v, std::string_view text) {
  std::vector<TokenId> out;
  SpmEncoder(v).encode(v, text, out);
  return out;
}

TEST(SpmEncoder, MergesHighestScoreFirstAndLeftmostOnTies) {
  const Vocab v = small_vocab();
  // "abab": ab (-2) beats ba (-3); the two "ab" pairs tie and the left one goes first, which
  // makes "ab"+"a" = "aba" (-1) available, and that beats the right "ab".
  EXPECT_EQ(encode(v, "abab"), (std::vector<TokenId>{7, 4}));
  // "bab": only "ba" (-3) and "ab" (-2): "ab" wins.
  EXPECT_EQ(encode(v, "bab"), (std::vector<TokenId>{4, 5}));
  // "aba": ab first (-2), then "ab"+"a" = "aba" (-1).
  EXPECT_EQ(encode(v, "aba"), (std::vector<TokenId>{7}));
}

TEST(SpmEncoder, UnknownCharactersFallBackToBytesThenUnk) {
  const Vocab v = small_vocab();
  EXPECT_EQ(encode(v, "a!"), (std::vector<TokenId>{3, 1}));
  // 'é' = C3 A9: <0xC3> exists, <0xA9> does not and no one-byte text either -> <unk>.
  EXPECT_EQ(encode(v, "\xc3\xa9"), (std::vector<TokenId>{2, 0}));
  EXPECT_TRUE(encode(v, "").empty());
}

// The textbook algorithm: rescan all adjacent pairs after every merge. O(n^2), obviously right.
std::vector<TokenId> reference_spm(const Vocab& v, std::string_view text) {
  std::vector<std::string> symbols;
  for (size_t i = 0; i < text.size();) {
    const size_t n =
        std::min(unicode::sequence_length(static_cast<uint8_t>(text[i])), text.size() - i);
    symbols.emplace_back(text.substr(i, n));
    i += n;
  }
  for (;;) {
    int best = -1;
    float best_score = 0;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      const TokenId id = v.find(symbols[i] + symbols[i + 1]);
      if (id != -1 && (best == -1 || v.tokens[id].score > best_score)) {
        best = static_cast<int>(i);
        best_score = v.tokens[id].score;
      }
    }
    if (best == -1) break;
    symbols[best] += symbols[best + 1];
    symbols.erase(symbols.begin() + best + 1);
  }
  std::vector<TokenId> out;
  for (const std::string& s : symbols) {
    const TokenId id = v.find(s);
    if (id != -1) {
      out.push_back(id);
      continue;
    }
    for (char c : s) {
      const TokenId b = spm_byte_token(v, static_cast<uint8_t>(c));
      if (b != -1) out.push_back(b);
    }
  }
  return out;
}

TEST(SpmEncoder, MatchesTheQuadraticReferenceOnRandomText) {
  auto file = formats::read_gguf(testing::models_dir() / "vocab/ggml-vocab-llama-spm.gguf");
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  auto vocab = vocab_from_model_file(*file);
  ASSERT_TRUE(vocab.ok()) << vocab.status().to_string();
  const std::vector<std::string> alphabet = {"\xe2\x96\x81",
                                             "\xe2\x96\x81",
                                             "\n",
                                             "\t",
                                             "e",
                                             "t",
                                             "a",
                                             "th",
                                             "in",
                                             "er",
                                             "The",
                                             "1",
                                             "2",
                                             ".",
                                             ",",
                                             "!",
                                             "\xc3\xa9",
                                             "\xe6\x97\xa5",
                                             "\xf0\x9f\x99\x82",
                                             "\x80",
                                             "\xe6",
                                             "\r"};
  std::mt19937 rng(1234);
  for (int round = 0; round < 300; ++round) {
    std::string text;
    const int n = std::uniform_int_distribution<int>(0, 60)(rng);
    for (int i = 0; i < n; ++i) {
      text += alphabet[std::uniform_int_distribution<size_t>(0, alphabet.size() - 1)(rng)];
    }
    std::vector<TokenId> got;
    SpmEncoder(*vocab).encode(*vocab, text, got);
    ASSERT_EQ(got, reference_spm(*vocab, text)) << "text: '" << text << "'";
  }
}

}  // namespace
}  // namespace liftoff::tokenizer
