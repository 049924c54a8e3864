// Python's str operations on UTF-8 text, by code point: case mapping, strip, split, and
// indexing helpers. Shared by the filters (trim, upper, title, ...) and the str methods.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace liftoff::tokenizer::jinja::text {

// str.isspace() for one code point (Unicode White_Space plus U+001C..U+001F, as CPython).
bool is_space(uint32_t cpt);

std::string upper(std::string_view s);
std::string lower(std::string_view s);
// str.capitalize(): first character upper, the rest lower.
std::string capitalize(std::string_view s);
// str.title(): a cased character after an uncased one is upper, the rest lower.
std::string title(std::string_view s);

// str.strip(chars) / lstrip / rstrip: `chars` null means whitespace.
std::string strip(std::string_view s, const std::optional<std::string>& chars, bool left,
                  bool right);

// str.split(sep, maxsplit) / rsplit: no `sep` splits on whitespace runs and drops empty parts.
// `sep` must not be empty (the caller reports Python's "empty separator").
std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep,
                               int64_t maxsplit, bool from_right);
std::vector<std::string> splitlines(std::string_view s);

// str.replace(old, new, count); count < 0 replaces all. An empty `old` inserts `new` between
// characters, as Python does.
std::string replace(std::string_view s, std::string_view old, std::string_view replacement,
                    int64_t count);

// The string's code points as byte ranges (invalid bytes count as one character each).
std::vector<std::string_view> characters(std::string_view s);
size_t length(std::string_view s);  // in code points
// The character at code point `index` (< length(s)), found without building characters().
std::string_view character_at(std::string_view s, size_t index);
// The last character ("" for ""), and s with its characters in reverse order.
std::string_view last_character(std::string_view s);
std::string reversed(std::string_view s);
bool is_ascii(std::string_view s);

}  // namespace liftoff::tokenizer::jinja::text
