// Code-point-level string operations with CPython's results for the cases templates use.
// Case mapping is Unicode's simple mapping (one code point to one) plus CPython's "ß" -> "SS";
// the other multi-letter special casings (ligatures, some Greek) keep their letter.
#include "liftoff/tokenizer/jinja/text.h"

#include <algorithm>
#include <unordered_map>

#include "liftoff/tokenizer/unicode.h"

namespace liftoff::tokenizer::jinja::text {
namespace {

// Uppercase mapping, derived once by inverting the lowercase table we already have: for each
// code point whose lowercase differs, lowercase -> code point (the first one wins, so 'k' maps
// to 'K' rather than KELVIN SIGN).
const std::unordered_map<uint32_t, uint32_t>& upper_table() {
  static const std::unordered_map<uint32_t, uint32_t> table = [] {
    std::unordered_map<uint32_t, uint32_t> t;
    for (uint32_t cpt = 0; cpt < 0x20000; ++cpt) {
      const uint32_t lo = unicode::to_lower(cpt);
      if (lo != cpt) t.emplace(lo, cpt);
    }
    // Lowercase letters whose uppercase the inversion misses or gets wrong: final sigma,
    // dotless i, long s; sharp s has no one-letter uppercase (upper() spells it "SS").
    t[0x03C2] = 0x03A3;
    t[0x0131] = 0x0049;
    t[0x017F] = 0x0053;
    t.erase(0x00DF);
    return t;
  }();
  return table;
}

uint32_t to_upper(uint32_t cpt) {
  if (cpt < 0x80) return (cpt >= 'a' && cpt <= 'z') ? cpt - 32 : cpt;
  const auto& t = upper_table();
  const auto it = t.find(cpt);
  return it == t.end() ? cpt : it->second;
}

uint32_t to_lower(uint32_t cpt) {
  if (cpt < 0x80) return (cpt >= 'A' && cpt <= 'Z') ? cpt + 32 : cpt;
  return unicode::to_lower(cpt);
}

bool is_cased(uint32_t cpt) { return to_upper(cpt) != cpt || to_lower(cpt) != cpt; }

template <typename Fn>
std::string map_chars(std::string_view s, Fn fn) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  size_t index = 0;
  while (i < s.size()) {
    const size_t start = i;
    const uint32_t cpt = unicode::decode_one(s, i);
    if (cpt == unicode::kReplacementChar && s.substr(start, i - start) != "\xEF\xBF\xBD") {
      out.append(s, start, i - start);  // invalid bytes pass through untouched
    } else {
      unicode::append_utf8(fn(cpt, index), out);
    }
    ++index;
  }
  return out;
}

bool in_set(uint32_t cpt, const std::optional<std::string>& chars) {
  if (!chars) return is_space(cpt);
  size_t i = 0;
  while (i < chars->size()) {
    if (unicode::decode_one(*chars, i) == cpt) return true;
  }
  return false;
}

}  // namespace

bool is_space(uint32_t cpt) { return unicode::is_whitespace(cpt) || (cpt >= 0x1C && cpt <= 0x1F); }

std::string upper(std::string_view s) {
  std::string out = map_chars(s, [](uint32_t c, size_t) { return to_upper(c); });
  // CPython's full mapping of sharp s; rare enough to fix up afterwards.
  for (size_t at = out.find("\xC3\x9F"); at != std::string::npos; at = out.find("\xC3\x9F", at)) {
    out.replace(at, 2, "SS");
  }
  return out;
}

std::string lower(std::string_view s) {
  return map_chars(s, [](uint32_t c, size_t) { return to_lower(c); });
}

std::string capitalize(std::string_view s) {
  return map_chars(s, [](uint32_t c, size_t i) { return i == 0 ? to_upper(c) : to_lower(c); });
}

std::string title(std::string_view s) {
  bool previous_cased = false;
  return map_chars(s, [&](uint32_t c, size_t) {
    const bool cased = is_cased(c);
    const uint32_t mapped = cased ? (previous_cased ? to_lower(c) : to_upper(c)) : c;
    previous_cased = cased;
    return mapped;
  });
}

std::string strip(std::string_view s, const std::optional<std::string>& chars, bool left,
                  bool right) {
  const std::vector<std::string_view> cs = characters(s);
  size_t begin = 0;
  size_t end = cs.size();
  auto strippable = [&](std::string_view c) {
    size_t i = 0;
    return in_set(unicode::decode_one(c, i), chars);
  };
  if (left) {
    while (begin < end && strippable(cs[begin])) ++begin;
  }
  if (right) {
    while (end > begin && strippable(cs[end - 1])) --end;
  }
  if (begin == end) return {};
  const size_t from = static_cast<size_t>(cs[begin].data() - s.data());
  const size_t to = static_cast<size_t>(cs[end - 1].data() - s.data()) + cs[end - 1].size();
  return std::string(s.substr(from, to - from));
}

