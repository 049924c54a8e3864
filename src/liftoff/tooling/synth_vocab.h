// Fitting a real tokenizer's GGUF metadata (tokenizer.* keys) to a synthetic model's vocabulary
// size, so the embedding's row count and the token list agree as llama.cpp and liftoff require.
// Which vocab file to use is the caller's business.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/formats/model_file.h"

namespace liftoff::tooling {

struct FittedVocab {
  // Every tokenizer.* key of the source, adjusted, sorted by key.
  std::vector<std::pair<std::string, formats::MetaValue>> metadata;
  int64_t n_source_tokens = 0;
  std::vector<std::string> notes;  // one line per change made, for the user
};

// Adjusts the source's tokenizer metadata to exactly n_vocab tokens:
// - same size: copied unchanged;
// - larger: the first n_vocab tokens (with their scores and types) are kept. Special-token ids
//   (tokenizer.ggml.*_token_id) that fall outside are moved onto the last kept slots (the token
//   that was there is dropped), highest id to the last slot, so e.g. GPT-2's <|endoftext|>
//   (50256) becomes id n_vocab - 1. BPE merges survive only if both parts and their result are
//   still tokens, so the cut vocabulary is a consistent BPE;
// - smaller: padded with control tokens "<|synth_pad_N|>" (as real checkpoints pad their
//   embedding to a round row count).
// Errors: kCorruptData when the source has no tokenizer.ggml.tokens string array or a per-token
// array of another length; kInvalidArgument when n_vocab < 1.
Result<FittedVocab> fit_vocab(const formats::ModelFile& source, int64_t n_vocab);

}  // namespace liftoff::tooling
