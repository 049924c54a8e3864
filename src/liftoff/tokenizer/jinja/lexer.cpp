// Tokenizer for the Jinja subset. The whitespace rules mirror jinja2's lexer with
// trim_blocks=True and lstrip_blocks=True, since real chat templates are written against them.
#include "liftoff/tokenizer/jinja/lexer.h"

#include <cerrno>
#include <cstdlib>
#include <string_view>

#include "liftoff/tokenizer/unicode.h"

namespace liftoff::tokenizer::jinja {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string rstrip(std::string_view s) {
  size_t end = s.size();
  while (end > 0 && is_space(s[end - 1])) --end;
  return std::string(s.substr(0, end));
}

class Lexer {
 public:
  explicit Lexer(const SourceMap& map) : map_(map), src_(map.text()) {}

  Result<std::vector<Token>> run() {
    while (pos_ < src_.size()) {
      const size_t tag = find_tag(pos_);
      if (tag == std::string_view::npos) {
        emit_text(std::string(src_.substr(pos_)), pos_);
        break;
      }
      const char kind = src_[tag + 1];
      const char sign = (tag + 2 < src_.size() && (src_[tag + 2] == '-' || src_[tag + 2] == '+'))
                            ? src_[tag + 2]
                            : '\0';
      size_t raw_body = 0;
      const bool raw = kind == '%' && match_raw_begin(tag, &raw_body);
      emit_text(strip_before_tag(src_.substr(pos_, tag - pos_), sign, kind != '{'), pos_);
      const size_t after_open = tag + 2 + (sign != '\0' ? 1 : 0);
      if (raw) {
        LIFTOFF_RETURN_IF_ERROR(lex_raw(tag, raw_body));
      } else if (kind == '#') {
        LIFTOFF_RETURN_IF_ERROR(lex_comment(tag, after_open));
      } else {
        LIFTOFF_RETURN_IF_ERROR(lex_tag(tag, after_open, kind == '%'));
      }
    }
    Token end;
    end.type = TokenType::kEnd;
    end.offset = src_.size();
    tokens_.push_back(std::move(end));
    return std::move(tokens_);
  }

 private:
  size_t find_tag(size_t from) const {
    for (size_t i = src_.find('{', from); i != std::string_view::npos; i = src_.find('{', i + 1)) {
      if (i + 1 < src_.size() && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) {
        return i;
      }
    }
    return std::string_view::npos;
  }

  // The text before a tag, after `{%-` style stripping or lstrip_blocks (block and comment tags
  // only, unless the tag says `{%+`): whitespace between the line start and the tag goes.
  std::string strip_before_tag(std::string_view text, char sign, bool block_like) const {
    if (sign == '-') return rstrip(text);
    if (sign == '+' || !block_like) return std::string(text);
    const size_t nl = text.rfind('\n');
    const size_t line_start = nl == std::string_view::npos ? 0 : nl + 1;
    if (line_start == 0 && !line_starting_) return std::string(text);
    const std::string_view tail = text.substr(line_start);
    if (tail.empty()) return std::string(text);
    for (char c : tail) {
      if (!is_space(c)) return std::string(text);
    }
    return std::string(text.substr(0, line_start));
  }

  void emit_text(std::string text, size_t offset) {
    if (text.empty()) return;
    Token t;
    t.type = TokenType::kText;
    t.offset = offset;
    t.text = std::move(text);
    tokens_.push_back(std::move(t));
  }

  void emit(TokenType type, size_t offset, std::string text = {}) {
    Token t;
    t.type = type;
    t.offset = offset;
    t.text = std::move(text);
    tokens_.push_back(std::move(t));
  }

  size_t skip_spaces(size_t p) const {
    while (p < src_.size() && is_space(src_[p])) ++p;
    return p;
  }

  // Matches `{%[-+]?\s*<word>\s*` at `tag` and returns the offset after it, or npos.
  size_t match_block_word(size_t tag, std::string_view word) const {
    size_t p = tag + 2;
    if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) ++p;
    p = skip_spaces(p);
    if (src_.substr(p, word.size()) != word) return std::string_view::npos;
    p += word.size();
    if (p < src_.size() && is_name_char(src_[p])) return std::string_view::npos;
    return skip_spaces(p);
  }

  // `{% raw %}` (closing `%}` or `-%}`); sets the body start.
  bool match_raw_begin(size_t tag, size_t* body) const {
    size_t p = match_block_word(tag, "raw");
    if (p == std::string_view::npos) return false;
    if (src_.substr(p, 3) == "-%}") {
      *body = skip_spaces(p + 3);
    } else if (src_.substr(p, 2) == "%}") {
      *body = p + 2;
    } else {
      return false;
    }
    return true;
  }

  // After `end`, the close of a block-like tag: `-%}` eats following whitespace, `+%}` nothing,
  // plain `%}` one newline (trim_blocks). Returns the new position.
  size_t close_block_like(size_t close_start, char sign, size_t close_len) {
    size_t p = close_start + close_len;
    if (sign == '-') {
      p = skip_spaces(p);
    } else if (sign != '+' && p < src_.size() && src_[p] == '\n') {
      ++p;
    }
    line_starting_ = p > 0 && src_[p - 1] == '\n';
    return p;
  }