std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep,
                               int64_t maxsplit, bool from_right) {
  std::vector<std::string> parts;
  if (sep) {
    if (!from_right) {
      size_t start = 0;
      for (;;) {
        const size_t at = (maxsplit >= 0 && static_cast<int64_t>(parts.size()) >= maxsplit)
                              ? std::string_view::npos
                              : s.find(*sep, start);
        if (at == std::string_view::npos) break;
        parts.emplace_back(s.substr(start, at - start));
        start = at + sep->size();
      }
      parts.emplace_back(s.substr(start));
      return parts;
    }
    size_t end = s.size();
    for (;;) {
      const size_t at =
          (maxsplit >= 0 && static_cast<int64_t>(parts.size()) >= maxsplit) || end < sep->size()
              ? std::string_view::npos
              : s.rfind(*sep, end - sep->size());
      if (at == std::string_view::npos) break;
      parts.emplace_back(s.substr(at + sep->size(), end - at - sep->size()));
      end = at;
    }
    parts.emplace_back(s.substr(0, end));
    std::reverse(parts.begin(), parts.end());
    return parts;
  }
  // Whitespace runs; once maxsplit is reached the remainder is kept as is (minus the run that
  // separated it), trailing (or, from the right, leading) whitespace included.
  const std::vector<std::string_view> cs = characters(s);
  auto space_at = [&](size_t k) {
    size_t i = 0;
    return is_space(unicode::decode_one(cs[k], i));
  };
  auto join_range = [&](size_t a, size_t b) {
    if (a >= b) return std::string();
    const size_t from = static_cast<size_t>(cs[a].data() - s.data());
    const size_t to = static_cast<size_t>(cs[b - 1].data() - s.data()) + cs[b - 1].size();
    return std::string(s.substr(from, to - from));
  };
  if (!from_right) {
    size_t k = 0;
    while (k < cs.size()) {
      while (k < cs.size() && space_at(k)) ++k;
      if (k == cs.size()) break;
      if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) >= maxsplit) {
        parts.push_back(join_range(k, cs.size()));
        break;
      }
      size_t e = k;
      while (e < cs.size() && !space_at(e)) ++e;
      parts.push_back(join_range(k, e));
      k = e;
    }
    return parts;
  }
  size_t k = cs.size();
  while (k > 0) {
    while (k > 0 && space_at(k - 1)) --k;
    if (k == 0) break;
    if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) >= maxsplit) {
      parts.push_back(join_range(0, k));
      break;
    }
    size_t b = k;
    while (b > 0 && !space_at(b - 1)) --b;
    parts.push_back(join_range(b, k));
    k = b;
  }
  std::reverse(parts.begin(), parts.end());
  return parts;
}

std::vector<std::string> splitlines(std::string_view s) {
  std::vector<std::string> lines;
  size_t start = 0;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == '\x1c' || c == '\x1d' ||
        c == '\x1e') {
      lines.emplace_back(s.substr(start, i - start));
      i += (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ? 2 : 1;
      start = i;
    } else {
      ++i;
    }
  }
  if (start < s.size()) lines.emplace_back(s.substr(start));
  return lines;
}

std::string replace(std::string_view s, std::string_view old, std::string_view replacement,
                    int64_t count) {
  std::string out;
  if (old.empty()) {
    const std::vector<std::string_view> cs = characters(s);
    int64_t done = 0;
    for (size_t k = 0; k <= cs.size(); ++k) {
      if (count < 0 || done < count) {
        out += replacement;
        ++done;
      }
      if (k < cs.size()) out += cs[k];
    }
    return out;
  }
  size_t start = 0;
  int64_t done = 0;
  for (size_t at = s.find(old); at != std::string_view::npos && (count < 0 || done < count);
       at = s.find(old, start)) {
    out.append(s, start, at - start);
    out += replacement;
    start = at + old.size();
    ++done;
  }
  out.append(s, start);
  return out;
}

std::vector<std::string_view> characters(std::string_view s) {
  std::vector<std::string_view> cs;
  cs.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const size_t start = i;
    unicode::decode_one(s, i);
    cs.push_back(s.substr(start, i - start));
  }
  return cs;
}

size_t length(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string_view character_at(std::string_view s, size_t index) {
  size_t i = 0;
  for (size_t k = 0; k < index && i < s.size(); ++k) unicode::decode_one(s, i);
  const size_t start = i;
  if (i < s.size()) unicode::decode_one(s, i);
  return s.substr(start, i - start);
}

std::string_view last_character(std::string_view s) {
  if (s.empty()) return s;
  size_t i = s.size() - 1;
  // Back over continuation bytes, but no further than one sequence can reach.
  while (i > 0 && s.size() - i < 4 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return s.substr(i);
}

std::string reversed(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const std::string_view c = last_character(s);
    out += c;
    s.remove_suffix(c.size());
  }
  return out;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (static_cast<unsigned char>(c) & 0x80) == 0; });
}

}  // namespace liftoff::tokenizer::jinja::text
