// Prompts of an exact token count for a known tokenizer (`liftoff loadtest --tokenizer-model`):
// random whole-word tokens of the vocabulary, re-encoded and adjusted until the text is exactly
// P tokens. The word-list prompts of loadtest_prompts are the fallback when no tokenizer is given.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/tokenizer.h"
#include "liftoff/tooling/loadtest_prompts.h"

namespace liftoff::tooling {

class TokenPromptBuilder {
 public:
  // Collects the vocabulary's word tokens: normal tokens whose piece is a space and 2 to 12
  // lowercase ASCII letters and which encode back to themselves after another word. Keeps a
  // pointer to `tok`, which must outlive the builder. Fails on a vocabulary with fewer than 16.
  static Result<TokenPromptBuilder> create(const tokenizer::Tokenizer& tok);

  // As make_word_prompt, with sizes in tokens: shared encodes to exactly spec.n_shared tokens and
  // text() to exactly spec.n_words, both without special tokens (a server adds BOS or a chat
  // template on top). Fails only if adjusting does not converge, which whole-word tokens make
  // practically impossible.
  Result<Prompt> make(const PromptSpec& spec, uint64_t index) const;

  size_t n_word_tokens() const { return pieces_.size(); }

 private:
  TokenPromptBuilder(const tokenizer::Tokenizer& tok, std::vector<std::string> pieces)
      : tok_(&tok), pieces_(std::move(pieces)) {}
  size_t count(const std::string& text) const;

  const tokenizer::Tokenizer* tok_;
  std::vector<std::string> pieces_;  // " word" pieces, in vocabulary order
};

}  // namespace liftoff::tooling
