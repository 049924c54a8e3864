// Byte-level BPE over merge ranks: within one pre-tokenized word, repeatedly apply the
// lowest-ranked merge among adjacent pairs (leftmost first on ties), as llama.cpp's
// llm_tokenizer_bpe_session does. Merges are keyed by the two token ids, so a lookup is one hash
// probe on an integer instead of building strings.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/vocab.h"

namespace liftoff::tokenizer {

class BpeEncoder {
 public:
  // Builds the rank table from vocab.merges (rank = index; the first of duplicates wins). A
  // merge whose halves are not both vocabulary entries can never apply and is left out.
  static BpeEncoder create(const Vocab& vocab);

  // Appends the ids of one word (already in the vocabulary's alphabet: byte-level encoded when
  // vocab.byte_encode) to `out`. Thread-safe.
  void encode_word(const Vocab& vocab, std::string_view word, std::vector<TokenId>& out) const;

  size_t n_merges() const { return merges_.size(); }

 private:
  struct Merge {
    int32_t rank;
    TokenId result;  // id of the concatenation, -1 if it is not in the vocabulary
  };
  static uint64_t key(TokenId left, TokenId right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
           static_cast<uint32_t>(right);
  }
  std::unordered_map<uint64_t, Merge> merges_;
};

}  // namespace liftoff::tokenizer
