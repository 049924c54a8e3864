// Streaming reader for Hugging Face tokenizer.json. The vocabulary and merge list are over 95% of
// a 10 MB file; they are collected straight into flat vectors while everything else (a few KB of
// configuration) is kept as a JSON tree. That avoids building and freeing a tree of ~500k nodes,
// which costs several times the parse itself.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "liftoff/base/status.h"

namespace liftoff::tokenizer {

struct HfTokenizerJson {
  nlohmann::json rest;  // the document without model.vocab and model.merges
  std::vector<std::pair<std::string, int64_t>> vocab;       // model.vocab in file order
  std::vector<std::pair<std::string, std::string>> merges;  // model.merges, "a b" or ["a","b"]
  bool has_vocab = false;
  bool has_merges = false;
};

// Errors: kCorruptData for invalid JSON or a vocab/merges entry of the wrong shape, naming
// `source` (used in messages only).
Result<HfTokenizerJson> parse_hf_tokenizer_json(std::string_view text, const std::string& source);

}  // namespace liftoff::tokenizer
