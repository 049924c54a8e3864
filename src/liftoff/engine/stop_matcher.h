// StopMatcher: applies OpenAI `stop` strings to a stream of generated text. Text is released as
// soon as it can no longer be the start of a stop string; the longest tail that could still grow
// into one is held back, so a stop string never reaches the client, not even in part, even when
// it spans several tokens. Generated tokens are released with the last byte of their text, so a
// streamed chunk's text and its tokens (for logprobs) stay aligned.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "liftoff/engine/sampler.h"

namespace liftoff::engine {

struct ReleasedText {
  std::string text;
  std::vector<SampledToken> tokens;
  bool stopped = false;  // a stop string matched: text ends before it; generation must end
};

class StopMatcher {
 public:
  explicit StopMatcher(std::vector<std::string> stops);

  // Adds one token and its (complete UTF-8) text; returns what became safe to show.
  ReleasedText push(const SampledToken& token, std::string_view text);
  // End of generation: `tail` (text the detokenizer held back, normally "") is appended and
  // everything held back is released, up to a stop string if the tail completed one.
  ReleasedText finish(std::string_view tail = {});
  bool stopped() const { return stopped_; }

 private:
  // Bytes at the end of held_ that are a proper prefix of some stop string.
  size_t longest_partial_match() const;
  size_t first_match() const;  // npos if held_ contains no stop string
  ReleasedText release(size_t n_bytes, bool all_tokens);

  std::vector<std::string> stops_;
  std::string held_;
  struct HeldToken {
    SampledToken token;
    uint64_t text_end;  // absolute offset of the end of its text in the whole generation
  };
  std::vector<HeldToken> held_tokens_;
  uint64_t released_bytes_ = 0;  // absolute offset where held_ starts
  bool stopped_ = false;
};

}  // namespace liftoff::engine
