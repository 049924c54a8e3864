// Byte-level BPE over merge ranks: within one pre-tokenized word, repeatedly apply the
// lowest-ranked merge among adjacent pairs (leftmost first on ties), as llama.cpp's
// llm_tokenizer_bpe_session does. Merges are keyed by the two token ids, so a lookup is one probe
// of a flat table on an integer instead of hashing strings.
#pragma once

#include <cstdint>
#include <string_view>
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

  size_t n_merges() const { return n_merges_; }

 private:
  // Open-addressing table keyed by (left id, right id); kEmpty marks a free slot (no id pair
  // maps to it: ids are below 2^31).
  struct Slot {
    uint64_t key;
    int32_t rank;
    TokenId result;  // id of the concatenation, -1 if it is not in the vocabulary
  };
  static constexpr uint64_t kEmpty = ~0ull;
  static uint64_t key(TokenId left, TokenId right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
           static_cast<uint32_t>(right);
  }
  static size_t slot_of(uint64_t key, size_t mask) {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 20) & mask;
  }
  const Slot* lookup(TokenId left, TokenId right) const;

  std::vector<Slot> slots_;
  size_t n_merges_ = 0;
};

}  // namespace liftoff::tokenizer
