// fit_vocab on the shared vocab-only GGUFs: cutting GPT-2's BPE to SmolLM's 49152 tokens (special
// id moved, merges kept consistent), padding, exact fit, and a file without tokens.
#include "liftoff/tooling/synth_vocab.h"
#include "liftoff/tooling/synth_vocab_hf_json.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <unordered_set>

#include "liftoff/formats/gguf_reader.h"

namespace liftoff::tooling {
namespace {

namespace fs = std::filesystem;

fs::path models_dir() {
  const char* env = std::getenv("LIFTOFF_MODELS_DIR");
  return env != nullptr && *env != '\0' ? fs::path(env) : fs::path(LIFTOFF_DEFAULT_MODELS_DIR);
}

formats::ModelFile read(const std::string& rel) {
  Result<formats::ModelFile> f = formats::read_gguf(models_dir() / rel);
  EXPECT_TRUE(f.ok()) << (models_dir() / rel) << ": " << f.status().to_string();
  return f.ok() ? std::move(f).value() : formats::ModelFile{};
}

const formats::MetaValue* find(const FittedVocab& v, const std::string& key) {
  for (const auto& [k, value] : v.metadata) {
    if (k == key) return &value;
  }
  return nullptr;
}

TEST(FitVocab, CutsGpt2ToSmolLmSizeAndMovesEndOfText) {
  formats::ModelFile gpt2 = read("vocab/ggml-vocab-gpt-2.gguf");
  Result<FittedVocab> v = fit_vocab(gpt2, 49152);
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_EQ(v->n_source_tokens, 50257);

  const formats::MetaArray* tokens = find(*v, "tokenizer.ggml.tokens")->as_array();
  ASSERT_EQ(tokens->size(), 49152u);
  EXPECT_EQ(tokens->strings[49151], "<|endoftext|>");
  EXPECT_EQ(tokens->strings[0], gpt2.get_array("tokenizer.ggml.tokens")->strings[0]);
  EXPECT_EQ(find(*v, "tokenizer.ggml.eos_token_id")->as_int(), 49151);
  EXPECT_EQ(find(*v, "tokenizer.ggml.bos_token_id")->as_int(), 49151);
  const formats::MetaArray* types = find(*v, "tokenizer.ggml.token_type")->as_array();
  ASSERT_EQ(types->size(), 49152u);
  EXPECT_EQ(types->ints[49151], 3);  // control, as in the source
  EXPECT_EQ(types->ints[100], 1);
  EXPECT_EQ(*find(*v, "tokenizer.ggml.pre")->as_string(), "gpt-2");

  // Every kept merge joins two tokens into a token; merges past the cut are gone.
  const formats::MetaArray* merges = find(*v, "tokenizer.ggml.merges")->as_array();
  std::unordered_set<std::string> vocab(tokens->strings.begin(), tokens->strings.end());
  EXPECT_GT(merges->size(), 48000u);
  EXPECT_LT(merges->size(), 50000u);
  for (const std::string& m : merges->strings) {
    const size_t space = m.find(' ', 1);
    ASSERT_NE(space, std::string::npos) << m;
    const std::string left = m.substr(0, space), right = m.substr(space + 1);
    ASSERT_TRUE(vocab.count(left) && vocab.count(right) && vocab.count(left + right)) << m;
  }
  EXPECT_FALSE(v->notes.empty());
}

TEST(FitVocab, PadsWithControlTokens) {
  formats::ModelFile stories = read("gguf/stories260K-f32.gguf");
  Result<FittedVocab> v = fit_vocab(stories, 520);
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  const formats::MetaArray* tokens = find(*v, "tokenizer.ggml.tokens")->as_array();
  ASSERT_EQ(tokens->size(), 520u);
  EXPECT_EQ(tokens->strings[519], "<|synth_pad_519|>");
  EXPECT_EQ(find(*v, "tokenizer.ggml.token_type")->as_array()->ints[515], 3);
  EXPECT_EQ(find(*v, "tokenizer.ggml.scores")->as_array()->size(), 520u);
  EXPECT_EQ(find(*v, "tokenizer.ggml.eos_token_id")->as_int(), 2);
}

TEST(FitVocab, ExactSizeIsCopiedUnchanged) {
  formats::ModelFile spm = read("vocab/ggml-vocab-llama-spm.gguf");
  Result<FittedVocab> v = fit_vocab(spm, 32000);
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_TRUE(v->notes.empty());
  EXPECT_EQ(find(*v, "tokenizer.ggml.tokens")->as_array(), spm.get_array("tokenizer.ggml.tokens"));
  EXPECT_EQ(find(*v, "general.architecture"), nullptr) << "only tokenizer.* keys are taken";
}

TEST(FitVocab, FileWithoutTokensIsAnError) {
  formats::ModelFile empty;
  Result<FittedVocab> v = fit_vocab(empty, 10);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kCorruptData);
  EXPECT_FALSE(fit_vocab(read("vocab/ggml-vocab-llama-spm.gguf"), 0).ok());
}

TEST(VocabFromHfJson, Llama3TokenizerJsonBecomesGgufMetadata) {
  Result<formats::ModelFile> f =
      vocab_metadata_from_hf_json(models_dir() / "tokenizers/llama3/tokenizer.json");
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_EQ(f->get_string("tokenizer.ggml.model"), "gpt2");
  EXPECT_EQ(f->get_string("tokenizer.ggml.pre"), "llama3");
  ASSERT_NE(f->get_array("tokenizer.ggml.tokens"), nullptr);
  EXPECT_EQ(f->get_array("tokenizer.ggml.tokens")->size(), 128256u);
  EXPECT_EQ(f->get_array("tokenizer.ggml.tokens")->strings[128000], "<|begin_of_text|>");
  EXPECT_EQ(f->get_array("tokenizer.ggml.token_type")->ints[128000], 3);  // control
  EXPECT_EQ(f->get_array("tokenizer.ggml.merges")->strings[0], "Ġ Ġ");
  EXPECT_EQ(f->get_int("tokenizer.ggml.bos_token_id"), 128000);
  EXPECT_EQ(f->get_int("tokenizer.ggml.eos_token_id"), 128001);
  EXPECT_EQ(f->get_bool("tokenizer.ggml.add_bos_token"), true);

  // Already the model's size: fitting changes nothing.
  Result<FittedVocab> v = fit_vocab(*f, 128256);
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_TRUE(v->notes.empty());
}

TEST(VocabFromHfJson, MissingFileIsNotFound) {
  Result<formats::ModelFile> f = vocab_metadata_from_hf_json(models_dir() / "no/tokenizer.json");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace liftoff::tooling
