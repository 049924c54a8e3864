// TokenPromptBuilder on real vocabularies from the shared models folder (Llama 2 SentencePiece,
// GPT-2 byte-level BPE, the 512-token stories260K vocab): exact token counts, an exact shared
// prefix, distinct prompts, determinism.
#include "liftoff/tooling/loadtest_token_prompts.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "liftoff/formats/open_model.h"
#include "test_data.h"

namespace liftoff::tooling {
namespace {

tokenizer::Tokenizer load(const std::string& rel) {
  const auto path = liftoff::testing::models_dir() / rel;
  auto file = formats::open_model_file(path);
  EXPECT_TRUE(file.ok()) << path << ": " << file.status().to_string();
  auto tok = tokenizer::Tokenizer::from_model_file(*file);
  EXPECT_TRUE(tok.ok()) << tok.status().to_string();
  return std::move(tok).value();
}

size_t n_tokens(const tokenizer::Tokenizer& tok, const std::string& text) {
  return tok.encode(text, false, false).size();
}

class TokenPrompts : public ::testing::TestWithParam<const char*> {};

TEST_P(TokenPrompts, ExactLengthsSharedPrefixAndDistinctPrompts) {
  const tokenizer::Tokenizer tok = load(GetParam());
  auto builder = TokenPromptBuilder::create(tok);
  ASSERT_TRUE(builder.ok()) << builder.status().to_string();
  EXPECT_GE(builder->n_word_tokens(), 16u);
  for (const PromptSpec spec : {PromptSpec{128, 0, 1}, PromptSpec{96, 40, 2}, PromptSpec{7, 7, 3},
                                PromptSpec{1, 0, 4}, PromptSpec{600, 512, 5}}) {
    SCOPED_TRACE("P=" + std::to_string(spec.n_words) + " K=" + std::to_string(spec.n_shared));
    std::set<std::string> texts;
    std::string shared;
    for (uint64_t i = 0; i < 6; ++i) {
      auto p = builder->make(spec, i);
      ASSERT_TRUE(p.ok()) << p.status().to_string();
      EXPECT_EQ(n_tokens(tok, p->text()), static_cast<size_t>(spec.n_words));
      EXPECT_EQ(n_tokens(tok, p->shared), static_cast<size_t>(spec.n_shared));
      if (i == 0) shared = p->shared;
      EXPECT_EQ(p->shared, shared);
      texts.insert(p->text());
    }
    // All shared: every prompt is the same; otherwise all differ.
    EXPECT_EQ(texts.size(), spec.n_words == spec.n_shared ? 1u : 6u);
  }
  auto a = builder->make({32, 8, 9}, 3), b = builder->make({32, 8, 9}, 3);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->text(), b->text());
}

INSTANTIATE_TEST_SUITE_P(Vocabularies, TokenPrompts,
                         ::testing::Values("vocab/ggml-vocab-llama-spm.gguf",
                                           "vocab/ggml-vocab-gpt-2.gguf",
                                           "gguf/stories260K-f32.gguf"));

}  // namespace
}  // namespace liftoff::tooling
