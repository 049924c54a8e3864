#include "liftoff/tokenizer/bpe_encoder.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "liftoff/formats/gguf_reader.h"
#include "liftoff/tokenizer/byte_level.h"
#include "liftoff/tokenizer/unicode.h"
#include "liftoff/tokenizer/vocab_from_model_file.h"
#include "test_data.h"

namespace liftoff::tokenizer {
namespace {

Vocab small_vocab(bool ignore_merges) {
  Vocab v;
  v.type = VocabType::kBpe;
  v.ignore_merges = ignore_merges;
  for (const char* t : {"a", "b", "c", "ab", "bc", "abc", "cab"}) {
    v.add_token(t, 0, TokenKind::kNormal);  // ids 0..6
  }
  v.merges = {{"b", "c"}, {"a", "b"}, {"ab", "c"}, {"a", "bc"}, {"c", "ab"}};
  EXPECT_TRUE(v.finalize("", "").is_ok());
  return v;
}

std::vector<TokenId> encode(const Vocab& v, std::string_view word) {
  std::vector<TokenId> out;
  BpeEncoder::create(v).encode_word(v, word, out);
  return out;
}

TEST(BpeEncoder, AppliesLowestRankFirst) {
  const Vocab v = small_vocab(false);
  // "abc": b+c (rank 0) before a+b (rank 1); then a+bc (rank 3) -> "abc".
  EXPECT_EQ(encode(v, "abc"), std::vector<TokenId>{5});
  // "cab": a+b (rank 1), then c+ab (rank 4) -> "cab".
  EXPECT_EQ(encode(v, "cab"), std::vector<TokenId>{6});
  // "abab": two a+b merges; "ab"+"ab" has no merge.
  EXPECT_EQ(encode(v, "abab"), (std::vector<TokenId>{3, 3}));
}

TEST(BpeEncoder, IgnoreMergesTakesWholeWordsThatAreTokens) {
  Vocab v = small_vocab(true);
  v.merges = {};  // without merges only whole-word lookup can produce "cab"
  EXPECT_EQ(encode(v, "cab"), std::vector<TokenId>{6});
  EXPECT_EQ(encode(v, "cba"), (std::vector<TokenId>{2, 1, 0}));
}

TEST(BpeEncoder, CharactersOutsideTheVocabularyFallBackPerByte) {
  const Vocab v = small_vocab(false);
  EXPECT_EQ(encode(v, "a\xc3\xa9"), std::vector<TokenId>{0});  // é's bytes are not tokens
  EXPECT_TRUE(encode(v, "").empty());
}

// llama.cpp's algorithm on strings: ranks by (left text, right text), rescanning every pair.
std::vector<TokenId> reference_bpe(
    const Vocab& v, std::string_view word,
    const std::map<std::pair<std::string, std::string>, int>& ranks) {
  std::vector<std::string> symbols;
  for (size_t i = 0; i < word.size();) {
    const size_t n =
        std::min(unicode::sequence_length(static_cast<uint8_t>(word[i])), word.size() - i);
    symbols.emplace_back(word.substr(i, n));
    i += n;
  }
  for (;;) {
    int best = -1;
    int best_rank = 0;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      auto it = ranks.find({symbols[i], symbols[i + 1]});
      if (it != ranks.end() && (best == -1 || it->second < best_rank)) {
        best = static_cast<int>(i);
        best_rank = it->second;
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
      const TokenId b = v.find(std::string(1, c));
      if (b != -1) out.push_back(b);
    }
  }
  return out;
}

TEST(BpeEncoder, MatchesTheQuadraticReferenceOnRandomWords) {
  auto file = formats::read_gguf(testing::models_dir() / "vocab/ggml-vocab-gpt-2.gguf");
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  auto vocab = vocab_from_model_file(*file);
  ASSERT_TRUE(vocab.ok()) << vocab.status().to_string();
  std::map<std::pair<std::string, std::string>, int> ranks;
  for (size_t i = 0; i < vocab->merges.size(); ++i) ranks.emplace(vocab->merges[i], i);
  const BpeEncoder encoder = BpeEncoder::create(*vocab);
  const std::vector<std::string> alphabet = {" ",
                                             "e",
                                             "t",
                                             "a",
                                             "o",
                                             "n",
                                             "s",
                                             "th",
                                             "ing",
                                             "er",
                                             "1",
                                             "0",
                                             "\n",
                                             "\xc3\xa9",
                                             "\xe6\x97\xa5",
                                             "\xf0\x9f\x99\x82",
                                             "'",
                                             "-"};
  std::mt19937 rng(99);
  for (int round = 0; round < 500; ++round) {
    std::string word;
    const int n = std::uniform_int_distribution<int>(1, 24)(rng);
    for (int i = 0; i < n; ++i) {
      word += alphabet[std::uniform_int_distribution<size_t>(0, alphabet.size() - 1)(rng)];
    }
    const std::string encoded = byte_level::encode(word);
    std::vector<TokenId> got;
    encoder.encode_word(*vocab, encoded, got);
    ASSERT_EQ(got, reference_bpe(*vocab, encoded, ranks)) << "word: '" << word << "'";
  }
}

}  // namespace
}  // namespace liftoff::tokenizer
