// Tokenizer: the public facade over TokenizerImpl, plus its two factories.
#include "liftoff/tokenizer/tokenizer.h"

#include "liftoff/base/log.h"
#include "liftoff/tokenizer/tokenizer_impl.h"
#include "liftoff/tokenizer/vocab_from_hf_json.h"
#include "liftoff/tokenizer/vocab_from_model_file.h"

namespace liftoff::tokenizer {

namespace {

const std::string kEmpty;

}  // namespace

Result<Tokenizer> Tokenizer::from_model_file(const formats::ModelFile& file) {
  LIFTOFF_ASSIGN_OR_RETURN(Vocab vocab, vocab_from_model_file(file));
  LIFTOFF_ASSIGN_OR_RETURN(std::unique_ptr<TokenizerImpl> impl,
                           TokenizerImpl::create(std::move(vocab)));
  const Vocab& v = impl->vocab();
  base::logger("tokenizer")
      ->info("tokenizer.loaded source=metadata n_vocab={} pre={} bos={} eos={}", v.size(), v.pre,
             v.bos, v.eos);
  return Tokenizer(std::move(impl));
}

Result<Tokenizer> Tokenizer::from_hf_json(const std::filesystem::path& tokenizer_json) {
  LIFTOFF_ASSIGN_OR_RETURN(Vocab vocab, vocab_from_hf_json(tokenizer_json));
  LIFTOFF_ASSIGN_OR_RETURN(std::unique_ptr<TokenizerImpl> impl,
                           TokenizerImpl::create(std::move(vocab)));
  const Vocab& v = impl->vocab();
  base::logger("tokenizer")
      ->info("tokenizer.loaded source=json n_vocab={} pre={} bos={} eos={}", v.size(), v.pre, v.bos,
             v.eos);
  return Tokenizer(std::move(impl));
}

Tokenizer::Tokenizer(std::unique_ptr<TokenizerImpl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

std::vector<TokenId> Tokenizer::encode(std::string_view text, bool add_special,
                                       bool parse_special) const {
  return impl_->encode(text, add_special, parse_special);
}

std::string Tokenizer::token_to_piece(TokenId id, bool render_special) const {
  return impl_->piece(id, render_special);
}

std::string Tokenizer::decode(std::span<const TokenId> ids, bool render_special) const {
  return impl_->decode(ids, render_special);
}

size_t Tokenizer::n_vocab() const { return impl_->vocab().size(); }
TokenId Tokenizer::bos() const { return impl_->vocab().bos; }
TokenId Tokenizer::eos() const { return impl_->vocab().eos; }
bool Tokenizer::add_bos() const { return impl_->vocab().add_bos; }

bool Tokenizer::is_end_of_generation(TokenId id) const {
  return impl_->vocab().eog_ids.count(id) > 0;
}

TokenKind Tokenizer::kind(TokenId id) const {
  const Vocab& v = impl_->vocab();
  return v.has(id) ? v.tokens[id].kind : TokenKind::kUndefined;
}

const std::string& Tokenizer::text(TokenId id) const {
  const Vocab& v = impl_->vocab();
  return v.has(id) ? v.tokens[id].text : kEmpty;
}

const std::string& Tokenizer::chat_template() const { return impl_->vocab().chat_template; }

}  // namespace liftoff::tokenizer
