// BlockPool: ownership of the KV cache's fixed-size blocks. Each block has a reference count (the
// sequences whose block tables hold it). A full block can also carry a prefix hash, which makes
// it findable by later requests with the same token prefix (automatic prefix caching). When the
// last reference goes, a hashed block is not wiped: it waits in an LRU list, still findable, and
// is evicted (its hash dropped) only when a fresh block is needed and no never-hashed free block
// is left. As in vLLM's core/block_pool.py, but with the block's tokens kept for verification,
// so a 64-bit hash collision can never hand one prompt another prompt's keys and values.
#pragma once

#include <cstdint>
#include <list>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

namespace liftoff::engine::kv {

using BlockId = int32_t;
using BlockHash = uint64_t;

// Hash of a full block given the hash of the block before it (0 for the first block), so equal
// hashes mean equal whole prefixes (up to collisions, which lookups rule out by comparing tokens).
BlockHash hash_block(BlockHash parent, std::span<const int32_t> tokens);

class BlockPool {
 public:
  BlockPool(int64_t n_blocks, int64_t block_size);

  // A block with reference count 1 and no hash: a free block if any, else the least recently
  // released cached block (evicted: its hash is forgotten). nullopt when every block is in use.
  std::optional<BlockId> allocate();
  // One more reference. A cached, unreferenced block leaves the LRU list (it is in use again).
  void retain(BlockId block);
  // One reference less; at zero the block becomes free, or cached if it has a hash.
  void release(BlockId block);

  // The cached block holding exactly this prefix (hash, parent hash and tokens must all match),
  // without retaining it.
  std::optional<BlockId> find(BlockHash hash, BlockHash parent, std::span<const int32_t> tokens) const;
  // Makes a full, referenced block findable. If another block already caches this prefix, the
  // block stays unhashed (both hold the same KV; one copy is enough in the index).
  void set_hash(BlockId block, BlockHash hash, BlockHash parent, std::span<const int32_t> tokens);
  bool has_hash(BlockId block) const { return meta_[block].hashed; }

  int32_t ref_count(BlockId block) const { return meta_[block].refs; }
  int64_t n_blocks() const { return static_cast<int64_t>(meta_.size()); }
  int64_t block_size() const { return block_size_; }
  // Blocks allocate() can still return (free + cached unreferenced).
  int64_t n_available() const { return static_cast<int64_t>(free_.size() + lru_.size()); }
  int64_t n_used() const { return n_blocks() - n_available(); }
  int64_t n_cached() const { return static_cast<int64_t>(lru_.size()); }

 private:
  struct Meta {
    int32_t refs = 0;
    bool hashed = false;
    BlockHash hash = 0;
    BlockHash parent = 0;
    std::list<BlockId>::iterator lru_pos;  // valid while hashed and refs == 0
  };
  void forget_hash(BlockId block);

  int64_t block_size_;
  std::vector<Meta> meta_;
  std::vector<int32_t> tokens_;             // [n_blocks, block_size]: tokens of hashed blocks
  std::vector<BlockId> free_;               // unreferenced, unhashed (a stack: reuse warm blocks)
  std::list<BlockId> lru_;                  // unreferenced, hashed; front = least recent
  std::unordered_map<BlockHash, BlockId> index_;
};

}  // namespace liftoff::engine::kv
