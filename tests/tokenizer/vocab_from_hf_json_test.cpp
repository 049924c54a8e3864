// Vocabularies from tokenizer.json (+ tokenizer_config.json): the real Llama 3 and Qwen3 files,
// and malformed files that must give a Status naming the problem.
#include "liftoff/tokenizer/vocab_from_hf_json.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_data.h"

namespace liftoff::tokenizer {
namespace {

using nlohmann::json;

// A fresh directory per test, removed afterwards.
class HfJsonFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("liftoff_tok_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return dir_ / name;
  }
  std::filesystem::path write_tokenizer(const json& j) { return write("tokenizer.json", j.dump()); }

  // A minimal valid byte-level BPE tokenizer.json: "a", "b", "ab", "Ġ", "Ġab" and one special.
  static json minimal() {
    return json::parse(R"({
      "added_tokens": [{"id": 6, "content": "<|end|>", "special": true}],
      "normalizer": null,
      "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
      "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "Ġ": 3, "Ġab": 4},
                "merges": ["a b", ["Ġ", "ab"]]}
    })");
  }

  void expect_error(const std::filesystem::path& path, StatusCode code, std::string_view mentions) {
    auto vocab = vocab_from_hf_json(path);
    ASSERT_FALSE(vocab.ok());
    EXPECT_EQ(vocab.status().code(), code) << vocab.status().to_string();
    EXPECT_NE(vocab.status().message().find(mentions), std::string::npos)
        << vocab.status().to_string();
  }

  std::filesystem::path dir_;
};

TEST_F(HfJsonFiles, MinimalTokenizer) {
  auto tok = Tokenizer::from_hf_json(write_tokenizer(minimal()));
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  EXPECT_EQ(tok->n_vocab(), 7u);
  EXPECT_EQ(tok->kind(5), TokenKind::kUnused);  // the id gap
  EXPECT_EQ(tok->text(5), "[PAD5]");
  EXPECT_EQ(tok->kind(6), TokenKind::kControl);
  EXPECT_EQ(tok->encode("ab ab<|end|>", false, true), (std::vector<TokenId>{2, 4, 6}));
  EXPECT_EQ(tok->decode(std::vector<TokenId>{2, 4, 6}), "ab ab");
  EXPECT_TRUE(tok->is_end_of_generation(6));
  EXPECT_EQ(tok->chat_template(), "");
}

TEST_F(HfJsonFiles, ConfigSuppliesSpecialsFlagsAndTemplate) {
  write("tokenizer_config.json", R"({"bos_token": {"content": "a"}, "eos_token": "<|end|>",
      "add_bos_token": true, "chat_template": [{"name": "tool_use", "template": "T"},
      {"name": "default", "template": "D"}]})");
  auto tok = Tokenizer::from_hf_json(write_tokenizer(minimal()));
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  EXPECT_EQ(tok->bos(), 0);
  EXPECT_EQ(tok->eos(), 6);
  EXPECT_TRUE(tok->add_bos());
  EXPECT_EQ(tok->encode("b", true, false), (std::vector<TokenId>{0, 1}));
  EXPECT_EQ(tok->chat_template(), "D");
}

TEST_F(HfJsonFiles, ChatTemplateFromJinjaFile) {
  write("chat_template.jinja", "{{ messages }}");
  auto tok = Tokenizer::from_hf_json(write_tokenizer(minimal()));
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  EXPECT_EQ(tok->chat_template(), "{{ messages }}");
}

TEST_F(HfJsonFiles, MalformedFiles) {
  expect_error(dir_ / "absent.json", StatusCode::kNotFound, "absent.json");
  expect_error(write("tokenizer.json", "{\"model\": "), StatusCode::kCorruptData, "tokenizer.json");

  json j = minimal();
  j.erase("model");
  expect_error(write_tokenizer(j), StatusCode::kCorruptData, "model");

  j = minimal();
  j["model"]["vocab"] = json::array();
  expect_error(write_tokenizer(j), StatusCode::kCorruptData, "model.vocab");

  j = minimal();
  j["model"]["vocab"]["zz"] = "7";
  expect_error(write_tokenizer(j), StatusCode::kCorruptData, "model.vocab");

  j = minimal();
  j["model"]["vocab"]["zz"] = -3;
  expect_error(write_tokenizer(j), StatusCode::kCorruptData, "-3");

  j = minimal();
  j["model"]["vocab"]["zz"] = 1LL << 40;
  expect_error(write_tokenizer(j), StatusCode::kCorruptData, "out of range");

  j = minimal();
  j["model"].erase("merges");
  expect_error(write_tokenizer(j), StatusCode::kCorruptData, "model.merges");

  j = minimal();
  j["model"]["merges"] = json::array({"ab"});
  expect_error(write_tokenizer(j), StatusCode::kCorruptData, "merge");

  j = minimal();
  j["model"]["merges"] = json::array({json::array({"a", "b", "c"})});
  expect_error(write_tokenizer(j), StatusCode::kCorruptData, "merge");

  j = minimal();
  j["added_tokens"] = json::array({{{"id", "six"}, {"content", "<x>"}}});
  expect_error(write_tokenizer(j), StatusCode::kCorruptData, "added_tokens");

  j = minimal();
  j["added_tokens"] = json::array({{{"id", 9}}});
  expect_error(write_tokenizer(j), StatusCode::kCorruptData, "content");

  j = minimal();
  j["model"]["type"] = "WordLevel";
  expect_error(write_tokenizer(j), StatusCode::kInvalidArgument, "WordLevel");

  j = minimal();
  j["normalizer"] = {{"type", "Lowercase"}};
  expect_error(write_tokenizer(j), StatusCode::kInvalidArgument, "Lowercase");

  j = minimal();
  j["pre_tokenizer"] = {{"type", "Whitespace"}};
  expect_error(write_tokenizer(j), StatusCode::kInvalidArgument, "Whitespace");

  j = minimal();
  j["pre_tokenizer"] = {
      {"type", "Split"}, {"pattern", {{"Regex", "\\s+"}}}, {"behavior", "Removed"}};
  expect_error(write_tokenizer(j), StatusCode::kInvalidArgument, "Removed");

  j = minimal();
  j["pre_tokenizer"] = {
      {"type", "Sequence"},
      {"pretokenizers",
       json::array({{{"type", "Split"}, {"pattern", {{"Regex", "(bad"}}}, {"behavior", "Isolated"}},
                    {{"type", "ByteLevel"}, {"use_regex", false}}})}};
  auto bad_regex = Tokenizer::from_hf_json(write_tokenizer(j));
  ASSERT_FALSE(bad_regex.ok());
  EXPECT_NE(bad_regex.status().message().find("(bad"), std::string::npos);

  j = minimal();
  j["pre_tokenizer"] = nullptr;
  expect_error(write_tokenizer(j), StatusCode::kInvalidArgument, "ByteLevel");
}

