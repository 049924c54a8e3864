// Vocabularies from GGUF-style metadata: defaults, overrides, and every malformed input giving a
// Status that names the key instead of a crash.
#include "liftoff/tokenizer/vocab_from_model_file.h"

#include <gtest/gtest.h>

#include "test_data.h"

namespace liftoff::tokenizer {
namespace {

using formats::GgufType;
using formats::MetaArray;
using formats::MetaValue;
using formats::ModelFile;

MetaValue str(std::string s) { return {GgufType::kString, std::move(s)}; }
MetaValue u32(uint64_t v) { return {GgufType::kUint32, v}; }
MetaValue i32(int64_t v) { return {GgufType::kInt32, v}; }
MetaValue strings(std::vector<std::string> v) {
  auto a = std::make_shared<MetaArray>();
  a->element_type = GgufType::kString;
  a->strings = std::move(v);
  return {GgufType::kArray, a};
}
MetaValue ints(std::vector<int64_t> v) {
  auto a = std::make_shared<MetaArray>();
  a->element_type = GgufType::kInt32;
  a->ints = std::move(v);
  return {GgufType::kArray, a};
}
MetaValue floats(std::vector<double> v) {
  auto a = std::make_shared<MetaArray>();
  a->element_type = GgufType::kFloat32;
  a->floats = std::move(v);
  return {GgufType::kArray, a};
}

// A tiny well-formed SPM vocabulary.
ModelFile spm_file() {
  ModelFile f;
  f.metadata["tokenizer.ggml.model"] = str("llama");
  f.metadata["tokenizer.ggml.tokens"] = strings({"<unk>", "<s>", "</s>", "<0x41>",
                                                 "\xe2\x96\x81"
                                                 "a",
                                                 "b"});
  f.metadata["tokenizer.ggml.scores"] = floats({0, 0, 0, 0, -1, -2});
  f.metadata["tokenizer.ggml.token_type"] = ints({2, 3, 3, 6, 1, 1});
  f.metadata["tokenizer.ggml.bos_token_id"] = u32(1);
  f.metadata["tokenizer.ggml.eos_token_id"] = u32(2);
  return f;
}

void expect_error(const ModelFile& f, StatusCode code, std::string_view mentions) {
  auto vocab = vocab_from_model_file(f);
  ASSERT_FALSE(vocab.ok());
  EXPECT_EQ(vocab.status().code(), code) << vocab.status().to_string();
  EXPECT_NE(vocab.status().message().find(mentions), std::string::npos)
      << vocab.status().to_string();
}

TEST(VocabFromModelFile, ReadsAWellFormedVocabulary) {
  auto tok = Tokenizer::from_model_file(spm_file());
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  EXPECT_EQ(tok->n_vocab(), 6u);
  // " ab A" -> "▁a" "b", then "▁" and "A" are not tokens: "A" has a byte token, the three
  // bytes of "▁" have none and become <unk>.
  EXPECT_EQ(tok->encode("ab A", true, false), (std::vector<TokenId>{1, 4, 5, 0, 0, 0, 3}));
  EXPECT_EQ(tok->token_to_piece(3), "A");
  EXPECT_TRUE(tok->is_end_of_generation(2));
}

TEST(VocabFromModelFile, NoneSentinelForSpecialIdsIsAccepted) {
  ModelFile f = spm_file();
  f.metadata["tokenizer.ggml.seperator_token_id"] = u32(0xFFFFFFFF);
  f.metadata["tokenizer.ggml.padding_token_id"] = i32(-1);
  f.metadata["tokenizer.ggml.mask_token_id"] = u32(600);  // descriptive only: dropped
  EXPECT_TRUE(vocab_from_model_file(f).ok());
}

TEST(VocabFromModelFile, MissingOrMistypedKeys) {
  ModelFile f = spm_file();
  f.metadata.erase("tokenizer.ggml.model");
  expect_error(f, StatusCode::kCorruptData, "tokenizer.ggml.model");

  f = spm_file();
  f.metadata["tokenizer.ggml.model"] = u32(3);
  expect_error(f, StatusCode::kCorruptData, "tokenizer.ggml.model");

  f = spm_file();
  f.metadata.erase("tokenizer.ggml.tokens");
  expect_error(f, StatusCode::kCorruptData, "tokenizer.ggml.tokens");

  f = spm_file();
  f.metadata["tokenizer.ggml.tokens"] = ints({1, 2});
  expect_error(f, StatusCode::kCorruptData, "tokenizer.ggml.tokens");

  f = spm_file();
  f.metadata["tokenizer.ggml.tokens"] = strings({});
  expect_error(f, StatusCode::kCorruptData, "tokenizer.ggml.tokens");

  f = spm_file();
  f.metadata["tokenizer.ggml.scores"] = floats({0, 0});
  expect_error(f, StatusCode::kCorruptData, "tokenizer.ggml.scores");

  f = spm_file();
  f.metadata["tokenizer.ggml.token_type"] = strings({"a", "b", "c", "d", "e", "f"});
  expect_error(f, StatusCode::kCorruptData, "tokenizer.ggml.token_type");

  f = spm_file();
  f.metadata["tokenizer.ggml.add_bos_token"] = u32(1);
  expect_error(f, StatusCode::kCorruptData, "add_bos_token");

  f = spm_file();
  f.metadata["tokenizer.ggml.bos_token_id"] = str("1");
  expect_error(f, StatusCode::kCorruptData, "bos_token_id");

  f = spm_file();
  f.metadata["tokenizer.chat_template"] = u32(0);
  expect_error(f, StatusCode::kCorruptData, "tokenizer.chat_template");
}

TEST(VocabFromModelFile, SpecialIdsOutOfRange) {
  ModelFile f = spm_file();
  f.metadata["tokenizer.ggml.eos_token_id"] = u32(6);
  expect_error(f, StatusCode::kCorruptData, "eos token id 6");

  f = spm_file();
  f.metadata["tokenizer.ggml.unknown_token_id"] = i32(-7);
  expect_error(f, StatusCode::kCorruptData, "unknown_token_id");
}

TEST(VocabFromModelFile, MalformedByteToken) {
  ModelFile f = spm_file();
  f.metadata["tokenizer.ggml.tokens"] = strings({"<unk>", "<s>", "</s>", "<0xZZ>", "a", "b"});
  auto tok = Tokenizer::from_model_file(f);
  ASSERT_FALSE(tok.ok());
  EXPECT_NE(tok.status().message().find("<0xZZ>"), std::string::npos);
}

TEST(VocabFromModelFile, UnsupportedTypesAndPreTokenizers) {
  ModelFile f = spm_file();
  f.metadata["tokenizer.ggml.model"] = str("t5");
  expect_error(f, StatusCode::kInvalidArgument, "t5");

  f = spm_file();
  f.metadata["tokenizer.ggml.model"] = str("gpt2");
  f.metadata["tokenizer.ggml.pre"] = str("qwen2");
  expect_error(f, StatusCode::kCorruptData, "tokenizer.ggml.merges");  // gpt2 needs merges

  f.metadata["tokenizer.ggml.merges"] = strings({"a b"});
  f.metadata["tokenizer.ggml.pre"] = str("brand-new-pre");
  expect_error(f, StatusCode::kInvalidArgument, "brand-new-pre");
}

TEST(VocabFromModelFile, MarksEndOfGenerationTokensByText) {
  ModelFile f;
  f.metadata["tokenizer.ggml.model"] = str("gpt2");
  f.metadata["tokenizer.ggml.pre"] = str("qwen2");
  f.metadata["tokenizer.ggml.tokens"] =
      strings({"a", "b", "ab", "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|fim_pad|>"});
  f.metadata["tokenizer.ggml.token_type"] = ints({1, 1, 1, 3, 3, 1, 3});
  f.metadata["tokenizer.ggml.merges"] = strings({"a b"});
  f.metadata["tokenizer.ggml.eos_token_id"] = u32(3);
  f.metadata["tokenizer.ggml.bos_token_id"] = u32(3);
  auto tok = Tokenizer::from_model_file(f);
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  EXPECT_TRUE(tok->is_end_of_generation(3));
  EXPECT_TRUE(tok->is_end_of_generation(5));  // <|im_end|>, even though typed NORMAL
  EXPECT_TRUE(tok->is_end_of_generation(6));  // FIM pad
  EXPECT_FALSE(tok->is_end_of_generation(4));
  EXPECT_FALSE(tok->is_end_of_generation(-1));
  EXPECT_FALSE(tok->is_end_of_generation(100));
  // <|im_end|> became a control token: split out when parsing specials, silent when decoding.
  EXPECT_EQ(tok->encode("ab<|im_end|>", false, true), (std::vector<TokenId>{2, 5}));
  EXPECT_EQ(tok->token_to_piece(5), "");
  EXPECT_EQ(tok->token_to_piece(5, true), "<|im_end|>");
}

TEST(VocabFromModelFile, Phi3ChatTemplateEndAndRstrip) {
  auto tok = testing::load_gguf_tokenizer(testing::models_dir() / "vocab/ggml-vocab-phi-3.gguf");
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  EXPECT_NE(tok->chat_template().find("<|user|>"), std::string::npos);
  EXPECT_NE(tok->chat_template().find("<|end|>"), std::string::npos);
  EXPECT_EQ(tok->eos(), 32000);
  const std::vector<TokenId> end = tok->encode("<|end|>", false, true);
  ASSERT_EQ(end.size(), 1u);
  EXPECT_TRUE(tok->is_end_of_generation(end[0]));
  // Phi-3 special tokens swallow the whitespace after them (llama.cpp sets RSTRIP by name).
  EXPECT_EQ(tok->encode("<|user|>\nHi", false, true), tok->encode("<|user|>Hi", false, true));
}

}  // namespace
}  // namespace liftoff::tokenizer
