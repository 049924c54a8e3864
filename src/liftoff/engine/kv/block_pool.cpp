// BlockPool: reference counts, the free stack, the LRU list of cached blocks and the hash index.
#include "liftoff/engine/kv/block_pool.h"

#include <algorithm>

#include "liftoff/base/status.h"

namespace liftoff::engine::kv {
namespace {

// splitmix64's finaliser: a cheap, well-mixed 64-bit permutation.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

BlockHash hash_block(BlockHash parent, std::span<const int32_t> tokens) {
  uint64_t h = mix(parent ^ 0x6c69667430666621ull);
  for (int32_t t : tokens) h = mix(h ^ static_cast<uint32_t>(t));
  return mix(h ^ tokens.size());
}

BlockPool::BlockPool(int64_t n_blocks, int64_t block_size)
    : block_size_(block_size),
      meta_(static_cast<size_t>(n_blocks)),
      tokens_(static_cast<size_t>(n_blocks * block_size)) {
  free_.reserve(static_cast<size_t>(n_blocks));
  // Stack order: block 0 is handed out first.
  for (int64_t b = n_blocks - 1; b >= 0; --b) free_.push_back(static_cast<BlockId>(b));
}

std::optional<BlockId> BlockPool::allocate() {
  BlockId block;
  if (!free_.empty()) {
    block = free_.back();
    free_.pop_back();
  } else if (!lru_.empty()) {
    block = lru_.front();
    lru_.pop_front();
    forget_hash(block);
  } else {
    return std::nullopt;
  }
  meta_[block].refs = 1;
  return block;
}

void BlockPool::retain(BlockId block) {
  Meta& m = meta_[block];
  if (m.refs == 0) {
    LIFTOFF_CHECK(m.hashed);  // only cached blocks are found and retained while unreferenced
    lru_.erase(m.lru_pos);
  }
  ++m.refs;
}

void BlockPool::release(BlockId block) {
  Meta& m = meta_[block];
  LIFTOFF_CHECK(m.refs > 0);
  if (--m.refs > 0) return;
  if (m.hashed) {
    m.lru_pos = lru_.insert(lru_.end(), block);
  } else {
    free_.push_back(block);
  }
}

std::optional<BlockId> BlockPool::find(BlockHash hash, BlockHash parent,
                                       std::span<const int32_t> tokens) const {
  auto it = index_.find(hash);
  if (it == index_.end()) return std::nullopt;
  const Meta& m = meta_[it->second];
  if (m.parent != parent || static_cast<int64_t>(tokens.size()) != block_size_) return std::nullopt;
  const int32_t* stored = tokens_.data() + static_cast<size_t>(it->second) * block_size_;
  if (!std::equal(tokens.begin(), tokens.end(), stored)) return std::nullopt;
  return it->second;
}

void BlockPool::set_hash(BlockId block, BlockHash hash, BlockHash parent,
                         std::span<const int32_t> tokens) {
  Meta& m = meta_[block];
  LIFTOFF_CHECK(m.refs > 0 && static_cast<int64_t>(tokens.size()) == block_size_);
  if (m.hashed || index_.contains(hash)) return;
  m.hashed = true;
  m.hash = hash;
  m.parent = parent;
  std::copy(tokens.begin(), tokens.end(), tokens_.begin() + static_cast<size_t>(block) * block_size_);
  index_.emplace(hash, block);
}

void BlockPool::forget_hash(BlockId block) {
  Meta& m = meta_[block];
  if (!m.hashed) return;
  index_.erase(m.hash);
  m.hashed = false;
}

}  // namespace liftoff::engine::kv