TEST_F(HfJsonFiles, MalformedConfig) {
  const auto path = write_tokenizer(minimal());
  write("tokenizer_config.json", "[1, 2");
  expect_error(path, StatusCode::kCorruptData, "tokenizer_config.json");
  write("tokenizer_config.json", R"({"eos_token": "<|nope|>"})");
  expect_error(path, StatusCode::kCorruptData, "<|nope|>");
  write("tokenizer_config.json", R"({"add_bos_token": "yes"})");
  expect_error(path, StatusCode::kCorruptData, "add_bos_token");
  write("tokenizer_config.json", R"({"chat_template": 5})");
  expect_error(path, StatusCode::kCorruptData, "chat_template");
}

TEST(HfJsonReal, Qwen3) {
  auto tok = Tokenizer::from_hf_json(testing::models_dir() / "tokenizers/qwen3/tokenizer.json");
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  EXPECT_EQ(tok->n_vocab(), 151669u);
  EXPECT_EQ(tok->bos(), -1);
  EXPECT_FALSE(tok->add_bos());
  EXPECT_EQ(tok->eos(), 151645);
  EXPECT_TRUE(tok->is_end_of_generation(151643));  // <|endoftext|>
  EXPECT_TRUE(tok->is_end_of_generation(151645));  // <|im_end|>
  EXPECT_FALSE(tok->is_end_of_generation(151644));
  EXPECT_NE(tok->chat_template().find("<|im_start|>"), std::string::npos);

  const std::vector<TokenId> ids = tok->encode("<|im_start|>user\nHi<|im_end|>", true, true);
  ASSERT_GE(ids.size(), 3u);
  EXPECT_EQ(ids.front(), 151644);
  EXPECT_EQ(ids.back(), 151645);
  EXPECT_EQ(std::vector<TokenId>(ids.begin() + 1, ids.end() - 1),
            tok->encode("user\nHi", false, false));
  // Without special parsing the markers are plain text...
  const std::vector<TokenId> plain = tok->encode("<|im_end|>", false, false);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), 151645), 0);
  // ...but <think> is a user-defined (not special) added token: always split out.
  const TokenId think = tok->encode("<think>", false, false).at(0);
  EXPECT_EQ(tok->text(think), "<think>");
  EXPECT_EQ(tok->kind(think), TokenKind::kUserDefined);
  EXPECT_EQ(tok->token_to_piece(think), "<think>");
}

TEST(HfJsonReal, Llama3) {
  auto tok = Tokenizer::from_hf_json(testing::models_dir() / "tokenizers/llama3/tokenizer.json");
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  EXPECT_EQ(tok->n_vocab(), 128256u);
  EXPECT_EQ(tok->bos(), 128000);
  EXPECT_TRUE(tok->add_bos());  // the llama-bpe preset, as llama.cpp's GGUF conversion has it
  EXPECT_EQ(tok->encode("Hi", true, false).front(), 128000);
  EXPECT_TRUE(tok->is_end_of_generation(128001));  // <|end_of_text|>
  EXPECT_TRUE(tok->is_end_of_generation(128009));  // <|eot_id|>
  EXPECT_FALSE(tok->is_end_of_generation(128006));
  EXPECT_NE(tok->chat_template().find("<|start_header_id|>"), std::string::npos);
  EXPECT_EQ(tok->token_to_piece(128009), "");
  EXPECT_EQ(tok->token_to_piece(128009, true), "<|eot_id|>");
}

}  // namespace
}  // namespace liftoff::tokenizer
