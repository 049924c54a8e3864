// Encode/decode drivers. Encoding: split out special tokens, then hand each raw run to the
// vocabulary's algorithm with llama.cpp's per-type framing (SPM's space prefix, BOS/EOS/SEP).
// Decoding: concatenated pieces plus llama.cpp's space clean-up for BPE vocabularies.
#include "liftoff/tokenizer/tokenizer_impl.h"

#include <cstdlib>
#include <utility>

#include "liftoff/tokenizer/byte_level.h"
#include "liftoff/tokenizer/special_tokens.h"
#include "liftoff/tokenizer/spm_encoder.h"
#include "liftoff/tokenizer/unicode.h"
#include "liftoff/tokenizer/wpm_encoder.h"

namespace liftoff::tokenizer {

namespace {

constexpr std::string_view kSpaceMarker = "\xe2\x96\x81";  // U+2581, SentencePiece's space
constexpr uint32_t kSpecialAttrs = kAttrControl | kAttrUnknown;

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  size_t pos = 0;
  for (size_t hit = text.find(from); hit != std::string_view::npos; hit = text.find(from, pos)) {
    out.append(text.substr(pos, hit - pos)).append(to);
    pos = hit + from.size();
  }
  out.append(text.substr(pos));
  return out;
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

// llama.cpp's clean_up_tokenization_spaces, pass for pass: " ?" " !" " ." " ," lose the space;
// a lone "'" between spaces loses both; " 's" " 'm" " 're" " 've" lose the space. Each pass
// rewrites `s` in place and reads characters that earlier writes may have replaced, exactly as
// the original does.
void clean_up_spaces(std::string& s) {
  size_t total = s.size();
  const auto pass = [&](auto&& body) {
    const size_t n = total;
    total = n ? 1 : 0;
    for (size_t i = 1; i < n; ++i) body(i, n);
    s.resize(total);
  };
  pass([&](size_t i, size_t) {
    const char x = s[i];
    if (s[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) --total;
    s[total++] = x;
  });
  pass([&](size_t& i, size_t n) {
    const char x = s[i];
    if (x == '\'' && i + 1 < n && s[i - 1] == ' ' && s[i + 1] == ' ') {
      --total;
      s[++i] = '\0';
    }
    s[total++] = x;
  });
  pass([&](size_t i, size_t n) {
    const char x = s[i];
    if (s[i - 1] == ' ' && x == '\'' && i + 1 < n) {
      const char x1 = s[i + 1];
      if (x1 == 's' || x1 == 'm') {
        --total;
      } else if (i + 2 < n) {
        const char x2 = s[i + 2];
        if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) --total;
      }
    }
    s[total++] = x;
  });
}

}  // namespace

Result<std::unique_ptr<TokenizerImpl>> TokenizerImpl::create(Vocab vocab) {
  std::unique_ptr<TokenizerImpl> impl(new TokenizerImpl(std::move(vocab)));
  const Vocab& v = impl->vocab_;
  if (v.type == VocabType::kBpe) {
    LIFTOFF_ASSIGN_OR_RETURN(impl->pre_tokenizer_, PreTokenizer::create(v.pre_regexes));
    impl->bpe_ = BpeEncoder::create(v);
    // The rank table has everything encoding needs; the merge strings (tens of MB for a 150k
    // vocabulary) are not kept twice.
    std::vector<std::pair<std::string, std::string>>().swap(impl->vocab_.merges);
  }
  if (v.type == VocabType::kSpm) impl->spm_ = SpmEncoder(v);
  impl->pieces_.resize(v.size());
  for (TokenId id = 0; id < static_cast<TokenId>(v.size()); ++id) {
    LIFTOFF_ASSIGN_OR_RETURN(impl->pieces_[id], impl->render_piece(id));
  }
  return impl;
}

Result<std::string> TokenizerImpl::render_piece(TokenId id) const {
  const TokenData& t = vocab_.tokens[id];
  if (t.attr & (kSpecialAttrs | kAttrUserDefined)) return t.text;
  if (t.attr & kAttrNormal) {
    if (vocab_.type == VocabType::kBpe && !vocab_.escape_whitespaces) {
      return byte_level::decode(t.text);
    }
    return replace_all(t.text, kSpaceMarker, " ");
  }
  if (t.attr & kAttrByte) {
    const std::string& s = t.text;
    if (s.size() != 6 || s.compare(0, 3, "<0x") != 0 || s[5] != '>' || !is_hex(s[3]) ||
        !is_hex(s[4])) {
      return Status::corrupt_data("tokenizer: token " + std::to_string(id) + " '" + s +
                                  "' is typed BYTE but is not of the form <0xXX>");
    }
    return std::string(1, static_cast<char>(std::strtol(s.substr(3, 2).c_str(), nullptr, 16)));
  }
  return std::string();  // unused / undefined tokens render as nothing
}

const std::string& TokenizerImpl::piece(TokenId id, bool render_special) const {
  if (!vocab_.has(id)) return empty_;
  if (!render_special && (vocab_.tokens[id].attr & kSpecialAttrs)) return empty_;
  return pieces_[id];
}

void TokenizerImpl::encode_bpe_text(std::string_view text, std::vector<TokenId>& out) const {
  std::string escaped;
  if (vocab_.escape_whitespaces) {
    escaped = replace_all(text, " ", kSpaceMarker);
    text = escaped;
  }
  // llama.cpp rebuilds the text from decoded code points before splitting, so invalid UTF-8
  // turns into U+FFFD here too (and PCRE2 gets the valid UTF-8 it requires).
  const std::string clean = unicode::sanitize(text);
  for (std::string_view word : pre_tokenizer_.split(clean)) {
    if (vocab_.byte_encode) {
      bpe_.encode_word(vocab_, byte_level::encode(word), out);
    } else {
      bpe_.encode_word(vocab_, word, out);
    }
  }
}

std::vector<TokenId> TokenizerImpl::encode(std::string_view text, bool add_special,
                                           bool parse_special) const {
  std::vector<TokenId> out;
  out.reserve(text.size() / 3 + 4);
  const std::vector<Fragment> fragments = partition_special(vocab_, text, parse_special);
  switch (vocab_.type) {
    case VocabType::kSpm: {
      if (add_special && vocab_.add_bos && vocab_.bos != -1) out.push_back(vocab_.bos);
      bool after_special = true;  // the start of the text counts as following a special token
      for (const Fragment& f : fragments) {
        if (f.token != -1) {
          out.push_back(f.token);
          after_special = true;
          continue;
        }
        std::string raw;
        if (vocab_.add_space_prefix && after_special) raw = " ";
        raw.append(text.substr(f.offset, f.length));
        spm_.encode(vocab_, replace_all(raw, " ", kSpaceMarker), out);
        after_special = false;
      }
      if (add_special && vocab_.add_eos && vocab_.eos != -1) out.push_back(vocab_.eos);
      break;
    }
    case VocabType::kBpe: {
      if (add_special && vocab_.add_bos && vocab_.bos != -1) out.push_back(vocab_.bos);
      for (const Fragment& f : fragments) {
        if (f.token != -1) {
          out.push_back(f.token);
        } else {
          encode_bpe_text(text.substr(f.offset, f.length), out);
        }
      }
      if (add_special && vocab_.add_eos && vocab_.eos != -1) out.push_back(vocab_.eos);
      break;
    }
    case VocabType::kWpm: {
      // BERT framing is [CLS] text [SEP] whatever add_bos says, as in llama.cpp.
      if (add_special && vocab_.bos != -1) out.push_back(vocab_.bos);
      for (const Fragment& f : fragments) {
        if (f.token != -1) {
          out.push_back(f.token);
        } else {
          wpm_encode(vocab_, text.substr(f.offset, f.length), out);
        }
      }
      if (add_special && vocab_.sep != -1) out.push_back(vocab_.sep);
      break;
    }
  }
  return out;
}

std::string TokenizerImpl::decode(std::span<const TokenId> ids, bool render_special) const {
  std::string out;
  // SentencePiece vocabularies put a space in front of the text; take it off the first text
  // token again. Unlike llama.cpp, which keeps it when a BOS comes first, special tokens before
  // it do not count, so decode(encode(s)) == s with or without BOS.
  bool remove_space = vocab_.add_space_prefix;
  for (TokenId id : ids) {
    std::string_view p = piece(id, render_special);
    if (remove_space && vocab_.has(id) &&
        !(vocab_.tokens[id].attr & (kSpecialAttrs | kAttrUserDefined))) {
      if (!p.empty() && p.front() == ' ') p.remove_prefix(1);
      remove_space = false;
    }
    out.append(p);
  }
  if (vocab_.clean_spaces) clean_up_spaces(out);
  return out;
}

}  // namespace liftoff::tokenizer
