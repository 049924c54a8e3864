// StreamingDecoder: token pieces are appended to a byte buffer and only the part that ends on a
// character boundary is released, so a UTF-8 character spread over byte tokens (emoji, CJK under
// a small SentencePiece vocabulary) comes out whole.
#include "liftoff/tokenizer/tokenizer.h"
#include "liftoff/tokenizer/unicode.h"

namespace liftoff::tokenizer {

namespace {

// `bytes` with every invalid sequence replaced by U+FFFD (strict UTF-8: no overlongs,
// surrogates or code points past U+10FFFF), so callers only ever see valid text.
std::string to_valid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t offset = 0;
  while (offset < bytes.size()) {
    const size_t start = offset;
    const uint32_t cpt = unicode::decode_one(bytes, offset);
    const size_t shortest = cpt < 0x80 ? 1 : cpt < 0x800 ? 2 : cpt < 0x10000 ? 3 : 4;
    const bool surrogate = cpt >= 0xD800 && cpt <= 0xDFFF;
    if (offset - start == shortest && !surrogate) {
      out.append(bytes.substr(start, offset - start));
    } else {
      // A bad lead byte is replaced alone; the bytes after it are looked at again.
      unicode::append_utf8(unicode::kReplacementChar, out);
      offset = start + 1;
    }
  }
  return out;
}

}  // namespace

std::string StreamingDecoder::push(TokenId id) {
  // Pieces are emitted as the server streams them: control tokens render as nothing and the
  // first piece keeps its leading space (the prompt came before it).
  first_ = false;
  pending_ += tokenizer_->token_to_piece(id);
  const size_t complete = unicode::complete_prefix_length(pending_);
  std::string out = to_valid_utf8(std::string_view(pending_).substr(0, complete));
  pending_.erase(0, complete);
  return out;
}

std::string StreamingDecoder::flush() {
  std::string out = to_valid_utf8(pending_);
  pending_.clear();
  first_ = true;
  return out;
}

}  // namespace liftoff::tokenizer
