// SentencePiece-style merging with a priority queue of candidate pairs: O(n log n) in the text
// length. Stale queue entries (a side already merged) are skipped when popped. Runs between
// barrier bytes are merged separately (see SpmEncoder::barrier_).
#include "liftoff/tokenizer/spm_encoder.h"

#include <algorithm>
#include <queue>

#include "liftoff/tokenizer/unicode.h"

namespace liftoff::tokenizer {

namespace {

struct Symbol {
  int prev;
  int next;
  size_t offset;  // into the text
  size_t length;  // bytes; 0 once merged into its left neighbour
};

struct Bigram {
  int left;
  int right;
  float score;
  size_t length;  // bytes of left + right when queued, to detect stale entries
};

struct BigramOrder {
  // std::priority_queue pops the greatest: highest score first, then the leftmost pair.
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

class SpmSession {
 public:
  SpmSession(const Vocab& vocab, std::string_view text) : vocab_(vocab), text_(text) {}

  void run(std::vector<TokenId>& out) {
    for (size_t offset = 0; offset < text_.size();) {
      const size_t n = std::min(unicode::sequence_length(static_cast<uint8_t>(text_[offset])),
                                text_.size() - offset);
      const int index = static_cast<int>(symbols_.size());
      symbols_.push_back({index - 1, offset + n == text_.size() ? -1 : index + 1, offset, n});
      offset += n;
    }
    for (int i = 1; i < static_cast<int>(symbols_.size()); ++i) try_add_bigram(i - 1, i);

    while (!queue_.empty()) {
      const Bigram bigram = queue_.top();
      queue_.pop();
      Symbol& left = symbols_[bigram.left];
      Symbol& right = symbols_[bigram.right];
      if (left.length == 0 || right.length == 0 || left.length + right.length != bigram.length) {
        continue;
      }
      left.length += right.length;
      right.length = 0;
      left.next = right.next;
      if (right.next >= 0) symbols_[right.next].prev = bigram.left;
      try_add_bigram(left.prev, bigram.left);
      try_add_bigram(bigram.left, left.next);
    }

    for (int i = symbols_.empty() ? -1 : 0; i != -1; i = symbols_[i].next) {
      emit(symbols_[i], out);
    }
  }

 private:
  std::string_view text_of(const Symbol& s) const { return text_.substr(s.offset, s.length); }

  void try_add_bigram(int left, int right) {
    if (left == -1 || right == -1) return;
    const std::string_view text =
        text_.substr(symbols_[left].offset, symbols_[left].length + symbols_[right].length);
    const TokenId id = vocab_.find(text);
    if (id == -1) return;
    queue_.push({left, right, vocab_.tokens[id].score, text.size()});
  }

  // Every merge produces a vocabulary entry, so a final symbol that is not one is a single
  // character the vocabulary lacks: it goes out as byte tokens. (llama.cpp also keeps a map to
  // split such a symbol along the merge that made it, but no merge can make a non-entry, and a
  // lone UTF-8 character is never the concatenation of two symbols, so that map is never hit.)
  void emit(const Symbol& symbol, std::vector<TokenId>& out) const {
    const std::string_view text = text_of(symbol);
    const TokenId id = vocab_.find(text);
    if (id != -1) {
      out.push_back(id);
      return;
    }
    for (char c : text) {
      const TokenId byte_id = spm_byte_token(vocab_, static_cast<uint8_t>(c));
      if (byte_id != -1) out.push_back(byte_id);
    }
  }

  const Vocab& vocab_;
  std::string_view text_;
  std::vector<Symbol> symbols_;
  std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue_;
};

}  // namespace

TokenId spm_byte_token(const Vocab& vocab, uint8_t byte) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const char name[6] = {'<', '0', 'x', kHex[byte >> 4], kHex[byte & 15], '>'};
  TokenId id = vocab.find(std::string_view(name, sizeof(name)));
  if (id != -1) return id;
  const char raw = static_cast<char>(byte);
  id = vocab.find(std::string_view(&raw, 1));
  // llama.cpp aborts here; a vocabulary without byte tokens degrades to <unk> instead.
  return id != -1 ? id : vocab.unk;
}

SpmEncoder::SpmEncoder(const Vocab& vocab) {
  barrier_.fill(true);
  for (const TokenData& token : vocab.tokens) {
    if (token.text.size() < 2) continue;
    for (char c : token.text) {
      if (static_cast<uint8_t>(c) < 128) barrier_[static_cast<uint8_t>(c)] = false;
    }
  }
}

void SpmEncoder::encode(const Vocab& vocab, std::string_view text,
                        std::vector<TokenId>& out) const {
  // Walk symbols exactly as the session will (a lead byte may swallow a following ASCII byte of
  // invalid UTF-8), and cut only where a barrier is a whole symbol: [start, i), [i, i + 1), ...
  size_t start = 0;
  for (size_t i = 0; i < text.size();) {
    const auto byte = static_cast<uint8_t>(text[i]);
    if (byte >= 128 || !barrier_[byte]) {
      i += unicode::sequence_length(byte);
      continue;
    }
    if (i > start) SpmSession(vocab, text.substr(start, i - start)).run(out);
    SpmSession(vocab, text.substr(i, 1)).run(out);
    start = ++i;
  }
  if (start < text.size()) SpmSession(vocab, text.substr(start)).run(out);
}

}  // namespace liftoff::tokenizer