  Status lex_raw(size_t tag, size_t body) {
    for (size_t end = find_tag(body); end != std::string_view::npos; end = find_tag(end + 1)) {
      if (src_[end + 1] != '%') continue;
      const size_t p = match_block_word(end, "endraw");
      if (p == std::string_view::npos) continue;
      char close_sign = '\0';
      size_t close = p;
      if (src_.substr(p, 3) == "-%}" || src_.substr(p, 3) == "+%}") {
        close_sign = src_[p];
        ++close;
      } else if (src_.substr(p, 2) != "%}") {
        continue;
      }
      const char open_sign = (src_[end + 2] == '-' || src_[end + 2] == '+') ? src_[end + 2] : '\0';
      line_starting_ = body > 0 && src_[body - 1] == '\n';
      emit_text(strip_before_tag(src_.substr(body, end - body), open_sign, true), body);
      pos_ = close_block_like(close, close_sign, 2);
      return Status::ok();
    }
    return map_.error(tag, "raw block is never closed with {% endraw %}");
  }

  Status lex_comment(size_t tag, size_t content) {
    const size_t close = src_.find("#}", content);
    if (close == std::string_view::npos) return map_.error(tag, "comment is never closed");
    char sign = '\0';
    if (close > content && (src_[close - 1] == '-' || src_[close - 1] == '+')) {
      sign = src_[close - 1];
    }
    pos_ = close_block_like(close, sign, 2);
    return Status::ok();
  }

  Status lex_tag(size_t tag, size_t p, bool block) {
    emit(block ? TokenType::kBlockBegin : TokenType::kVariableBegin, tag);
    std::string brackets;  // open ( [ { awaiting their close
    for (;;) {
      p = skip_spaces(p);
      if (p >= src_.size()) {
        return map_.error(tag, block ? "block tag is never closed with %}"
                                     : "expression tag is never closed with }}");
      }
      if (brackets.empty()) {
        const std::string_view rest = src_.substr(p);
        const char close = block ? '%' : '}';
        if (rest.size() >= 3 && rest[0] == '-' && rest[1] == close && rest[2] == '}') {
          emit(block ? TokenType::kBlockEnd : TokenType::kVariableEnd, p);
          pos_ = skip_spaces(p + 3);
          line_starting_ = src_[pos_ - 1] == '\n';
          return Status::ok();
        }
        if (block && rest.substr(0, 3) == "+%}") {
          emit(TokenType::kBlockEnd, p);
          pos_ = close_block_like(p + 1, '+', 2);
          return Status::ok();
        }
        if (rest.size() >= 2 && rest[0] == close && rest[1] == '}') {
          emit(block ? TokenType::kBlockEnd : TokenType::kVariableEnd, p);
          if (block) {
            pos_ = close_block_like(p, '\0', 2);
          } else {
            pos_ = p + 2;
            line_starting_ = false;
          }
          return Status::ok();
        }
      }
      LIFTOFF_ASSIGN_OR_RETURN(p, lex_token(p, brackets));
    }
  }

  // One token inside a tag, starting at `p`; returns the position after it.
  Result<size_t> lex_token(size_t p, std::string& brackets) {
    const char c = src_[p];
    if (is_digit(c)) return lex_number(p);
    if (is_name_start(c)) {
      size_t e = p;
      while (e < src_.size() && is_name_char(src_[e])) ++e;
      emit(TokenType::kName, p, std::string(src_.substr(p, e - p)));
      return e;
    }
    if (c == '\'' || c == '"') return lex_string(p);
    static constexpr std::string_view kTwoChar[] = {"//", "**", "==", "!=", ">=", "<="};
    for (std::string_view op : kTwoChar) {
      if (src_.substr(p, 2) == op) {
        emit(TokenType::kOperator, p, std::string(op));
        return p + 2;
      }
    }
    static constexpr std::string_view kOneChar = "+-/*%~[](){}<>=.:|,;";
    if (kOneChar.find(c) == std::string_view::npos) {
      return map_.error(p, "unexpected character '" + std::string(1, c) + "' in tag");
    }
    if (c == '(' || c == '[' || c == '{') {
      brackets += c;
    } else if (c == ')' || c == ']' || c == '}') {
      const char open = c == ')' ? '(' : c == ']' ? '[' : '{';
      if (brackets.empty() || brackets.back() != open) {
        return map_.error(p, "unexpected '" + std::string(1, c) + "'");
      }
      brackets.pop_back();
    }
    emit(TokenType::kOperator, p, std::string(1, c));
    return p + 1;
  }

  size_t scan_digits(size_t p, int (*digit)(char), int base) const {
    while (p < src_.size()) {
      if (src_[p] == '_' && p + 1 < src_.size() && digit(src_[p + 1]) >= 0 &&
          digit(src_[p + 1]) < base) {
        ++p;
      } else if (digit(src_[p]) >= 0 && digit(src_[p]) < base) {
        ++p;
      } else {
        break;
      }
    }
    return p;
  }

