// WordPiece normalisation and greedy longest-match, code point by code point.
#include "liftoff/tokenizer/wpm_encoder.h"

#include <algorithm>

#include "liftoff/tokenizer/unicode.h"

namespace liftoff::tokenizer {

std::vector<std::string> wpm_split_words(std::string_view text, bool lowercase,
                                         bool strip_accents) {
  using unicode::CharClass;
  std::vector<std::string> words(1);
  for (uint32_t cpt : unicode::decode(text)) {
    if (strip_accents) cpt = unicode::nfd_first(cpt);
    if (unicode::is_whitespace(cpt)) {
      if (!words.back().empty()) words.emplace_back();
      continue;
    }
    const CharClass cls = unicode::char_class(cpt);
    if (cpt == 0 || cpt == unicode::kReplacementChar || cls == CharClass::kOther) continue;
    if (strip_accents && cls == CharClass::kMark) continue;
    const std::string s = unicode::encode(lowercase ? unicode::to_lower(cpt) : cpt);
    // BERT isolates punctuation, ASCII symbols ($, +, <, ...) and CJK ideographs as words.
    if (cls == CharClass::kPunctuation || (cpt < 0x7F && cls == CharClass::kSymbol) ||
        unicode::is_cjk_ideograph(cpt)) {
      if (!words.back().empty()) words.emplace_back();
      words.back() = s;
      words.emplace_back();
    } else {
      words.back() += s;
    }
  }
  if (words.back().empty()) words.pop_back();
  return words;
}

void wpm_encode(const Vocab& vocab, std::string_view text, std::vector<TokenId>& out) {
  static constexpr std::string_view kWordStart = "\xe2\x96\x81";  // U+2581
  for (const std::string& word : wpm_split_words(text, vocab.lowercase, vocab.strip_accents)) {
    if (word.empty()) continue;
    std::string marked;
    marked.reserve(kWordStart.size() + word.size());
    marked.append(kWordStart).append(word);
    const std::string_view w = marked;
    const size_t n = w.size();
    const size_t first_token = out.size();
    // Longest match first, by bytes; a split inside a UTF-8 sequence simply finds no token.
    for (size_t i = 0; i < n;) {
      bool matched = false;
      for (size_t j = std::min(n, i + vocab.max_token_len + 1); j > i; --j) {
        const TokenId id = vocab.find(w.substr(i, j - i));
        if (id != -1) {
          out.push_back(id);
          matched = true;
          i = j;
          break;
        }
      }
      if (!matched) {
        out.resize(first_token);  // the whole word becomes [UNK]
        break;
      }
    }
    if (out.size() == first_token && vocab.unk != -1) out.push_back(vocab.unk);
  }
}

}  // namespace liftoff::tokenizer
