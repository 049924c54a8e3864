// Tokenizer facade behaviour that spans encoders: decode rules, out-of-range ids, concurrent use.
#include "liftoff/tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <thread>

#include "test_data.h"

namespace liftoff::tokenizer {
namespace {

using testing::models_dir;

std::vector<std::string> vector_inputs() {
  const auto base = models_dir() / "vocab/ggml-vocab-llama-spm.gguf";
  auto cases = testing::read_vocab_cases(base.string() + ".inp", base.string() + ".out");
  EXPECT_TRUE(cases.ok()) << cases.status().to_string();
  std::vector<std::string> texts;
  if (cases.ok()) {
    for (const auto& c : *cases) texts.push_back(c.text);
  }
  return texts;
}

TEST(Tokenizer, DecodeInvertsEncodeForSpmAndByteLevelBpe) {
  auto spm = testing::load_gguf_tokenizer(models_dir() / "vocab/ggml-vocab-llama-spm.gguf");
  ASSERT_TRUE(spm.ok()) << spm.status().to_string();
  auto qwen = Tokenizer::from_hf_json(models_dir() / "tokenizers/qwen3/tokenizer.json");
  ASSERT_TRUE(qwen.ok()) << qwen.status().to_string();
  for (const std::string& text : vector_inputs()) {
    EXPECT_EQ(spm->decode(spm->encode(text, true, false)), text);
    EXPECT_EQ(spm->decode(spm->encode(text, false, false)), text);
    EXPECT_EQ(qwen->decode(qwen->encode(text, false, false)), text);
  }
}

TEST(Tokenizer, DecodeCleansSpacesLikeLlamaCppForGpt2) {
  auto tok = testing::load_gguf_tokenizer(models_dir() / "vocab/ggml-vocab-gpt-2.gguf");
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  const auto round_trip = [&](std::string_view s) {
    return tok->decode(tok->encode(s, false, false));
  };
  EXPECT_EQ(round_trip("Hello , world !"), "Hello, world!");
  EXPECT_EQ(round_trip("it ' s"), "it's");
  EXPECT_EQ(round_trip("they 're here"), "they're here");
  EXPECT_EQ(round_trip("don 't"), "don 't");  // " 't" keeps its space in llama.cpp
  EXPECT_EQ(round_trip("plain text"), "plain text");
}

TEST(Tokenizer, RenderSpecialShowsControlTokens) {
  auto tok = testing::load_gguf_tokenizer(models_dir() / "gguf/stories260K-f32.gguf");
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  const std::vector<TokenId> ids = tok->encode("Hello", true, false);
  EXPECT_EQ(tok->decode(ids), "Hello");
  EXPECT_EQ(tok->decode(ids, true), "<s>Hello");  // the space after BOS was the encoder's
  EXPECT_EQ(tok->token_to_piece(ids[1]), " He");
}

TEST(Tokenizer, OutOfRangeIdsAreHarmless) {
  auto tok = testing::load_gguf_tokenizer(models_dir() / "gguf/stories260K-f32.gguf");
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  for (TokenId id : {-1, -100, 512, 1 << 30}) {
    EXPECT_EQ(tok->token_to_piece(id, true), "");
    EXPECT_EQ(tok->text(id), "");
    EXPECT_EQ(tok->kind(id), TokenKind::kUndefined);
    EXPECT_FALSE(tok->is_end_of_generation(id));
  }
  EXPECT_EQ(tok->decode(std::vector<TokenId>{-1, 346, 9999, 306}), "Hell");
  EXPECT_EQ(tok->decode({}), "");
}

TEST(Tokenizer, InvalidUtf8InputNeverCrashes) {
  auto spm = testing::load_gguf_tokenizer(models_dir() / "gguf/stories260K-f32.gguf");
  auto bpe = testing::load_gguf_tokenizer(models_dir() / "vocab/ggml-vocab-gpt-2.gguf");
  auto wpm = testing::load_gguf_tokenizer(models_dir() / "vocab/ggml-vocab-bert-bge.gguf");
  ASSERT_TRUE(spm.ok() && bpe.ok() && wpm.ok());
  std::string junk = "a\xff\xfe\x80 \xe6\x97 \xc0\x80\xed\xa0\x80";
  junk += '\0';
  junk += "z\xe6";
  for (const Tokenizer* tok : {&spm.value(), &bpe.value(), &wpm.value()}) {
    EXPECT_FALSE(tok->encode(junk, true, true).empty());
    for (size_t cut = 0; cut <= junk.size(); ++cut) tok->encode(junk.substr(0, cut), true, true);
  }
  // SentencePiece byte fallback keeps invalid bytes, so they come back exactly (as long as a
  // truncated sequence does not swallow the first byte of an escaped space, as in llama.cpp).
  const std::string no_spaces = "a\xff\xfe\x80\xe6\x97\xc0\x80\xed\xa0\x80z\xe6";
  EXPECT_EQ(spm->decode(spm->encode(no_spaces, false, false)), no_spaces);
  // Byte-level BPE reads text as llama.cpp does: invalid sequences become U+FFFD.
  EXPECT_EQ(bpe->decode(bpe->encode("a\xff"
                                    "b",
                                    false, false)),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_FALSE(wpm->encode(junk, false, false).empty());
}

TEST(Tokenizer, ConcurrentEncodeIsSafeAndDeterministic) {
  auto tok = Tokenizer::from_hf_json(models_dir() / "tokenizers/llama3/tokenizer.json");
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  const std::vector<std::string> texts = vector_inputs();
  std::vector<std::vector<TokenId>> expected;
  for (const auto& t : texts) expected.push_back(tok->encode(t, true, true));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        for (size_t i = 0; i < texts.size(); ++i) {
          if (tok->encode(texts[i], true, true) != expected[i]) ++mismatches[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace liftoff::tokenizer
