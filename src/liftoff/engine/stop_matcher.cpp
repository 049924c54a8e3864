// StopMatcher: earliest full match wins; otherwise hold the longest suffix that is a stop prefix.
#include "liftoff/engine/stop_matcher.h"

#include <algorithm>

namespace liftoff::engine {

StopMatcher::StopMatcher(std::vector<std::string> stops) : stops_(std::move(stops)) {
  std::erase_if(stops_, [](const std::string& s) { return s.empty(); });
}

ReleasedText StopMatcher::push(const SampledToken& token, std::string_view text) {
  if (stopped_) return {};
  held_ += text;
  held_tokens_.push_back({token, released_bytes_ + held_.size()});
  const size_t match = first_match();
  if (match != std::string::npos) {
    stopped_ = true;
    ReleasedText r = release(match, /*all_tokens=*/true);
    r.stopped = true;
    held_.clear();
    return r;
  }
  return release(held_.size() - longest_partial_match(), /*all_tokens=*/false);
}

ReleasedText StopMatcher::finish(std::string_view tail) {
  if (stopped_) return {};
  held_ += tail;
  const size_t match = first_match();
  stopped_ = true;
  ReleasedText r = release(match == std::string::npos ? held_.size() : match, /*all_tokens=*/true);
  r.stopped = match != std::string::npos;
  held_.clear();
  return r;
}

size_t StopMatcher::first_match() const {
  // Only held_ can contain a match: released text never ended in a stop prefix.
  size_t match = std::string::npos;
  for (const std::string& s : stops_) match = std::min(match, held_.find(s));
  return match;
}

size_t StopMatcher::longest_partial_match() const {
  size_t best = 0;
  for (const std::string& s : stops_) {
    for (size_t k = std::min(s.size() - 1, held_.size()); k > best; --k) {
      if (std::string_view(held_).substr(held_.size() - k) == std::string_view(s).substr(0, k)) {
        best = k;
        break;
      }
    }
  }
  return best;
}

ReleasedText StopMatcher::release(size_t n_bytes, bool all_tokens) {
  ReleasedText r;
  r.text = held_.substr(0, n_bytes);
  held_.erase(0, n_bytes);
  released_bytes_ += n_bytes;
  size_t n_tok = 0;
  while (n_tok < held_tokens_.size() &&
         (all_tokens || held_tokens_[n_tok].text_end <= released_bytes_)) {
    r.tokens.push_back(std::move(held_tokens_[n_tok].token));
    ++n_tok;
  }
  held_tokens_.erase(held_tokens_.begin(), held_tokens_.begin() + static_cast<ptrdiff_t>(n_tok));
  return r;
}

}  // namespace liftoff::engine