  Result<size_t> lex_number(size_t p) {
    auto dec = [](char c) { return is_digit(c) ? c - '0' : -1; };
    // Jinja reads "0.1" after a dot as two integers ("x.0.1" is x[0][1]), never a float.
    const bool after_dot = p > 0 && src_[p - 1] == '.';
    size_t e = scan_digits(p, dec, 10);
    bool is_float = false;
    if (!after_dot) {
      if (e + 1 < src_.size() && src_[e] == '.' && is_digit(src_[e + 1])) {
        e = scan_digits(e + 1, dec, 10);
        is_float = true;
      }
      if (e < src_.size() && (src_[e] == 'e' || src_[e] == 'E')) {
        size_t x = e + 1;
        if (x < src_.size() && (src_[x] == '+' || src_[x] == '-')) ++x;
        if (x < src_.size() && is_digit(src_[x])) {
          e = scan_digits(x, dec, 10);
          is_float = true;
        }
      }
    }
    std::string digits;
    for (size_t i = p; i < e; ++i) {
      if (src_[i] != '_') digits += src_[i];
    }
    Token t;
    t.offset = p;
    if (is_float) {
      t.type = TokenType::kFloat;
      t.float_value = std::strtod(digits.c_str(), nullptr);
      tokens_.push_back(std::move(t));
      return e;
    }
    int base = 10;
    if (digits == "0" && e < src_.size()) {
      const char x = static_cast<char>(src_[e] | 0x20);
      base = x == 'x' ? 16 : x == 'o' ? 8 : x == 'b' ? 2 : 10;
      if (base != 10) {
        const size_t end = scan_digits(e + 1, hex_value, base);
        if (end == e + 1) return map_.error(p, "malformed number");
        digits.clear();
        for (size_t i = e + 1; i < end; ++i) {
          if (src_[i] != '_') digits += src_[i];
        }
        e = end;
      }
    }
    errno = 0;
    const unsigned long long v = std::strtoull(digits.c_str(), nullptr, base);
    if (errno == ERANGE || v > static_cast<unsigned long long>(INT64_MAX)) {
      return map_.error(p, "integer literal does not fit in 64 bits");
    }
    t.type = TokenType::kInteger;
    t.int_value = static_cast<int64_t>(v);
    tokens_.push_back(std::move(t));
    return e;
  }

  // A quoted literal with Python's escapes (\n \t \xhh \uhhhh \Uhhhhhhhh, octal, ...);
  // an unknown escape keeps its backslash, as Python does.
  Result<size_t> lex_string(size_t p) {
    const char quote = src_[p];
    std::string value;
    size_t i = p + 1;
    while (i < src_.size() && src_[i] != quote) {
      if (src_[i] != '\\') {
        value += src_[i++];
        continue;
      }
      if (i + 1 >= src_.size()) break;
      const char e = src_[i + 1];
      i += 2;
      switch (e) {
        case '\n':
          break;
        case '\\':
        case '\'':
        case '"':
          value += e;
          break;
        case 'a':
          value += '\a';
          break;
        case 'b':
          value += '\b';
          break;
        case 'f':
          value += '\f';
          break;
        case 'n':
          value += '\n';
          break;
        case 'r':
          value += '\r';
          break;
        case 't':
          value += '\t';
          break;
        case 'v':
          value += '\v';
          break;
        case 'x':
        case 'u':
        case 'U': {
          const size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          uint32_t cpt = 0;
          for (size_t k = 0; k < n; ++k) {
            const int h = i + k < src_.size() ? hex_value(src_[i + k]) : -1;
            if (h < 0) return map_.error(i - 2, "truncated \\" + std::string(1, e) + " escape");
            cpt = cpt * 16 + static_cast<uint32_t>(h);
          }
          if (cpt > 0x10FFFF) return map_.error(i - 2, "escape past U+10FFFF");
          i += n;
          unicode::append_utf8(cpt, value);
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            uint32_t cpt = static_cast<uint32_t>(e - '0');
            for (int k = 0; k < 2 && i < src_.size() && src_[i] >= '0' && src_[i] <= '7'; ++k) {
              cpt = cpt * 8 + static_cast<uint32_t>(src_[i++] - '0');
            }
            unicode::append_utf8(cpt, value);
          } else {
            value += '\\';
            value += e;
          }
      }
    }
    if (i >= src_.size()) return map_.error(p, "string literal is never closed");
    emit(TokenType::kString, p, std::move(value));
    return i + 1;
  }

  const SourceMap& map_;
  std::string_view src_;
  size_t pos_ = 0;
  bool line_starting_ = true;  // the last consumed text ended a line (lstrip_blocks)
  std::vector<Token> tokens_;
};

}  // namespace

Result<std::vector<Token>> tokenize(const SourceMap& source) { return Lexer(source).run(); }

}  // namespace liftoff::tokenizer::jinja
