// Newline normalisation and offset -> line:column lookup for template error messages.
#include "liftoff/tokenizer/jinja/source_map.h"

#include <algorithm>

namespace liftoff::tokenizer::jinja {

SourceMap::SourceMap(std::string_view raw_source) {
  text_.reserve(raw_source.size());
  for (size_t i = 0; i < raw_source.size(); ++i) {
    if (raw_source[i] == '\r') {
      text_ += '\n';
      if (i + 1 < raw_source.size() && raw_source[i + 1] == '\n') ++i;
    } else {
      text_ += raw_source[i];
    }
  }
  if (!text_.empty() && text_.back() == '\n') text_.pop_back();
  line_starts_.push_back(0);
  for (size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

int SourceMap::line(size_t offset) const {
  const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  return static_cast<int>(it - line_starts_.begin());
}

int SourceMap::column(size_t offset) const {
  const size_t start = line_starts_[static_cast<size_t>(line(offset)) - 1];
  const size_t end = std::min(offset, text_.size());
  int column = 1;
  for (size_t i = start; i < end; ++i) {
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;  // not a continuation
  }
  return column;
}

Status SourceMap::error(size_t offset, std::string_view message) const {
  return Status::invalid_argument("chat template: line " + std::to_string(line(offset)) +
                                  ", column " + std::to_string(column(offset)) + ": " +
                                  std::string(message));
}

}  // namespace liftoff::tokenizer::jinja
