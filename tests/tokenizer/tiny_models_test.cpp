// The tiny llama2.c models' vocabularies against llama.cpp's llama-tokenize / llama-server output
// (shared/reference/tokenize-*.json): ids with and without BOS and special-token parsing, pieces,
// and decode round trips. The llama2.c tokenizer .bin must behave exactly like the GGUF vocab.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "liftoff/formats/llama2c_reader.h"
#include "test_data.h"

namespace liftoff::tokenizer {
namespace {

using nlohmann::json;
using testing::models_dir;
using testing::reference_dir;

struct TinyModel {
  const char* name;
  const char* gguf;        // under models/
  const char* checkpoint;  // llama2.c .bin under models/
  const char* tokenizer;   // llama2.c tokenizer .bin under models/
  const char* reference;   // under reference/
};
// gtest prints parameters in failure messages; the name is what identifies one.
void PrintTo(const TinyModel& p, std::ostream* os) { *os << p.name; }

std::vector<TokenId> ids_of(const json& j) { return j.get<std::vector<TokenId>>(); }

class TinyModelTokenizer : public ::testing::TestWithParam<TinyModel> {
 protected:
  void SetUp() override {
    const TinyModel& m = GetParam();
    auto tok = testing::load_gguf_tokenizer(models_dir() / m.gguf);
    ASSERT_TRUE(tok.ok()) << tok.status().to_string();
    tokenizer_ = std::make_unique<Tokenizer>(std::move(tok).value());
    auto text = testing::read_file(reference_dir() / m.reference);
    ASSERT_TRUE(text.ok()) << text.status().to_string();
    cases_ = json::parse(*text).at("cases");
    ASSERT_EQ(cases_.size(), 22u);
  }

  std::unique_ptr<Tokenizer> tokenizer_;
  json cases_;
};

TEST_P(TinyModelTokenizer, IdsMatchLlamaTokenize) {
  for (const json& c : cases_) {
    const std::string text = c.at("text");
    SCOPED_TRACE("text: '" + text + "'");
    EXPECT_EQ(tokenizer_->encode(text, true, true), ids_of(c.at("ids")));
    EXPECT_EQ(tokenizer_->encode(text, false, true), ids_of(c.at("ids_no_bos")));
    EXPECT_EQ(tokenizer_->encode(text, true, false), ids_of(c.at("ids_no_parse_special")));
  }
}

TEST_P(TinyModelTokenizer, PiecesMatchLlamaServer) {
  for (const json& c : cases_) {
    const std::string text = c.at("text");
    SCOPED_TRACE("text: '" + text + "'");
    const std::vector<TokenId> ids = ids_of(c.at("ids"));
    const json& pieces = c.at("pieces");
    ASSERT_EQ(pieces.size(), ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      std::string expected;
      if (pieces[i].is_string()) {
        expected = pieces[i].get<std::string>();
      } else {
        for (int byte : pieces[i].at("bytes")) expected.push_back(static_cast<char>(byte));
      }
      EXPECT_EQ(tokenizer_->token_to_piece(ids[i], /*render_special=*/true), expected)
          << "token " << ids[i];
    }
  }
}

TEST_P(TinyModelTokenizer, DecodeRoundTrips) {
  for (const json& c : cases_) {
    const std::string text = c.at("text");
    SCOPED_TRACE("text: '" + text + "'");
    // With special-token text kept as text, every case comes back exactly, BOS or not.
    EXPECT_EQ(tokenizer_->decode(ids_of(c.at("ids_no_parse_special"))), text);
    if (text.find("<s>") == std::string::npos) {
      EXPECT_EQ(tokenizer_->decode(ids_of(c.at("ids"))), text);
      EXPECT_EQ(tokenizer_->decode(ids_of(c.at("ids_no_bos"))), text);
    }
  }
}

TEST_P(TinyModelTokenizer, Llama2cTokenizerMatchesGguf) {
  const TinyModel& m = GetParam();
  auto file = formats::read_llama2c(models_dir() / m.checkpoint, models_dir() / m.tokenizer);
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  auto tok = Tokenizer::from_model_file(*file);
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  ASSERT_EQ(tok->n_vocab(), tokenizer_->n_vocab());
  EXPECT_EQ(tok->bos(), tokenizer_->bos());
  EXPECT_EQ(tok->eos(), tokenizer_->eos());
  for (TokenId id = 0; id < static_cast<TokenId>(tok->n_vocab()); ++id) {
    ASSERT_EQ(tok->text(id), tokenizer_->text(id)) << "token " << id;
    ASSERT_EQ(tok->kind(id), tokenizer_->kind(id)) << "token " << id;
  }
  for (const json& c : cases_) {
    const std::string text = c.at("text");
    SCOPED_TRACE("text: '" + text + "'");
    EXPECT_EQ(tok->encode(text, true, true), ids_of(c.at("ids")));
    EXPECT_EQ(tok->encode(text, true, false), ids_of(c.at("ids_no_parse_special")));
  }
}

TEST_P(TinyModelTokenizer, SpecialIdsAndEndOfGeneration) {
  EXPECT_EQ(tokenizer_->n_vocab(), 512u);
  EXPECT_EQ(tokenizer_->bos(), 1);
  EXPECT_EQ(tokenizer_->eos(), 2);
  EXPECT_TRUE(tokenizer_->add_bos());
  EXPECT_TRUE(tokenizer_->is_end_of_generation(2));
  EXPECT_FALSE(tokenizer_->is_end_of_generation(1));
  EXPECT_EQ(tokenizer_->kind(0), TokenKind::kUnknown);
  EXPECT_EQ(tokenizer_->kind(1), TokenKind::kControl);
  EXPECT_EQ(tokenizer_->kind(3), TokenKind::kByte);
  EXPECT_EQ(tokenizer_->token_to_piece(1), "");  // control tokens render only on request
  EXPECT_EQ(tokenizer_->chat_template(), "");
  EXPECT_TRUE(tokenizer_->encode("", false, true).empty());
  EXPECT_EQ(tokenizer_->encode("", true, true), std::vector<TokenId>{1});
}

INSTANTIATE_TEST_SUITE_P(
    All, TinyModelTokenizer,
    ::testing::Values(TinyModel{"stories260K", "gguf/stories260K-f32.gguf",
                                "llama2c/stories260K.bin", "llama2c/tok512.bin",
                                "tokenize-stories260K.json"},
                      TinyModel{"aidreams260K", "gguf/aidreams260K-f32.gguf",
                                "llama2c/aidreams260K.bin", "llama2c/aidreams-tok512.bin",
                                "tokenize-aidreams260K.json"}),
    [](const ::testing::TestParamInfo<TinyModel>& info) { return info.param.name; });

}  // namespace
}  // namespace liftoff::tokenizer
