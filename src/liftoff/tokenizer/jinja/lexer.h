// Lexer: template source -> tokens, with the whitespace handling HF's chat-template environment
// uses: `{%-`/`-%}` (and the same on `{{ }}` and `{# #}`) strip all whitespace on that side,
// trim_blocks drops the first newline after a block or comment tag, lstrip_blocks drops spaces
// and tabs between the start of a line and a block or comment tag. Comments are dropped and
// `{% raw %}` bodies come out as text. Parsing is parser.h's business.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/jinja/source_map.h"

namespace liftoff::tokenizer::jinja {

enum class TokenType : uint8_t {
  kText,           // template data between tags
  kVariableBegin,  // {{
  kVariableEnd,    // }}
  kBlockBegin,     // {%
  kBlockEnd,       // %}
  kName,
  kString,
  kInteger,
  kFloat,
  kOperator,
  kEnd,  // end of the template; always the last token
};

struct Token {
  TokenType type = TokenType::kEnd;
  size_t offset = 0;  // into SourceMap::text()
  // kText: the data; kName: the identifier; kString: the decoded literal; kOperator: its
  // spelling ("+", "//", "(", ...).
  std::string text;
  int64_t int_value = 0;
  double float_value = 0.0;
};

// kInvalidArgument with line and column for an unterminated tag, comment or string, an
// unknown character, unbalanced brackets or an integer literal past 64 bits.
Result<std::vector<Token>> tokenize(const SourceMap& source);

}  // namespace liftoff::tokenizer::jinja
