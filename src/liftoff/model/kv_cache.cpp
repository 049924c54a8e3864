// KvCache allocation and block copies.
#include "liftoff/model/kv_cache.h"

#include <cstring>
#include <new>
#include <string>

namespace liftoff::model {

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

void KvCache::copy_block(int64_t src, int64_t dst, int64_t n_slots) {
  const size_t n = static_cast<size_t>(n_slots * shape_.kv_dim) * sizeof(uint16_t);
  for (int64_t l = 0; l < shape_.n_layer; ++l) {
    std::memcpy(key(l, dst, 0), key(l, src, 0), n);
    std::memcpy(value(l, dst, 0), value(l, src, 0), n);
  }
}

}  // namespace liftoff::model
