// UTF-8 codec and Unicode property lookups over the generated tables in unicode_tables.cpp.
#include "liftoff/tokenizer/unicode.h"

#include <algorithm>

#include "liftoff/tokenizer/unicode_tables.h"

namespace liftoff::tokenizer::unicode {

namespace {

bool is_continuation(uint8_t byte) { return (byte & 0xC0) == 0x80; }

}  // namespace

size_t sequence_length(uint8_t lead) {
  static constexpr uint8_t kLengthByHighNibble[16] = {1, 1, 1, 1, 1, 1, 1, 1,
                                                      1, 1, 1, 1, 2, 2, 3, 4};
  return kLengthByHighNibble[lead >> 4];
}

uint32_t decode_one(std::string_view text, size_t& offset) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[offset + i]); };
  const size_t available = text.size() - offset;
  const uint8_t b0 = byte(0);
  size_t length = 0;
  uint32_t cpt = 0;
  if (b0 < 0x80) {
    offset += 1;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    length = 2;
    cpt = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3;
    cpt = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4;
    cpt = b0 & 0x07;
  }
  bool ok = length != 0 && available >= length;
  for (size_t i = 1; ok && i < length; ++i) {
    ok = is_continuation(byte(i));
    cpt = (cpt << 6) | (byte(i) & 0x3F);
  }
  if (!ok || cpt > 0x10FFFF) {
    offset += 1;
    return kReplacementChar;
  }
  offset += length;
  return cpt;
}

std::vector<uint32_t> decode(std::string_view text) {
  std::vector<uint32_t> cpts;
  cpts.reserve(text.size());
  size_t offset = 0;
  while (offset < text.size()) cpts.push_back(decode_one(text, offset));
  return cpts;
}

void append_utf8(uint32_t cpt, std::string& out) {
  if ((cpt >= 0xD800 && cpt <= 0xDFFF) || cpt > 0x10FFFF) cpt = kReplacementChar;
  if (cpt < 0x80) {
    out.push_back(static_cast<char>(cpt));
  } else if (cpt < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cpt >> 6)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else if (cpt < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cpt >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cpt >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  }
}

std::string encode(uint32_t cpt) {
  std::string out;
  append_utf8(cpt, out);
  return out;
}

std::string sanitize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t offset = 0;
  while (offset < text.size()) {
    const size_t start = offset;
    const uint32_t cpt = decode_one(text, offset);
    const size_t shortest = cpt < 0x80 ? 1 : cpt < 0x800 ? 2 : cpt < 0x10000 ? 3 : 4;
    const bool surrogate = cpt >= 0xD800 && cpt <= 0xDFFF;
    // Well-formed shortest-form input (the common case) is copied unchanged; a failed decode
    // (U+FFFD over one byte), an overlong form or a surrogate is re-encoded.
    if (offset - start == shortest && !surrogate) {
      out.append(text.substr(start, offset - start));
    } else {
      append_utf8(cpt, out);
    }
  }
  return out;
}

size_t complete_prefix_length(std::string_view bytes) {
  // Only the last three bytes can belong to an unfinished sequence (the longest is four bytes).
  const size_t n = bytes.size();
  for (size_t back = 1; back <= std::min<size_t>(3, n); ++back) {
    const size_t pos = n - back;
    const auto lead = static_cast<uint8_t>(bytes[pos]);
    if (is_continuation(lead)) continue;
    size_t need = 0;
    if (lead >= 0xC2 && lead <= 0xDF) need = 2;
    if (lead >= 0xE0 && lead <= 0xEF) need = 3;
    if (lead >= 0xF0 && lead <= 0xF4) need = 4;
    if (need <= back) return n;  // ASCII, invalid lead, or a finished sequence
    if (back >= 2) {
      // The second byte's range depends on the lead (no overlongs, surrogates or > U+10FFFF);
      // a sequence that is already invalid is complete as far as holding back goes.
      const auto second = static_cast<uint8_t>(bytes[pos + 1]);
      uint8_t lo = 0x80, hi = 0xBF;
      if (lead == 0xE0) lo = 0xA0;
      if (lead == 0xED) hi = 0x9F;
      if (lead == 0xF0) lo = 0x90;
      if (lead == 0xF4) hi = 0x8F;
      if (second < lo || second > hi) return n;
    }
    return pos;
  }
  return n;
}

CharClass char_class(uint32_t cpt) {
  using unicode_tables::ClassRange;
  const ClassRange* begin = unicode_tables::kClassRanges;
  const ClassRange* end = begin + unicode_tables::kClassRangesSize;
  const ClassRange* it = std::upper_bound(
      begin, end, cpt, [](uint32_t value, const ClassRange& r) { return value < r.first; });
  if (it == begin || cpt > 0x10FFFF) return CharClass::kUnassigned;
  return static_cast<CharClass>((it - 1)->char_class);
}

bool is_whitespace(uint32_t cpt) {
  if (cpt < 0x80) return cpt == ' ' || (cpt >= 0x09 && cpt <= 0x0D);
  switch (cpt) {
    case 0x0085:
    case 0x00A0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cpt >= 0x2000 && cpt <= 0x200A;
  }
}

uint32_t to_lower(uint32_t cpt) {
  using unicode_tables::CaseMapping;
  const CaseMapping* begin = unicode_tables::kLowercase;
  const CaseMapping* end = begin + unicode_tables::kLowercaseSize;
  const CaseMapping* it = std::lower_bound(
      begin, end, cpt, [](const CaseMapping& m, uint32_t value) { return m.from < value; });
  return (it != end && it->from == cpt) ? it->to : cpt;
}

uint32_t nfd_first(uint32_t cpt) {
  using unicode_tables::NfdRange;
  const NfdRange* begin = unicode_tables::kNfdFirst;
  const NfdRange* end = begin + unicode_tables::kNfdFirstSize;
  const NfdRange* it = std::upper_bound(
      begin, end, cpt, [](uint32_t value, const NfdRange& r) { return value < r.first; });
  if (it == begin) return cpt;
  --it;
  return cpt <= it->last ? it->base : cpt;
}

bool is_cjk_ideograph(uint32_t cpt) {
  // BERT's ranges; 0x2B920 (not 0x2B820) is what Hugging Face's Rust code uses, and what
  // llama.cpp copied, so the same boundary is kept here.
  return (cpt >= 0x4E00 && cpt <= 0x9FFF) || (cpt >= 0x3400 && cpt <= 0x4DBF) ||
         (cpt >= 0x20000 && cpt <= 0x2A6DF) || (cpt >= 0x2A700 && cpt <= 0x2B73F) ||
         (cpt >= 0x2B740 && cpt <= 0x2B81F) || (cpt >= 0x2B920 && cpt <= 0x2CEAF) ||
         (cpt >= 0xF900 && cpt <= 0xFAFF) || (cpt >= 0x2F800 && cpt <= 0x2FA1F);
}

}  // namespace liftoff::tokenizer::unicode
