// BlockManager: prefix reuse, growth with copy-on-write, hashing of full blocks, fork and free.
#include "liftoff/engine/kv/block_manager.h"

#include <algorithm>

#include "liftoff/base/status.h"

namespace liftoff::engine::kv {

int64_t BlockManager::reuse_prefix(SequenceBlocks& seq, std::span<const int32_t> tokens,
                                   int64_t max_tokens) {
  LIFTOFF_CHECK(seq.table.empty());
  if (!prefix_caching_) return 0;
  const int64_t bs = pool_.block_size();
  BlockHash parent = 0;
  int64_t n = 0;
  while (n + bs <= max_tokens && n + bs <= static_cast<int64_t>(tokens.size())) {
    auto block_tokens = tokens.subspan(static_cast<size_t>(n), static_cast<size_t>(bs));
    const BlockHash h = hash_block(parent, block_tokens);
    auto found = pool_.find(h, parent, block_tokens);
    if (!found) break;
    pool_.retain(*found);
    seq.table.push_back(*found);
    parent = h;
    n += bs;
  }
  seq.n_hashed = static_cast<int64_t>(seq.table.size());
  seq.last_hash = parent;
  return n;
}

int64_t BlockManager::blocks_needed(const SequenceBlocks& seq, int64_t write_from,
                                    int64_t end) const {
  const int64_t bs = pool_.block_size();
  const int64_t have = static_cast<int64_t>(seq.table.size());
  int64_t needed = std::max<int64_t>(0, (end + bs - 1) / bs - have);
  const int64_t first = write_from / bs;
  if (write_from < end && first < have && pool_.ref_count(seq.table[first]) > 1) ++needed;
  return needed;
}

bool BlockManager::prepare(SequenceBlocks& seq, int64_t write_from, int64_t end,
                           std::vector<BlockCopy>& copies) {
  if (blocks_needed(seq, write_from, end) > pool_.n_available()) return false;
  const int64_t bs = pool_.block_size();
  const int64_t first = write_from / bs;
  if (write_from < end && first < static_cast<int64_t>(seq.table.size()) &&
      pool_.ref_count(seq.table[first]) > 1) {
    // Shared with a sibling choice: this sequence writes into a private copy from now on.
    const BlockId copy = *pool_.allocate();
    copies.push_back(BlockCopy{seq.table[first], copy, write_from - first * bs});
    pool_.release(seq.table[first]);
    seq.table[first] = copy;
    LIFTOFF_CHECK(first >= seq.n_hashed);  // hashed blocks are full and never written again
  }
  while (static_cast<int64_t>(seq.table.size()) * bs < end) seq.table.push_back(*pool_.allocate());
  return true;
}

void BlockManager::commit(SequenceBlocks& seq, std::span<const int32_t> tokens, int64_t n_computed) {
  if (!prefix_caching_) return;
  const int64_t bs = pool_.block_size();
  const int64_t n_full = std::min<int64_t>(n_computed / bs, static_cast<int64_t>(seq.table.size()));
  while (seq.n_hashed < n_full) {
    auto block_tokens = tokens.subspan(static_cast<size_t>(seq.n_hashed * bs), static_cast<size_t>(bs));
    const BlockHash h = hash_block(seq.last_hash, block_tokens);
    pool_.set_hash(seq.table[seq.n_hashed], h, seq.last_hash, block_tokens);
    seq.last_hash = h;
    ++seq.n_hashed;
  }
}

SequenceBlocks BlockManager::fork(const SequenceBlocks& seq) {
  for (BlockId b : seq.table) pool_.retain(b);
  return seq;
}

void BlockManager::free(SequenceBlocks& seq) {
  for (auto it = seq.table.rbegin(); it != seq.table.rend(); ++it) pool_.release(*it);
  seq = SequenceBlocks{};
}

}  // namespace liftoff::engine::kv
