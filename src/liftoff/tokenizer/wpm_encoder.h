// WordPiece (BERT): normalise (lowercase, strip accents via NFD), split on whitespace and around
// punctuation and CJK ideographs, then cover each word greedily with the longest vocabulary
// entries; a word that cannot be covered becomes [UNK]. Matches llama.cpp's llm_tokenizer_wpm,
// whose vocabularies mark word starts with U+2581 instead of marking continuations with "##".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "liftoff/tokenizer/vocab.h"

namespace liftoff::tokenizer {

// The words of `text` after BERT's basic tokenisation.
std::vector<std::string> wpm_split_words(std::string_view text, bool lowercase, bool strip_accents);

// Appends the ids of `text` to `out`.
void wpm_encode(const Vocab& vocab, std::string_view text, std::vector<TokenId>& out);

}  // namespace liftoff::tokenizer
