// SentencePiece-style BPE over token scores: start from UTF-8 characters, repeatedly merge the
// adjacent pair whose concatenation is the highest-scoring vocabulary entry, and fall back to
// <0xXX> byte tokens for whatever never became a token. Same merge order as llama.cpp's
// llm_tokenizer_spm (score, then leftmost), so ids match it exactly.
#pragma once

#include <string_view>
#include <vector>

#include "liftoff/tokenizer/vocab.h"

namespace liftoff::tokenizer {

// Appends the ids of `text` to `out`. `text` is already escaped (spaces as U+2581, a leading
// one added by the caller when the vocabulary wants it). Any bytes are accepted.
void spm_encode(const Vocab& vocab, std::string_view text, std::vector<TokenId>& out);

// The byte-fallback token of `byte` ("<0xXX>", else the one-byte text, else unk; -1 if none).
TokenId spm_byte_token(const Vocab& vocab, uint8_t byte);

}  // namespace liftoff::tokenizer
