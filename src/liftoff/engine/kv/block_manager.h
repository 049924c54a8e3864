// BlockManager: turns sequences' needs into block-table edits on a BlockPool. A sequence's table
// maps its i-th block of positions to a pool block. Full blocks are hashed by token prefix once
// computed, so a later prompt with the same prefix reuses them (prefix caching); `fork` shares
// every block of a sequence with a new one (the `n` choices of one prompt), and a write into a
// block someone else also holds first copies it (copy-on-write). Pure bookkeeping: the KV bytes
// are moved by whoever applies the returned BlockCopy list to the model's KvCache.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "liftoff/engine/kv/block_pool.h"

namespace liftoff::engine::kv {

struct SequenceBlocks {
  std::vector<BlockId> table;
  int64_t n_hashed = 0;      // leading blocks known to the prefix index (registered or reused)
  BlockHash last_hash = 0;   // hash of block n_hashed - 1 (0 when n_hashed == 0)
};

// Copy the first n_slots slots of block src into block dst (all layers, keys and values).
struct BlockCopy {
  BlockId src = 0;
  BlockId dst = 0;
  int64_t n_slots = 0;
};

class BlockManager {
 public:
  BlockManager(BlockPool& pool, bool prefix_caching) : pool_(pool), prefix_caching_(prefix_caching) {}

  // For an empty `seq`: retains the cached blocks that hold the longest block-aligned prefix of
  // tokens[0, max_tokens) and returns how many tokens that covers (0 without prefix caching).
  int64_t reuse_prefix(SequenceBlocks& seq, std::span<const int32_t> tokens, int64_t max_tokens);

  // Pool blocks prepare() would take to make positions [write_from, end) writable.
  int64_t blocks_needed(const SequenceBlocks& seq, int64_t write_from, int64_t end) const;

  // Makes positions [write_from, end) of `seq` writable: appends fresh blocks and replaces a
  // shared block holding write_from by a private copy (queued in `copies`). Returns false, with
  // nothing changed, if the pool has too few blocks.
  bool prepare(SequenceBlocks& seq, int64_t write_from, int64_t end, std::vector<BlockCopy>& copies);

  // Records that positions [0, n_computed) now hold tokens[0, n_computed): newly full blocks
  // enter the prefix index. Returns nothing; a no-op without prefix caching.
  void commit(SequenceBlocks& seq, std::span<const int32_t> tokens, int64_t n_computed);

  // A new sequence holding the same blocks (each retained once more).
  SequenceBlocks fork(const SequenceBlocks& seq);

  // Releases every block, last first, so a prefix's tail is evicted before its head.
  void free(SequenceBlocks& seq);

  const BlockPool& pool() const { return pool_; }
  bool prefix_caching() const { return prefix_caching_; }

 private:
  BlockPool& pool_;
  bool prefix_caching_;
};

}  // namespace liftoff::engine::kv
