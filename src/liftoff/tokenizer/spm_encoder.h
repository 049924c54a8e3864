// SentencePiece-style BPE over token scores: start from UTF-8 characters, repeatedly merge the
// adjacent pair whose concatenation is the highest-scoring vocabulary entry, and fall back to
// <0xXX> byte tokens for whatever never became a token. Same merge order as llama.cpp's
// llm_tokenizer_spm (score, then leftmost), so ids match it exactly.
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "liftoff/tokenizer/vocab.h"

namespace liftoff::tokenizer {

class SpmEncoder {
 public:
  explicit SpmEncoder(const Vocab& vocab);
  SpmEncoder() = default;

  // Appends the ids of `text` to `out`. `text` is already escaped (spaces as U+2581, a leading
  // one added by the caller when the vocabulary wants it). Any bytes are accepted. Thread-safe.
  void encode(const Vocab& vocab, std::string_view text, std::vector<TokenId>& out) const;

 private:
  // ASCII bytes that occur in no vocabulary entry but their own one-byte text (typically '\n'
  // in Llama vocabularies). No merge can ever include one, so the text is cut into independent
  // runs there: the same result as one pass, with small heaps instead of one huge one.
  std::array<bool, 128> barrier_{};
};

// The byte-fallback token of `byte` ("<0xXX>", else the one-byte text, else unk; -1 if none).
TokenId spm_byte_token(const Vocab& vocab, uint8_t byte);

}  // namespace liftoff::tokenizer
