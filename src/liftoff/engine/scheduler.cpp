// Scheduler: decode first, then prefill chunks, then admission; preemption by recompute.
#include "liftoff/engine/scheduler.h"

#include <algorithm>

#include "liftoff/base/status.h"

namespace liftoff::engine {
namespace {

bool by_arrival(const Sequence* a, const Sequence* b) { return a->arrival < b->arrival; }

}  // namespace

void Scheduler::add_waiting(Sequence* seq) { waiting_.push_back(seq); }

void Scheduler::add_running(Sequence* seq) {
  running_.insert(std::upper_bound(running_.begin(), running_.end(), seq, by_arrival), seq);
}

void Scheduler::remove(Sequence* seq) {
  if (auto it = std::find(running_.begin(), running_.end(), seq); it != running_.end()) {
    running_.erase(it);
  } else if (auto w = std::find(waiting_.begin(), waiting_.end(), seq); w != waiting_.end()) {
    waiting_.erase(w);
  }
  blocks_.free(seq->blocks);
}

int32_t Scheduler::running_slots() const {
  int32_t n = 0;
  for (const Sequence* s : running_) n += s->slots;
  return n;
}

void Scheduler::preempt(Sequence* victim, SchedulerOutput& out, int64_t& budget) {
  auto chunk = std::find_if(out.chunks.begin(), out.chunks.end(),
                            [&](const ScheduledChunk& c) { return c.seq == victim; });
  if (chunk != out.chunks.end()) {
    budget += chunk->n_tokens;
    out.chunks.erase(chunk);
  }
  // A copy already queued into one of the victim's blocks is harmless: copies run in order
  // before the batch, so whoever gets the block next overwrites what it uses.
  blocks_.free(victim->blocks);
  victim->n_computed = 0;
  running_.erase(std::find(running_.begin(), running_.end(), victim));
  waiting_.push_front(victim);
  out.preempted.push_back(victim);
  ++preemptions_;
}

bool Scheduler::grow(Sequence* seq, int64_t n, SchedulerOutput& out, int64_t& budget) {
  while (!blocks_.prepare(seq->blocks, seq->n_computed, seq->n_computed + n, out.copies)) {
    Sequence* victim = running_.back();  // the newest loses
    preempt(victim, out, budget);
    if (victim == seq) return false;
  }
  return true;
}

SchedulerOutput Scheduler::schedule() {
  SchedulerOutput out;
  int64_t budget = config_.max_batch_tokens;
  const std::vector<Sequence*> order = running_;  // preemption edits running_
  auto still_running = [&](Sequence* s) {
    return std::find(running_.begin(), running_.end(), s) != running_.end();
  };
  // 1. Decode steps.
  for (Sequence* seq : order) {
    if (budget == 0) break;
    if (seq->n_pending() != 1 || !still_running(seq)) continue;
    if (grow(seq, 1, out, budget)) {
      out.chunks.push_back({seq, 1});
      --budget;
    }
  }
  // 2. Prefill chunks of sequences already running.
  for (Sequence* seq : order) {
    if (budget == 0) break;
    if (seq->n_pending() <= 1 || !still_running(seq)) continue;
    const int64_t n = std::min(seq->n_pending(), budget);
    if (grow(seq, n, out, budget)) {
      out.chunks.push_back({seq, n});
      budget -= n;
    }
  }
  // 3. Admission, in arrival order: a sequence that does not fit blocks the ones behind it, so a
  // long prompt cannot be starved by a stream of short ones.
  while (!waiting_.empty() && budget > 0) {
    Sequence* seq = waiting_.front();
    if (!running_.empty() && running_slots() + seq->slots > config_.max_running) break;
    const int64_t n_tokens = static_cast<int64_t>(seq->tokens.size());
    // Leave at least one token to compute: its logits are what the next sample needs.
    const int64_t reused = blocks_.reuse_prefix(seq->blocks, seq->tokens, n_tokens - 1);
    seq->n_computed = reused;
    if (blocks_.blocks_needed(seq->blocks, reused, n_tokens) > blocks_.pool().n_available()) {
      blocks_.free(seq->blocks);
      seq->n_computed = 0;
      break;
    }
    const int64_t n = std::min(seq->n_pending(), budget);
    const bool ok = blocks_.prepare(seq->blocks, seq->n_computed, seq->n_computed + n, out.copies);
    LIFTOFF_CHECK(ok);  // fewer blocks than the whole prompt needs, checked just above
    waiting_.pop_front();
    add_running(seq);
    if (!seq->ever_admitted) {
      seq->ever_admitted = true;
      seq->cached_tokens = reused;
      prefix_queried_ += n_tokens;
      prefix_hits_ += reused;
    }
    out.admitted.push_back(seq);
    out.chunks.push_back({seq, n});
    budget -= n;
  }
  return out;
}

}  // namespace liftoff::engine
