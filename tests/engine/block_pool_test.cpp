// BlockPool and BlockManager: reference counts, prefix hashing and reuse, LRU eviction,
// copy-on-write on fork, and that a hash collision can never hand out another prefix's block.
#include "liftoff/engine/kv/block_pool.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "liftoff/engine/kv/block_manager.h"

namespace liftoff::engine::kv {
namespace {

std::vector<int32_t> iota_tokens(int n, int start = 1) {
  std::vector<int32_t> t(static_cast<size_t>(n));
  std::iota(t.begin(), t.end(), start);
  return t;
}

TEST(BlockPool, AllocatesUntilEmptyAndReleasesBack) {
  BlockPool pool(3, 4);
  EXPECT_EQ(pool.n_available(), 3);
  auto a = pool.allocate(), b = pool.allocate(), c = pool.allocate();
  ASSERT_TRUE(a && b && c);
  EXPECT_FALSE(pool.allocate());
  EXPECT_EQ(pool.n_used(), 3);
  pool.retain(*a);
  pool.release(*a);
  EXPECT_EQ(pool.n_available(), 0);  // still referenced once
  pool.release(*a);
  EXPECT_EQ(pool.n_available(), 1);
  EXPECT_EQ(pool.allocate(), a);
}

TEST(BlockPool, HashedBlocksStayFindableUntilEvictedInLruOrder) {
  BlockPool pool(2, 2);
  const std::vector<int32_t> t1{1, 2}, t2{3, 4};
  auto a = *pool.allocate(), b = *pool.allocate();
  pool.set_hash(a, hash_block(0, t1), 0, t1);
  pool.set_hash(b, hash_block(0, t2), 0, t2);
  pool.release(a);  // released first: least recently used
  pool.release(b);
  EXPECT_EQ(pool.n_cached(), 2);
  EXPECT_EQ(pool.find(hash_block(0, t1), 0, t1), a);
  auto c = pool.allocate();  // evicts a
  EXPECT_EQ(c, a);
  EXPECT_FALSE(pool.find(hash_block(0, t1), 0, t1));
  EXPECT_EQ(pool.find(hash_block(0, t2), 0, t2), b);
  pool.retain(b);  // a cache hit takes the block out of the LRU list
  EXPECT_EQ(pool.n_cached(), 0);
  EXPECT_FALSE(pool.allocate());
}

TEST(BlockPool, FindVerifiesTokensAndParentNotJustTheHash) {
  BlockPool pool(2, 2);
  const std::vector<int32_t> t{7, 8}, other{7, 9};
  auto a = *pool.allocate();
  const BlockHash h = hash_block(0, t);
  pool.set_hash(a, h, 0, t);
  EXPECT_EQ(pool.find(h, 0, t), a);
  EXPECT_FALSE(pool.find(h, 0, other));  // same hash presented with other tokens: a collision
  EXPECT_FALSE(pool.find(h, 12345, t));  // other parent prefix
}

TEST(BlockPool, HashDependsOnParentAndOrder) {
  const std::vector<int32_t> ab{1, 2}, ba{2, 1};
  EXPECT_NE(hash_block(0, ab), hash_block(0, ba));
  EXPECT_NE(hash_block(0, ab), hash_block(hash_block(0, ab), ab));
  EXPECT_EQ(hash_block(5, ab), hash_block(5, ab));
}

TEST(BlockManager, ReusesFullBlocksOfACommonPrefix) {
  BlockPool pool(16, 4);
  BlockManager m(pool, true);
  std::vector<BlockCopy> copies;
  const auto prompt = iota_tokens(10);  // 2 full blocks + 2 tokens
  SequenceBlocks a;
  EXPECT_EQ(m.reuse_prefix(a, prompt, 9), 0);
  ASSERT_TRUE(m.prepare(a, 0, 10, copies));
  EXPECT_EQ(a.table.size(), 3u);
  m.commit(a, prompt, 10);
  EXPECT_EQ(a.n_hashed, 2);

  auto longer = prompt;
  longer.insert(longer.end(), {50, 51, 52, 53, 54});
  SequenceBlocks b;
  EXPECT_EQ(m.reuse_prefix(b, longer, static_cast<int64_t>(longer.size()) - 1), 8);
  EXPECT_EQ(b.table[0], a.table[0]);
  EXPECT_EQ(b.table[1], a.table[1]);
  EXPECT_EQ(pool.ref_count(a.table[0]), 2);

  // A prompt that is exactly the cached prefix keeps its last token to compute.
  SequenceBlocks c;
  const std::vector<int32_t> exact(prompt.begin(), prompt.begin() + 8);
  EXPECT_EQ(m.reuse_prefix(c, exact, 7), 4);

  m.free(a);
  m.free(b);
  m.free(c);
  EXPECT_EQ(pool.n_used(), 0);
  EXPECT_EQ(pool.n_cached(), 2);
}

TEST(BlockManager, DivergentPrefixStopsReuse) {
  BlockPool pool(16, 4);
  BlockManager m(pool, true);
  std::vector<BlockCopy> copies;
  const auto p1 = iota_tokens(12);
  SequenceBlocks a;
  m.prepare(a, 0, 12, copies);
  m.commit(a, p1, 12);
  auto p2 = p1;
  p2[5] = 99;  // second block differs
  SequenceBlocks b;
  EXPECT_EQ(m.reuse_prefix(b, p2, 11), 4);
}

TEST(BlockManager, NoReuseWithoutPrefixCaching) {
  BlockPool pool(16, 4);
  BlockManager m(pool, false);
  std::vector<BlockCopy> copies;
  const auto p = iota_tokens(12);
  SequenceBlocks a;
  m.prepare(a, 0, 12, copies);
  m.commit(a, p, 12);
  m.free(a);
  SequenceBlocks b;
  EXPECT_EQ(m.reuse_prefix(b, p, 11), 0);
  EXPECT_EQ(pool.n_cached(), 0);
}

TEST(BlockManager, ForkSharesBlocksAndCopiesOnWrite) {
  BlockPool pool(8, 4);
  BlockManager m(pool, true);
  std::vector<BlockCopy> copies;
  const auto p = iota_tokens(6);  // block 0 full, block 1 holds 2 tokens
  SequenceBlocks a;
  ASSERT_TRUE(m.prepare(a, 0, 6, copies));
  m.commit(a, p, 6);
  SequenceBlocks b = m.fork(a);
  EXPECT_EQ(pool.ref_count(a.table[1]), 2);
  EXPECT_EQ(m.blocks_needed(b, 6, 7), 1);  // writing position 6 needs a private block 1
  ASSERT_TRUE(m.prepare(b, 6, 7, copies));
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0].src, a.table[1]);
  EXPECT_EQ(copies[0].dst, b.table[1]);
  EXPECT_EQ(copies[0].n_slots, 2);
  EXPECT_EQ(b.table[0], a.table[0]);  // the full block stays shared
  EXPECT_EQ(pool.ref_count(a.table[1]), 1);
  // Now a is the only holder of its block 1: no copy for it.
  EXPECT_EQ(m.blocks_needed(a, 6, 7), 0);
  m.free(a);
  m.free(b);
  EXPECT_EQ(pool.n_used(), 0);
}

TEST(BlockManager, PrepareChangesNothingWhenThePoolIsShort) {
  BlockPool pool(2, 4);
  BlockManager m(pool, true);
  std::vector<BlockCopy> copies;
  SequenceBlocks a;
  EXPECT_FALSE(m.prepare(a, 0, 9, copies));  // needs 3 blocks
  EXPECT_TRUE(a.table.empty());
  EXPECT_EQ(pool.n_available(), 2);
}

}  // namespace
}  // namespace liftoff::engine::kv
