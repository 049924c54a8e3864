// KvCache: paged storage for attention keys and values. Memory is a pool of fixed-size blocks
// of `block_size` token slots; a sequence owns a block table (its i-th block holds positions
// [i*block_size, (i+1)*block_size)). Who owns which block is decided above (engine/kv block
// manager); the model only reads and writes slots through a sequence's table.
// Keys and values are stored as IEEE f16 (llama.cpp's default cache type): half the memory of
// f32, so twice the sequences fit, at a precision loss far below that of quantized weights.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "liftoff/base/aligned_buffer.h"
#include "liftoff/base/status.h"

namespace liftoff::model {

struct KvCacheShape {
  int64_t n_layer = 0;
  int64_t kv_dim = 0;      // n_head_kv * head_dim
  int64_t block_size = 16; // token slots per block
  int64_t n_blocks = 0;
};

class KvCache {
 public:
  // Allocates n_blocks blocks per layer for K and for V (f16). kResourceExhausted if the
  // allocation fails; kInvalidArgument for a non-positive shape.
  static Result<KvCache> create(const KvCacheShape& shape);

  KvCache(KvCache&&) noexcept = default;
  KvCache& operator=(KvCache&&) noexcept = default;

  const KvCacheShape& shape() const { return shape_; }
  size_t bytes() const;

  // Keys of one block, slot-minor: element i of slot s is at key_block(...)[i * block_size + s].
  // Attention reads a head's keys as rows of consecutive slots, so one vector holds the same
  // element of several positions and the scores come out without horizontal sums.
  uint16_t* key_block(int64_t layer, int64_t block) {
    return keys_[layer].data() + block * shape_.block_size * shape_.kv_dim;
  }
  const uint16_t* key_block(int64_t layer, int64_t block) const {
    return keys_[layer].data() + block * shape_.block_size * shape_.kv_dim;
  }
  // Stores the [kv_dim] key of one token slot (f32 -> f16). slot < block_size (caller checks).
  void store_key(int64_t layer, int64_t block, int64_t slot, const float* k);

  // [kv_dim] f16 values for one token slot: values are kept slot-major (attention sums rows).
  uint16_t* value(int64_t layer, int64_t block, int64_t slot) {
    return values_[layer].data() + (block * shape_.block_size + slot) * shape_.kv_dim;
  }
  const uint16_t* value(int64_t layer, int64_t block, int64_t slot) const {
    return values_[layer].data() + (block * shape_.block_size + slot) * shape_.kv_dim;
  }

  // Copies the first n_slots slots of block src into block dst in every layer (copy-on-write of
  // a shared, partially filled block).
  void copy_block(int64_t src, int64_t dst, int64_t n_slots);

 private:
  explicit KvCache(const KvCacheShape& shape) : shape_(shape) {}
  KvCacheShape shape_;
  std::vector<base::AlignedBuffer<uint16_t>> keys_;    // per layer: [n_blocks, kv_dim, block_size]
  std::vector<base::AlignedBuffer<uint16_t>> values_;  // per layer: [n_blocks, block_size, kv_dim]
};

}  // namespace liftoff::model
