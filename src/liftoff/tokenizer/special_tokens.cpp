// One pass over the fragment list per special token (longest first), each pass cutting every
// occurrence out of the raw fragments. A token whose first byte does not occur in the text at
// all is skipped without scanning, which keeps 100+-special-token vocabularies cheap.
#include "liftoff/tokenizer/special_tokens.h"

#include <array>
#include <utility>

namespace liftoff::tokenizer {

namespace {

// std::isspace in the "C" locale, without its undefined behaviour for negative chars.
bool is_ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

}  // namespace

std::vector<Fragment> partition_special(const Vocab& vocab, std::string_view text,
                                        bool parse_special) {
  std::vector<Fragment> fragments;
  if (text.empty()) return fragments;
  fragments.push_back({-1, 0, text.size()});

  std::array<bool, 256> present{};
  for (char c : text) present[static_cast<uint8_t>(c)] = true;

  std::vector<Fragment> next;
  for (const TokenId id : vocab.special_tokens) {
    const TokenData& token = vocab.tokens[id];
    if (!parse_special && (token.attr & (kAttrControl | kAttrUnknown))) continue;
    const std::string_view needle = token.text;
    if (needle.empty() || !present[static_cast<uint8_t>(needle[0])]) continue;

    bool changed = false;
    next.clear();
    for (const Fragment& fragment : fragments) {
      if (fragment.token != -1) {
        next.push_back(fragment);
        continue;
      }
      size_t begin = fragment.offset;
      const size_t end = fragment.offset + fragment.length;
      while (begin < end) {
        const size_t match = text.substr(0, end).find(needle, begin);
        if (match == std::string_view::npos) break;
        changed = true;
        size_t left_end = match;
        if (token.attr & kAttrLstrip) {
          while (left_end > begin && is_ascii_space(text[left_end - 1])) --left_end;
        }
        if (left_end > begin) next.push_back({-1, begin, left_end - begin});
        next.push_back({id, 0, 0});
        begin = match + needle.size();
        if (token.attr & kAttrRstrip) {
          while (begin < end && is_ascii_space(text[begin])) ++begin;
        }
      }
      if (begin < end) next.push_back({-1, begin, end - begin});
    }
    if (changed) std::swap(fragments, next);
  }
  return fragments;
}

}  // namespace liftoff::tokenizer
