// TokenIndex: text -> token id, as one flat open-addressing table of 8-byte slots. Encoders probe
// it once per candidate merge, so it has to be cheap: a probe is a hash, a few adjacent slots and
// (on a tag hit) one compare against the token's text, which the index does not copy.
// std::unordered_map's node per entry made vocabulary loading and SPM encoding ~3x slower.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace liftoff::tokenizer {

class TokenIndex {
 public:
  // `text_of(id)` gives the text of token `id`; the caller owns the texts and passes the same
  // accessor to every call. Inserting a text already present re-points it at the new id: the
  // last duplicate wins, as in llama.cpp.
  template <typename TextOf>
  void insert(std::string_view text, int32_t id, const TextOf& text_of) {
    if ((size_ + 1) * 2 > slots_.size()) grow(slots_.size() < 16 ? 32 : slots_.size() * 2, text_of);
    const uint64_t h = hash(text);
    for (size_t i = h & mask();; i = (i + 1) & mask()) {
      const uint64_t slot = slots_[i];
      if (slot == 0) {
        slots_[i] = make_slot(h, id);
        ++size_;
        return;
      }
      if (tag_of(slot) == tag(h) && text_of(id_of(slot)) == text) {
        slots_[i] = make_slot(h, id);
        return;
      }
    }
  }

  // The id of `text`, or -1.
  template <typename TextOf>
  int32_t find(std::string_view text, const TextOf& text_of) const {
    if (slots_.empty()) return -1;
    const uint64_t h = hash(text);
    for (size_t i = h & mask();; i = (i + 1) & mask()) {
      const uint64_t slot = slots_[i];
      if (slot == 0) return -1;
      if (tag_of(slot) == tag(h) && text_of(id_of(slot)) == text) return id_of(slot);
    }
  }

  // Sizes the table for `n` texts up front (avoids rehashing while a vocabulary loads).
  template <typename TextOf>
  void reserve(size_t n, const TextOf& text_of) {
    size_t capacity = 32;
    while (capacity < n * 2) capacity *= 2;
    if (capacity > slots_.size()) grow(capacity, text_of);
  }

  size_t size() const { return size_; }

 private:
  // FNV-1a over 8-byte words, then a murmur finaliser: token texts are short, so this beats a
  // general-purpose hash, and the finaliser spreads the bits the table index takes.
  static uint64_t hash(std::string_view text) {
    uint64_t h = 0xcbf29ce484222325ull ^ text.size();
    size_t i = 0;
    for (; i + 8 <= text.size(); i += 8) {
      uint64_t word = 0;
      for (size_t b = 0; b < 8; ++b)
        word |= static_cast<uint64_t>(static_cast<uint8_t>(text[i + b])) << (8 * b);
      h = (h ^ word) * 0x100000001b3ull;
    }
    for (; i < text.size(); ++i) h = (h ^ static_cast<uint8_t>(text[i])) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
  }
  static uint32_t tag(uint64_t h) { return static_cast<uint32_t>(h >> 32); }
  static uint32_t tag_of(uint64_t slot) { return static_cast<uint32_t>(slot >> 32); }
  static int32_t id_of(uint64_t slot) { return static_cast<int32_t>((slot & 0xFFFFFFFFu) - 1); }
  static uint64_t make_slot(uint64_t h, int32_t id) {
    return (static_cast<uint64_t>(tag(h)) << 32) | (static_cast<uint32_t>(id) + 1u);
  }
  size_t mask() const { return slots_.size() - 1; }

  template <typename TextOf>
  void grow(size_t capacity, const TextOf& text_of) {
    std::vector<uint64_t> old;
    old.swap(slots_);
    slots_.assign(capacity, 0);
    for (uint64_t slot : old) {
      if (slot == 0) continue;
      const uint64_t h = hash(text_of(id_of(slot)));
      size_t i = h & mask();
      while (slots_[i] != 0) i = (i + 1) & mask();
      slots_[i] = slot;
    }
  }

  std::vector<uint64_t> slots_;  // high 32 bits: hash tag; low 32 bits: id + 1 (0 = empty)
  size_t size_ = 0;
};

}  // namespace liftoff::tokenizer
