// GPT-2's bytes_to_unicode table, built once: printable Latin-1 bytes map to themselves, the
// other 68 bytes to U+0100 onwards in byte order.
#include "liftoff/tokenizer/byte_level.h"

#include <array>
#include <cstdio>

#include "liftoff/tokenizer/unicode.h"

namespace liftoff::tokenizer::byte_level {

namespace {

struct Alphabet {
  std::array<std::string, 256> byte_text;
  std::array<int16_t, 324> cpt_to_byte;  // code points 0..323 cover the whole alphabet; -1 = none

  Alphabet() {
    cpt_to_byte.fill(-1);
    uint32_t next_extra = 256;
    for (uint32_t b = 0; b < 256; ++b) {
      const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      const uint32_t cpt = printable ? b : next_extra++;
      byte_text[b] = unicode::encode(cpt);
      cpt_to_byte[cpt] = static_cast<int16_t>(b);
    }
  }
};

const Alphabet& alphabet() {
  static const Alphabet kAlphabet;
  return kAlphabet;
}

}  // namespace

const std::string& byte_to_text(uint8_t byte) { return alphabet().byte_text[byte]; }

std::string encode(std::string_view bytes) {
  const Alphabet& a = alphabet();
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) out += a.byte_text[static_cast<uint8_t>(c)];
  return out;
}

std::string decode(std::string_view text) {
  const Alphabet& a = alphabet();
  std::string out;
  out.reserve(text.size());
  size_t offset = 0;
  while (offset < text.size()) {
    const size_t start = offset;
    const uint32_t cpt = unicode::decode_one(text, offset);
    if (cpt < a.cpt_to_byte.size() && a.cpt_to_byte[cpt] >= 0) {
      out.push_back(static_cast<char>(a.cpt_to_byte[cpt]));
      continue;
    }
    out += "[UNK_BYTE_0x";
    for (size_t i = start; i < offset; ++i) {
      char hex[3];
      std::snprintf(hex, sizeof(hex), "%02x", static_cast<uint8_t>(text[i]));
      out += hex;
    }
    out += text;
    out += "]";
  }
  return out;
}

}  // namespace liftoff::tokenizer::byte_level
