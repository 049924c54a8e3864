// Sequence: what the scheduler knows about one stream of tokens: its tokens so far, how many of
// them already have keys and values in the cache, and its KV blocks. Sampling, detokenizing and
// the request it belongs to are the engine loop's business, not the scheduler's.
#pragma once

#include <cstdint>
#include <vector>

#include "liftoff/engine/kv/block_manager.h"

namespace liftoff::engine {

struct Sequence {
  int64_t id = 0;
  int64_t arrival = 0;            // admission priority: lower is older and runs first
  std::vector<int32_t> tokens;    // prompt, then generated tokens
  int64_t n_computed = 0;         // tokens[0, n_computed) have KV in the cache
  kv::SequenceBlocks blocks;
  int32_t slots = 1;              // running slots it will occupy (n for a prompt not yet forked)
  bool ever_admitted = false;
  int64_t cached_tokens = 0;      // prompt tokens reused from the prefix cache at first admission

  int64_t n_pending() const { return static_cast<int64_t>(tokens.size()) - n_computed; }
};

}  // namespace liftoff::engine
