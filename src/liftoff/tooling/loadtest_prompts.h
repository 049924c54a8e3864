// Prompts for `liftoff loadtest` when the server's tokenizer is unknown: sequences of common
// English words that are one token each in the usual vocabularies, so P words are about P tokens.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace liftoff::tooling {

// A request's prompt in two parts so a chat request can send the shared part as its system message.
struct Prompt {
  std::string shared;  // the same in every request of a run ("" without a shared prefix)
  std::string unique;  // different in every request of a run
  // shared and unique joined by a space, as sent to /completions.
  std::string text() const;
};

struct PromptSpec {
  int64_t n_words = 128;  // the whole prompt, shared part included
  int64_t n_shared = 0;   // leading words common to all requests; <= n_words
  uint64_t seed = 0;      // the same seed and index give the same prompt
};

// The prompt of request `index` (0-based; warm-up requests use indices too, so they never repeat a
// measured prompt). The first two unique words spell out (index + seed-derived offset) in base
// kPromptWords.size(), so up to ~200,000 consecutive requests differ from their first unique word
// on and a server's prefix cache can reuse only the shared part; the other words are drawn by a
// PRNG seeded from (seed, index).
Prompt make_word_prompt(const PromptSpec& spec, uint64_t index);

// The vocabulary: each word, with a leading space, is one token in Llama 2's SentencePiece vocab
// and in GPT-2's byte-level BPE (checked with llama.cpp's llama-tokenize).
std::span<const std::string_view> prompt_words();

}  // namespace liftoff::tooling
