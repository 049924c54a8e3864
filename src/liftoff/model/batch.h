// Batch: the tokens one forward pass processes, grouped by sequence. Prefill chunks and decode
// steps of different sequences mix freely; each sequence brings its KV block table.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace liftoff::model {

enum class Outputs : uint8_t {
  kNone,  // prefill chunk that is not the last: nothing to sample yet
  kLast,  // logits of the last token only (sampling)
  kAll,   // logits of every token (perplexity, prompt logprobs)
  kHidden,  // final-norm hidden state of every token and no logits (embeddings)
};

struct SequenceStep {
  std::span<const int32_t> tokens;       // new tokens of this sequence in this step
  int64_t n_past = 0;                    // tokens already in the cache = position of tokens[0]
  std::span<const int32_t> block_table;  // must cover positions [0, n_past + tokens.size())
  Outputs outputs = Outputs::kLast;
};

struct Batch {
  std::vector<SequenceStep> sequences;

  size_t n_tokens() const {
    size_t n = 0;
    for (const auto& s : sequences) n += s.tokens.size();
    return n;
  }
  // Rows of logits a forward pass returns (kHidden sequences have none).
  size_t n_outputs() const {
    size_t n = 0;
    for (const auto& s : sequences) {
      n += s.outputs == Outputs::kAll ? s.tokens.size() : s.outputs == Outputs::kLast ? 1 : 0;
    }
    return n;
  }
};

}  // namespace liftoff::model
