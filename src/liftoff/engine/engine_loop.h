// EngineLoop: the serving engine. One thread owns the model's activations, the paged KV cache,
// the block pool with its prefix cache, the scheduler and every sequence's sampler; callers on
// other threads only submit requests, cancel them, and read stats. Each step the loop admits
// waiting requests, schedules a batch under a token budget (decode steps first, then prefill
// chunks), runs one forward pass, samples, detokenizes and sends each request its update.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "liftoff/base/status.h"
#include "liftoff/base/thread_pool.h"
#include "liftoff/engine/engine_stats.h"
#include "liftoff/engine/request.h"
#include "liftoff/model/model.h"
#include "liftoff/tokenizer/tokenizer.h"

namespace liftoff::engine {

struct EngineConfig {
  int64_t n_ctx = 4096;            // most tokens one sequence holds (prompt + completion)
  int32_t max_running = 16;        // sequences decoded together (--parallel)
  int64_t max_batch_tokens = 512;  // tokens per forward pass: the chunked-prefill budget
  int64_t block_size = 16;         // token slots per KV block
  int64_t kv_blocks = 0;           // 0: enough for max_running full contexts
  int32_t max_waiting = 256;       // queued requests beyond this are refused (kResourceExhausted)
  bool prefix_caching = true;      // reuse full KV blocks across requests by token prefix
  int32_t max_n = 16;              // largest `n` (choices) one request may ask for

  Status validate() const;
};

// Cancels a submitted request: the loop notices at its next step, frees the request's blocks and
// sends no further updates. Safe to call from any thread, any number of times, after the request
// finished too.
class RequestHandle {
 public:
  RequestHandle() = default;
  explicit RequestHandle(std::shared_ptr<std::atomic<bool>> flag) : cancelled_(std::move(flag)) {}
  void cancel() const {
    if (cancelled_) cancelled_->store(true, std::memory_order_relaxed);
  }

 private:
  std::shared_ptr<std::atomic<bool>> cancelled_;
};

class EngineLoop {
 public:
  // Allocates the KV cache and starts the loop thread. The model, tokenizer and pool must
  // outlive the loop. kInvalidArgument for a bad config, kResourceExhausted if the KV cache
  // cannot be allocated.
  static Result<std::unique_ptr<EngineLoop>> start(const model::Model& model,
                                                   const tokenizer::Tokenizer& tokenizer,
                                                   base::ThreadPool& pool,
                                                   const EngineConfig& config);
  // Stops the loop; requests still queued or running get a final update with kUnavailable.
  ~EngineLoop();

  EngineLoop(const EngineLoop&) = delete;
  EngineLoop& operator=(const EngineLoop&) = delete;

  // Validates and queues a request. Errors (nothing is queued, the sink is never called):
  //   kInvalidArgument: empty prompt; prompt + max_tokens beyond n_ctx (the message gives both
  //     counts); prompt alone fills the context; bad sampling values; n outside [1, max_n]
  //   kResourceExhausted: max_waiting requests are already queued (HTTP 503 + Retry-After)
  //   kUnavailable: the loop is shutting down
  Result<RequestHandle> submit(GenerationRequest request, RequestRecord record, UpdateSink sink);
  Result<RequestHandle> submit(EmbeddingRequest request, RequestRecord record, UpdateSink sink);

  // A consistent snapshot, copied once per step; safe from any thread.
  EngineStats stats() const;

  const EngineConfig& config() const;
  int64_t n_ctx() const { return config().n_ctx; }

  class Impl;

 private:
  explicit EngineLoop(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace liftoff::engine
