// GPT-2 byte-level alphabet: every byte 0-255 stands for one printable code point, so byte-level
// BPE vocabularies are plain Unicode strings ("Ġ" is the space byte 0x20).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace liftoff::tokenizer::byte_level {

// The UTF-8 text of the code point that stands for `byte`.
const std::string& byte_to_text(uint8_t byte);

// Every byte of `bytes` replaced by its stand-in code point.
std::string encode(std::string_view bytes);

// Inverse of encode(). A code point outside the alphabet is written as llama.cpp does
// ("[UNK_BYTE_0x<hex>" + text + "]"), so odd vocab entries stay visible instead of vanishing.
std::string decode(std::string_view text);

}  // namespace liftoff::tokenizer::byte_level
