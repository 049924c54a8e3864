// UTF-8 decoding/encoding and the few Unicode properties the tokenizers need (general-category
// class, White_Space, simple lowercase, first code point of NFD). Regex categories (\p{L}, ...)
// are PCRE2's business, not this file's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace liftoff::tokenizer::unicode {

inline constexpr uint32_t kReplacementChar = 0xFFFD;

// General category, folded to its major class. kUnassigned is Cn; kOther is the rest of C
// (Cc, Cf, Co, Cs).
enum class CharClass : uint8_t {
  kUnassigned = 0,
  kLetter = 1,
  kNumber = 2,
  kMark = 3,
  kPunctuation = 4,
  kSymbol = 5,
  kSeparator = 6,
  kOther = 7,
};

// Byte length of the UTF-8 sequence that `lead` starts, judged from its top four bits only
// (continuation bytes count as 1), as SentencePiece-style splitting expects.
size_t sequence_length(uint8_t lead);

// Decodes one code point at `offset` and advances it. An invalid or truncated sequence yields
// U+FFFD and advances by one byte. Overlong forms decode to their value (and re-encode in
// shortest form); this mirrors llama.cpp, whose BPE path rebuilds text from code points.
uint32_t decode_one(std::string_view text, size_t& offset);
std::vector<uint32_t> decode(std::string_view text);

// Appends the UTF-8 encoding of `cpt`; surrogates and values past U+10FFFF become U+FFFD so the
// result is always valid UTF-8.
void append_utf8(uint32_t cpt, std::string& out);
std::string encode(uint32_t cpt);

// decode() then re-encode: the valid UTF-8 string llama.cpp's BPE path actually tokenizes.
std::string sanitize(std::string_view text);

// Length of the longest prefix of `bytes` that does not end inside an incomplete (but so far
// valid) multi-byte sequence. Invalid bytes count as complete: they are the caller's to replace.
size_t complete_prefix_length(std::string_view bytes);

CharClass char_class(uint32_t cpt);
// The Unicode White_Space property (\t-\r, space, U+0085, U+00A0, U+1680, U+2000-U+200A, ...).
bool is_whitespace(uint32_t cpt);
uint32_t to_lower(uint32_t cpt);
// First code point of the canonical decomposition (the base letter of an accented letter).
uint32_t nfd_first(uint32_t cpt);
// CJK ideograph blocks as BERT's BasicTokenizer defines them.
bool is_cjk_ideograph(uint32_t cpt);

}  // namespace liftoff::tokenizer::unicode
