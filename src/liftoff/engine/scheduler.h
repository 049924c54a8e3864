// Scheduler: decides, once per step, which sequences run and how many of their tokens. Policy:
//   1. decode steps of running sequences first (one token each), oldest first;
//   2. then prefill chunks of running sequences (a long prompt continues where it stopped);
//   3. then admit waiting sequences in arrival order while running slots, the token budget and
//      KV blocks for the whole remaining prompt allow (admission control by KV capacity). An
//      admitted prompt first reuses cached prefix blocks.
// Every step spends at most max_batch_tokens, so a long prompt is cut into chunks and never
// stalls the running decodes (chunked prefill). When a running sequence needs a block and none
// is free, the newest running sequence is preempted: its blocks are freed and it goes back to
// the front of the queue, to be recomputed (prompt + generated tokens) when it is readmitted.
// As vLLM's v1 scheduler, with the policy in one small file and no model in sight, so it is
// tested by simulation (tests/engine/scheduler_test.cpp).
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "liftoff/engine/kv/block_manager.h"
#include "liftoff/engine/sequence.h"

namespace liftoff::engine {

struct SchedulerConfig {
  int32_t max_running = 16;
  int64_t max_batch_tokens = 512;
};

struct ScheduledChunk {
  Sequence* seq = nullptr;
  int64_t n_tokens = 0;  // computes tokens [seq->n_computed, seq->n_computed + n_tokens)
};

struct SchedulerOutput {
  std::vector<ScheduledChunk> chunks;     // the batch, in order
  std::vector<kv::BlockCopy> copies;      // apply to the KV cache before running the batch
  std::vector<Sequence*> admitted;        // left the queue this step
  std::vector<Sequence*> preempted;       // went back to the queue this step
  int64_t n_tokens() const {
    int64_t n = 0;
    for (const auto& c : chunks) n += c.n_tokens;
    return n;
  }
};

class Scheduler {
 public:
  Scheduler(const SchedulerConfig& config, kv::BlockManager& blocks)
      : config_(config), blocks_(blocks) {}

  // Queues a new sequence (it must hold no blocks).
  void add_waiting(Sequence* seq);
  // Adds a sequence that already holds blocks (a forked choice) to the running set.
  void add_running(Sequence* seq);
  // Forgets a finished or cancelled sequence, waiting or running, and frees its blocks.
  void remove(Sequence* seq);

  SchedulerOutput schedule();

  int64_t n_running() const { return static_cast<int64_t>(running_.size()); }
  int64_t n_waiting() const { return static_cast<int64_t>(waiting_.size()); }
  bool idle() const { return running_.empty() && waiting_.empty(); }
  int64_t preemptions() const { return preemptions_; }
  int64_t prefix_queried() const { return prefix_queried_; }
  int64_t prefix_hits() const { return prefix_hits_; }

 private:
  int32_t running_slots() const;
  void preempt(Sequence* victim, SchedulerOutput& out, int64_t& budget);
  bool grow(Sequence* seq, int64_t n, SchedulerOutput& out, int64_t& budget);

  SchedulerConfig config_;
  kv::BlockManager& blocks_;
  std::vector<Sequence*> running_;  // ordered by arrival
  std::deque<Sequence*> waiting_;   // front runs first
  int64_t preemptions_ = 0;
  int64_t prefix_queried_ = 0;
  int64_t prefix_hits_ = 0;
};

}  // namespace liftoff::engine
