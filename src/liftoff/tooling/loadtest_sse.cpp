// SSE framing for the load generator's streamed responses.
#include "liftoff/tooling/loadtest_sse.h"

namespace liftoff::tooling {

void SseParser::feed(std::string_view bytes, std::vector<SseEvent>& out) {
  if (at_start_) {
    // A BOM can itself arrive split; compare only what is there and keep the rest for later.
    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    line_.append(bytes);
    if (line_.size() < kBom.size() && kBom.substr(0, line_.size()) == line_) return;
    at_start_ = false;
    std::string pending = std::move(line_);
    line_.clear();
    std::string_view rest = pending;
    if (rest.substr(0, kBom.size()) == kBom) rest.remove_prefix(kBom.size());
    feed(rest, out);
    return;
  }
  size_t start = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c != '\n' && c != '\r') {
      after_cr_ = false;
      continue;
    }
    if (c == '\n' && after_cr_ && i == start && line_.empty()) {
      // The LF of a CRLF whose CR ended the previous line (possibly in the previous feed).
      after_cr_ = false;
      start = i + 1;
      continue;
    }
    line_.append(bytes.substr(start, i - start));
    process_line(line_, out);
    line_.clear();
    after_cr_ = c == '\r';
    start = i + 1;
  }
  line_.append(bytes.substr(start));
}

void SseParser::finish(std::vector<SseEvent>& out) {
  if (at_start_) {  // fewer bytes than a BOM arrived in total
    at_start_ = false;
    std::string pending = std::move(line_);
    line_.clear();
    feed(pending, out);
  }
  if (!line_.empty()) {
    process_line(line_, out);
    line_.clear();
  }
  dispatch(out);
}

void SseParser::process_line(std::string_view line, std::vector<SseEvent>& out) {
  if (line.empty()) {
    dispatch(out);
    return;
  }
  if (line.front() == ':') return;  // comment, e.g. a keep-alive ": ping"
  const size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    data_.append(value);
    data_.push_back('\n');
    has_data_ = true;
  } else if (field == "event") {
    type_ = std::string(value);
  } else if (field == "error") {
    // Not an SSE field: llama.cpp's server reports a failure mid-stream as "error: {json}".
    // Treated as an error event so it is counted instead of silently ignored.
    type_ = "error";
    data_.append(value);
    data_.push_back('\n');
    has_data_ = true;
  }
  // "id", "retry" and unknown fields do not matter to a completion stream.
}

void SseParser::dispatch(std::vector<SseEvent>& out) {
  if (has_data_) {
    data_.pop_back();  // the '\n' after the last data line
    out.push_back({type_.empty() ? "message" : std::move(type_), std::move(data_)});
  }
  data_.clear();
  type_.clear();
  has_data_ = false;
}

}  // namespace liftoff::tooling
