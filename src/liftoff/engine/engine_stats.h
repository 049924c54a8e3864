// EngineStats: a snapshot of the engine loop's state, published once per step for whoever wires
// the process (metrics, readiness, logs). The engine never knows who reads it.
#pragma once

#include <cstdint>

namespace liftoff::engine {

struct EngineStats {
  int64_t running = 0;            // sequences holding KV blocks (prefilling or decoding)
  int64_t waiting = 0;            // requests queued, not yet admitted (incl. preempted ones)
  int64_t kv_blocks_total = 0;
  int64_t kv_blocks_used = 0;     // referenced by a live sequence
  int64_t kv_blocks_cached = 0;   // unreferenced but still holding a reusable prefix
  int64_t prefix_cache_queries = 0;  // prompt tokens looked up in the prefix cache (total)
  int64_t prefix_cache_hits = 0;     // of those, tokens whose KV was reused (total)
  int64_t preemptions = 0;        // sequences evicted to free blocks (total)
  int64_t steps = 0;              // forward passes run (total)
  int64_t prompt_tokens = 0;      // prompt tokens computed (total, cache hits excluded)
  int64_t generated_tokens = 0;   // tokens sampled (total)
  int64_t requests_finished = 0;  // (total)
};

}  // namespace liftoff::engine
