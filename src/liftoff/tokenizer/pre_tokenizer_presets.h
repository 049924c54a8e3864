// The pre-tokenizer of each tokenizer.ggml.pre name llama.cpp knows: its split regexes and the
// flags that come with it (clean-up of decoded spaces, whole-word lookup, BOS).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "liftoff/base/status.h"

namespace liftoff::tokenizer {

struct PreTokenizerPreset {
  std::string name;
  std::vector<std::string> regexes;  // PCRE syntax, applied in order
  bool clean_spaces = true;
  bool ignore_merges = false;
  bool add_bos = false;
  bool no_bos = false;  // the vocabulary has no BOS token (chatglm)
};

// Errors: kInvalidArgument naming the unknown pre-tokenizer. An empty name is "default".
Result<PreTokenizerPreset> preset_for_name(std::string_view pre);

// Every name preset_for_name accepts.
std::vector<std::string_view> known_pre_tokenizers();

// The preset whose regexes equal `regexes` (after adapt_hf_regex), for tokenizer.json files,
// which carry regexes rather than a name.
std::optional<PreTokenizerPreset> preset_for_regexes(const std::vector<std::string>& regexes);

// Hugging Face regexes use "(?i:'s|'t|...)"; llama.cpp matches contractions case-insensitively
// by ASCII only, which the explicit "(?:'[sS]|...)" form reproduces (PCRE2's (?i) would also
// fold U+017F and U+212A).
std::string adapt_hf_regex(std::string regex);

}  // namespace liftoff::tokenizer
