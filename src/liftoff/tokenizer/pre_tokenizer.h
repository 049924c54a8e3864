// PreTokenizer: splits text into the pieces BPE merges within, by a list of regexes applied in
// turn (each one splits every piece the previous left; matches and the gaps between them both
// become pieces), as llama.cpp's unicode_regex_split does. Regexes run in PCRE2 (UTF + UCP).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "liftoff/base/status.h"

namespace liftoff::tokenizer {

class PreTokenizer {
 public:
  // Compiles `regexes`; errors (kInvalidArgument) quote the regex and PCRE2's message.
  static Result<PreTokenizer> create(const std::vector<std::string>& regexes);

  PreTokenizer();
  PreTokenizer(PreTokenizer&&) noexcept;
  PreTokenizer& operator=(PreTokenizer&&) noexcept;
  ~PreTokenizer();

  // Pieces of `text`, which must be valid UTF-8 (see unicode::sanitize), as views into it, in
  // order and covering it exactly. Thread-safe.
  std::vector<std::string_view> split(std::string_view text) const;

  bool empty() const;

 private:
  struct Compiled;
  std::vector<std::unique_ptr<Compiled>> regexes_;
};

// \s and \S spelled as explicit classes of the White_Space code points, so the split does not
// depend on the PCRE2 version (10.42 also counts U+180E as space; llama.cpp and Hugging Face do
// not). Exposed for tests.
std::string pcre_pattern_for(std::string_view regex);

}  // namespace liftoff::tokenizer
