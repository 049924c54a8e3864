// Rank-ordered BPE with a heap of candidate pairs: O(n log n) per word. A popped pair is stale
// when either side has changed since it was queued; ids identify the sides' texts exactly.
#include "liftoff/tokenizer/bpe_encoder.h"

#include <algorithm>
#include <queue>
#include <string>

#include "liftoff/tokenizer/unicode.h"

namespace liftoff::tokenizer {

namespace {

struct Symbol {
  int prev;
  int next;
  size_t offset;  // into the word
  size_t length;  // bytes; 0 once merged into its left neighbour
  TokenId id;     // -1: not a vocabulary entry (can take part in no merge)
};

struct Candidate {
  int32_t rank;
  int left;
  int right;
  TokenId left_id;
  TokenId right_id;
  TokenId result;
};

struct CandidateOrder {
  // std::priority_queue pops the greatest: lowest rank first, then the leftmost pair.
  bool operator()(const Candidate& a, const Candidate& b) const {
    return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
  }
};

}  // namespace

BpeEncoder BpeEncoder::create(const Vocab& vocab) {
  BpeEncoder encoder;
  size_t capacity = 64;
  while (capacity < vocab.merges.size() * 2) capacity *= 2;
  encoder.slots_.assign(capacity, Slot{kEmpty, 0, -1});
  const size_t mask = capacity - 1;
  std::string joined;
  for (size_t rank = 0; rank < vocab.merges.size(); ++rank) {
    const auto& [first, second] = vocab.merges[rank];
    const TokenId left = vocab.find(first);
    const TokenId right = vocab.find(second);
    if (left == -1 || right == -1) continue;
    const uint64_t k = key(left, right);
    size_t i = slot_of(k, mask);
    while (encoder.slots_[i].key != kEmpty && encoder.slots_[i].key != k) i = (i + 1) & mask;
    if (encoder.slots_[i].key == k) continue;  // a duplicate merge keeps its first (lowest) rank
    joined.assign(first).append(second);
    encoder.slots_[i] = Slot{k, static_cast<int32_t>(rank), vocab.find(joined)};
    ++encoder.n_merges_;
  }
  return encoder;
}

const BpeEncoder::Slot* BpeEncoder::lookup(TokenId left, TokenId right) const {
  if (slots_.empty()) return nullptr;
  const size_t mask = slots_.size() - 1;
  const uint64_t k = key(left, right);
  for (size_t i = slot_of(k, mask);; i = (i + 1) & mask) {
    if (slots_[i].key == k) return &slots_[i];
    if (slots_[i].key == kEmpty) return nullptr;
  }
}

void BpeEncoder::encode_word(const Vocab& vocab, std::string_view word,
                             std::vector<TokenId>& out) const {
  if (word.empty()) return;
  if (vocab.ignore_merges) {
    const TokenId whole = vocab.find(word);
    if (whole != -1) {
      out.push_back(whole);
      return;
    }
  }

  std::vector<Symbol> symbols;
  symbols.reserve(word.size());
  for (size_t offset = 0; offset < word.size();) {
    const size_t n = std::min(unicode::sequence_length(static_cast<uint8_t>(word[offset])),
                              word.size() - offset);
    const int index = static_cast<int>(symbols.size());
    symbols.push_back({index - 1, offset + n == word.size() ? -1 : index + 1, offset, n,
                       vocab.find(word.substr(offset, n))});
    offset += n;
  }

  std::priority_queue<Candidate, std::vector<Candidate>, CandidateOrder> queue;
  const auto add_candidate = [&](int left, int right) {
    if (left == -1 || right == -1) return;
    const TokenId left_id = symbols[left].id;
    const TokenId right_id = symbols[right].id;
    if (left_id == -1 || right_id == -1) return;
    const Slot* merge = lookup(left_id, right_id);
    if (merge == nullptr) return;
    queue.push({merge->rank, left, right, left_id, right_id, merge->result});
  };
  for (int i = 1; i < static_cast<int>(symbols.size()); ++i) add_candidate(i - 1, i);

  while (!queue.empty()) {
    const Candidate c = queue.top();
    queue.pop();
    Symbol& left = symbols[c.left];
    Symbol& right = symbols[c.right];
    if (left.length == 0 || right.length == 0 || left.id != c.left_id || right.id != c.right_id) {
      continue;
    }
    left.length += right.length;
    left.id = c.result;
    right.length = 0;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = c.left;
    add_candidate(left.prev, c.left);
    add_candidate(c.left, left.next);
  }

  for (int i = 0; i != -1; i = symbols[i].next) {
    const Symbol& s = symbols[i];
    if (s.id != -1) {
      out.push_back(s.id);
      continue;
    }
    // Not a vocabulary entry: emit it byte by byte where bytes are tokens (llama.cpp looks up
    // each raw byte of the piece; in byte-level vocabularies that finds the ASCII ones).
    for (char c : word.substr(s.offset, s.length)) {
      TokenId id = -1;
      if (vocab.byte_encode) {
        id = vocab.find(std::string_view(&c, 1));
      } else {
        static constexpr char kHex[] = "0123456789ABCDEF";
        const auto b = static_cast<uint8_t>(c);
        const char name[6] = {'<', '0', 'x', kHex[b >> 4], kHex[b & 15], '>'};
        id = vocab.find(std::string_view(name, sizeof(name)));
      }
      if (id != -1) out.push_back(id);
    }
  }
}

}  // namespace liftoff::tokenizer
