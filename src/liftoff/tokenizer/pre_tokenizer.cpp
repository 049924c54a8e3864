// PCRE2-backed regex splitting. Each piece is matched as its own subject, so lookarounds and $
// see the piece's ends exactly like llama.cpp's std::regex_iterator over a sub-range.
#include "liftoff/tokenizer/pre_tokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <utility>

#include "liftoff/tokenizer/unicode.h"

namespace liftoff::tokenizer {

namespace {

constexpr std::string_view kWhitespaceClass =
    "\\t-\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}"
    "\\x{3000}";

struct Span {
  size_t offset;
  size_t length;
};

}  // namespace

std::string pcre_pattern_for(std::string_view regex) {
  std::string out;
  out.reserve(regex.size() + 64);
  bool in_class = false;
  for (size_t i = 0; i < regex.size(); ++i) {
    const char c = regex[i];
    if (c == '\\' && i + 1 < regex.size()) {
      const char next = regex[i + 1];
      ++i;
      if (next == 's') {
        if (in_class) {
          out += kWhitespaceClass;
        } else {
          out += '[';
          out += kWhitespaceClass;
          out += ']';
        }
      } else if (next == 'S' && !in_class) {
        out += "[^";
        out += kWhitespaceClass;
        out += ']';
      } else {
        out += c;
        out += next;
      }
      continue;
    }
    if (c == '[' && !in_class) {
      in_class = true;
      out += c;
      // A ']' right after '[' or '[^' is a literal member, not the end of the class.
      if (i + 1 < regex.size() && regex[i + 1] == '^') out += regex[++i];
      if (i + 1 < regex.size() && regex[i + 1] == ']') out += regex[++i];
      continue;
    }
    if (c == ']' && in_class) in_class = false;
    out += c;
  }
  return out;
}

struct PreTokenizer::Compiled {
  std::string source;
  pcre2_code* code = nullptr;
  bool jit = false;

  ~Compiled() { pcre2_code_free(code); }

  int match_with_big_stack(PCRE2_SPTR subject, size_t len, size_t pos, uint32_t options,
                           pcre2_match_data* md) const {
    constexpr size_t kMaxStackBytes = size_t{64} << 20;
    pcre2_jit_stack* stack = pcre2_jit_stack_create(size_t{1} << 20, kMaxStackBytes, nullptr);
    pcre2_match_context* context = pcre2_match_context_create(nullptr);
    int rc = PCRE2_ERROR_NOMEMORY;
    if (stack != nullptr && context != nullptr) {
      pcre2_jit_stack_assign(context, nullptr, stack);
      rc = pcre2_match(code, subject, len, pos, options, md, context);
    }
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT || rc == PCRE2_ERROR_NOMEMORY) {
      rc = pcre2_match(code, subject, len, pos, options | PCRE2_NO_JIT, md, nullptr);
    }
    pcre2_match_context_free(context);
    pcre2_jit_stack_free(stack);
    return rc;
  }

  // Splits piece [offset, offset + length) of `text`, appending matches and gaps to `out`.
  void split_piece(std::string_view text, Span piece, pcre2_match_data* md,
                   std::vector<Span>& out) const {
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data() + piece.offset);
    const size_t len = piece.length;
    size_t gap_start = 0;  // end of the last match, relative to the piece
    size_t pos = 0;
    uint32_t options = 0;
    while (pos <= len) {
      int rc = pcre2_match(code, subject, len, pos, options | PCRE2_NO_UTF_CHECK, md, nullptr);
      if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {
        // Repeated groups over a long piece outgrow JIT's default 32 KB stack; redo the match
        // with a stack of our own (grown on demand up to 64 MB, this call only). The
        // interpreter would also do, but ~50x slower on such patterns.
        rc = match_with_big_stack(subject, len, pos, options | PCRE2_NO_UTF_CHECK, md);
      }
      if (rc == PCRE2_ERROR_NOMATCH && options != 0 && pos < len) {
        // The last match was empty and no non-empty match starts here: move one character on.
        pos += unicode::sequence_length(static_cast<uint8_t>(subject[pos]));
        options = 0;
        continue;
      }
      if (rc < 0) break;  // no match (or a resource limit): the rest stays one piece
      const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(md);
      const size_t match_start = ovector[0];
      const size_t match_end = ovector[1];
      if (match_start > gap_start) {
        out.push_back({piece.offset + gap_start, match_start - gap_start});
      }
      if (match_end > match_start) {
        out.push_back({piece.offset + match_start, match_end - match_start});
      }
      gap_start = match_end;
      pos = match_end;
      // After an empty match, first try a non-empty one at the same place (std::regex_iterator
      // does the same), so the loop always advances.
      options = match_end == match_start ? (PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED) : 0;
      if (options != 0 && pos == len) break;
    }
    if (gap_start < len) out.push_back({piece.offset + gap_start, len - gap_start});
  }
};

PreTokenizer::PreTokenizer() = default;
PreTokenizer::PreTokenizer(PreTokenizer&&) noexcept = default;
PreTokenizer& PreTokenizer::operator=(PreTokenizer&&) noexcept = default;
PreTokenizer::~PreTokenizer() = default;

Result<PreTokenizer> PreTokenizer::create(const std::vector<std::string>& regexes) {
  PreTokenizer result;
  for (const std::string& regex : regexes) {
    auto compiled = std::make_unique<Compiled>();
    compiled->source = regex;
    const std::string pattern = pcre_pattern_for(regex);
    int error_code = 0;
    PCRE2_SIZE error_offset = 0;
    compiled->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   PCRE2_UTF | PCRE2_UCP, &error_code, &error_offset, nullptr);
    if (compiled->code == nullptr) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(error_code, message, sizeof(message));
      return Status::invalid_argument(
          "tokenizer: pre-tokenizer regex '" + regex + "' does not compile at offset " +
          std::to_string(error_offset) + ": " + reinterpret_cast<const char*>(message));
    }
    compiled->jit = pcre2_jit_compile(compiled->code, PCRE2_JIT_COMPLETE) == 0;
    result.regexes_.push_back(std::move(compiled));
  }
  return result;
}

bool PreTokenizer::empty() const { return regexes_.empty(); }

std::vector<std::string_view> PreTokenizer::split(std::string_view text) const {
  std::vector<Span> pieces;
  if (!text.empty()) pieces.push_back({0, text.size()});
  std::vector<Span> next;
  for (const auto& regex : regexes_) {
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(regex->code, nullptr);
    next.clear();
    next.reserve(pieces.size() * 2);
    for (const Span& piece : pieces) regex->split_piece(text, piece, md, next);
    pcre2_match_data_free(md);
    std::swap(pieces, next);
  }
  std::vector<std::string_view> words;
  words.reserve(pieces.size());
  for (const Span& piece : pieces) words.push_back(text.substr(piece.offset, piece.length));
  return words;
}

}  // namespace liftoff::tokenizer
