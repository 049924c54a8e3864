// TokenizerImpl: the state behind Tokenizer (vocabulary, compiled pre-tokenizer, merge table,
// rendered pieces) and the encode/decode drivers that route text to the right algorithm.
// Internal to the tokenizer layer.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/bpe_encoder.h"
#include "liftoff/tokenizer/pre_tokenizer.h"
#include "liftoff/tokenizer/spm_encoder.h"
#include "liftoff/tokenizer/tokenizer.h"
#include "liftoff/tokenizer/vocab.h"

namespace liftoff::tokenizer {

class TokenizerImpl {
 public:
  // Takes a finalize()d vocabulary. Errors: a pre-tokenizer regex that does not compile, a byte
  // token whose text is not "<0xXX>".
  static Result<std::unique_ptr<TokenizerImpl>> create(Vocab vocab);

  std::vector<TokenId> encode(std::string_view text, bool add_special, bool parse_special) const;
  const std::string& piece(TokenId id, bool render_special) const;
  std::string decode(std::span<const TokenId> ids, bool render_special) const;

  const Vocab& vocab() const { return vocab_; }

 private:
  explicit TokenizerImpl(Vocab vocab) : vocab_(std::move(vocab)) {}
  void encode_bpe_text(std::string_view text, std::vector<TokenId>& out) const;
  Result<std::string> render_piece(TokenId id) const;

  Vocab vocab_;
  PreTokenizer pre_tokenizer_;
  BpeEncoder bpe_;
  SpmEncoder spm_;
  std::vector<std::string> pieces_;  // [n_vocab] token_to_piece with render_special = true
  std::string empty_;
};

}  // namespace liftoff::tokenizer
