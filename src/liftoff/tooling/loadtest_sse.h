// Incremental Server-Sent Events parser (the text/event-stream framing of streamed completions).
// Owns only framing: which bytes form an event. What an event's data means is up to the caller.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace liftoff::tooling {

struct SseEvent {
  std::string
      type;  // the "event:" field; "message" when absent, "error" for llama.cpp's error line
  std::string data;  // "data:" lines joined with '\n'
};

// Feed bytes as they arrive, split anywhere (inside a line, between CR and LF, inside a UTF-8
// character). Lines end in LF, CRLF or CR; ':' lines are comments; an event is dispatched at a
// blank line, as the WHATWG EventSource algorithm does. Not thread-safe; one parser per response.
class SseParser {
 public:
  // Appends the events completed by `bytes` to `out`.
  void feed(std::string_view bytes, std::vector<SseEvent>& out);
  // End of stream: a last line or event that lacks its terminator is still dispatched (the spec
  // drops it, but a benchmark should not lose a final usage chunk to a server's missing "\n\n").
  void finish(std::vector<SseEvent>& out);

 private:
  void process_line(std::string_view line, std::vector<SseEvent>& out);
  void dispatch(std::vector<SseEvent>& out);

  std::string line_;  // bytes of the current, unterminated line
  std::string data_;  // data of the event being built, each line followed by '\n'
  std::string type_;
  bool has_data_ = false;
  bool after_cr_ = false;  // the last byte was CR: a following LF belongs to the same line end
  bool at_start_ = true;   // a UTF-8 BOM is only skipped at the very start of the stream
};

}  // namespace liftoff::tooling
