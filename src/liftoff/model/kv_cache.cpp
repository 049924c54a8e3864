// KvCache allocation and block copies.
#include "liftoff/model/kv_cache.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

#include "liftoff/kernels/f16_vector.h"

namespace liftoff::model {

namespace {
constexpr size_t kMaxStackKvDim = 1024;
}  // namespace

Result<KvCache> KvCache::create(const KvCacheShape& shape) {
  if (shape.n_layer <= 0 || shape.kv_dim <= 0 || shape.block_size <= 0 || shape.n_blocks <= 0) {
    return Status::invalid_argument("KV cache shape must be positive");
  }
  KvCache cache(shape);
  const size_t per_layer =
      static_cast<size_t>(shape.n_blocks * shape.block_size) * static_cast<size_t>(shape.kv_dim);
  try {
    cache.keys_.resize(static_cast<size_t>(shape.n_layer));
    cache.values_.resize(static_cast<size_t>(shape.n_layer));
    for (int64_t l = 0; l < shape.n_layer; ++l) {
      cache.keys_[l].resize(per_layer);
      cache.values_[l].resize(per_layer);
    }
  } catch (const std::bad_alloc&) {
    return Status::resource_exhausted("cannot allocate a KV cache of " +
                                      std::to_string(2 * per_layer * shape.n_layer * sizeof(uint16_t)) + " bytes");
  }
  return cache;
}

size_t KvCache::bytes() const {
  return 2 * static_cast<size_t>(shape_.n_layer * shape_.n_blocks * shape_.block_size *
                                 shape_.kv_dim) *
         sizeof(uint16_t);
}

void KvCache::store_key(int64_t layer, int64_t block, int64_t slot, const float* k) {
  const size_t kvd = static_cast<size_t>(shape_.kv_dim);
  // Whole-vector conversion first, then the scatter into the slot's column.
  uint16_t row[kMaxStackKvDim];
  uint16_t* dst = key_block(layer, block) + slot;
  const size_t bs = static_cast<size_t>(shape_.block_size);
  for (size_t i0 = 0; i0 < kvd; i0 += kMaxStackKvDim) {
    const size_t n = std::min(kMaxStackKvDim, kvd - i0);
    kernels::to_f16(k + i0, row, n);
    for (size_t i = 0; i < n; ++i) dst[(i0 + i) * bs] = row[i];
  }
}

void KvCache::copy_block(int64_t src, int64_t dst, int64_t n_slots) {
  // Keys: the whole block (its slot columns interleave; slots past n_slots are not read).
  const size_t block = static_cast<size_t>(shape_.block_size * shape_.kv_dim) * sizeof(uint16_t);
  const size_t n = static_cast<size_t>(n_slots * shape_.kv_dim) * sizeof(uint16_t);
  for (int64_t l = 0; l < shape_.n_layer; ++l) {
    std::memcpy(key_block(l, dst), key_block(l, src), block);
    std::memcpy(value(l, dst, 0), value(l, src, 0), n);
  }
}

}  // namespace liftoff::model
