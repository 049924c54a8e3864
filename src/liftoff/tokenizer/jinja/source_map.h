// SourceMap: the template source after newline normalisation, and byte offset -> line:column
// for error messages. Every token and AST node keeps a byte offset into this text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "liftoff/base/status.h"

namespace liftoff::tokenizer::jinja {

class SourceMap {
 public:
  // Normalises as Jinja does before lexing: "\r\n" and "\r" become "\n", and one trailing
  // newline is dropped (keep_trailing_newline=False).
  explicit SourceMap(std::string_view raw_source);

  const std::string& text() const { return text_; }
  int line(size_t offset) const;    // 1-based
  int column(size_t offset) const;  // 1-based, in code points
  // kInvalidArgument "chat template: line L, column C: <message>".
  Status error(size_t offset, std::string_view message) const;

 private:
  std::string text_;
  std::vector<size_t> line_starts_;  // offset of the first byte of each line
};

}  // namespace liftoff::tokenizer::jinja
