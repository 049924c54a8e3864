// Scheduler decisions, by deterministic simulation without a model: each "step" marks the
// scheduled tokens computed and, where a sequence reached its end, appends one sampled token
// until the sequence has its target length.
#include "liftoff/engine/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

namespace liftoff::engine {
namespace {

struct SimSeq {
  Sequence seq;
  int64_t target = 0;  // total tokens when done
  bool done = false;
};

class Sim {
 public:
  Sim(int64_t n_blocks, int64_t block_size, SchedulerConfig config, bool prefix_caching = true)
      : pool(n_blocks, block_size), blocks(pool, prefix_caching), sched(config, blocks) {}

  SimSeq& add(std::vector<int32_t> prompt, int64_t n_generate) {
    auto s = std::make_unique<SimSeq>();
    s->seq.id = s->seq.arrival = static_cast<int64_t>(seqs.size());
    s->target = static_cast<int64_t>(prompt.size()) + n_generate;
    s->seq.tokens = std::move(prompt);
    sched.add_waiting(&s->seq);
    seqs.push_back(std::move(s));
    return *seqs.back();
  }

  SchedulerOutput step() {
    SchedulerOutput out = sched.schedule();
    for (const auto& c : out.chunks) {
      Sequence& s = *c.seq;
      s.n_computed += c.n_tokens;
      blocks.commit(s.blocks, s.tokens, s.n_computed);
      if (s.n_pending() > 0) continue;
      SimSeq& sim = *seqs[static_cast<size_t>(s.id)];
      if (static_cast<int64_t>(s.tokens.size()) >= sim.target) {
        sim.done = true;
        sched.remove(&s);
      } else {
        s.tokens.push_back(1000 + static_cast<int32_t>(s.tokens.size()));
      }
    }
    return out;
  }

  bool all_done() const {
    return std::all_of(seqs.begin(), seqs.end(), [](const auto& s) { return s->done; });
  }

  kv::BlockPool pool;
  kv::BlockManager blocks;
  Scheduler sched;
  std::vector<std::unique_ptr<SimSeq>> seqs;
};

std::vector<int32_t> prompt_of(int n, int32_t seed) {
  std::vector<int32_t> t(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) t[static_cast<size_t>(i)] = seed * 10007 + i;
  return t;
}

int64_t chunk_of(const SchedulerOutput& out, const Sequence& s) {
  for (const auto& c : out.chunks) {
    if (c.seq == &s) return c.n_tokens;
  }
  return 0;
}

TEST(Scheduler, LongPromptIsChunkedAndDecodesKeepRunning) {
  Sim sim(256, 16, SchedulerConfig{4, 64});
  SimSeq& a = sim.add(prompt_of(10, 1), 50);
  SimSeq& b = sim.add(prompt_of(10, 2), 50);
  sim.step();  // both prompts in one step
  SimSeq& big = sim.add(prompt_of(1000, 3), 5);
  for (int i = 0; i < 10; ++i) {
    SchedulerOutput out = sim.step();
    EXPECT_LE(out.n_tokens(), 64);
    EXPECT_EQ(chunk_of(out, a.seq), 1) << "step " << i;
    EXPECT_EQ(chunk_of(out, b.seq), 1) << "step " << i;
    EXPECT_EQ(chunk_of(out, big.seq), 62) << "step " << i;
  }
}

TEST(Scheduler, RespectsMaxRunningAndAdmitsInArrivalOrder) {
  Sim sim(256, 16, SchedulerConfig{2, 512});
  for (int i = 0; i < 5; ++i) sim.add(prompt_of(8, i), 3);
  SchedulerOutput out = sim.step();
  ASSERT_EQ(out.admitted.size(), 2u);
  EXPECT_EQ(out.admitted[0]->id, 0);
  EXPECT_EQ(out.admitted[1]->id, 1);
  int steps = 0;
  while (!sim.all_done() && steps++ < 100) {
    EXPECT_LE(sim.sched.n_running(), 2);
    sim.step();
  }
  EXPECT_TRUE(sim.all_done());
  EXPECT_EQ(sim.pool.n_used(), 0);
}

TEST(Scheduler, AdmissionWaitsForKvCapacity) {
  // 8 blocks of 4 = 32 slots. The first prompt takes 6 blocks; the second needs 4 and must wait.
  Sim sim(8, 4, SchedulerConfig{8, 512});
  sim.add(prompt_of(24, 1), 2);
  SimSeq& second = sim.add(prompt_of(16, 2), 2);
  SchedulerOutput out = sim.step();
  EXPECT_EQ(out.admitted.size(), 1u);
  EXPECT_EQ(sim.sched.n_waiting(), 1);
  int steps = 0;
  while (!second.done && steps++ < 50) sim.step();
  EXPECT_TRUE(sim.all_done());
}

TEST(Scheduler, PreemptsTheNewestWhenBlocksRunOutAndRecomputesIt) {
  // Two sequences that each grow to 24 tokens in a pool of 10 blocks of 4 (40 slots).
  Sim sim(10, 4, SchedulerConfig{4, 512});
  SimSeq& old_seq = sim.add(prompt_of(8, 1), 16);
  SimSeq& new_seq = sim.add(prompt_of(8, 2), 16);
  bool preempted_new = false;
  int steps = 0;
  while (!sim.all_done() && steps++ < 200) {
    SchedulerOutput out = sim.step();
    for (Sequence* p : out.preempted) {
      EXPECT_EQ(p, &new_seq.seq) << "the older sequence must never be preempted";
      preempted_new = true;
      EXPECT_EQ(p->n_computed, 0);
    }
  }
  EXPECT_TRUE(preempted_new);
  EXPECT_TRUE(sim.all_done());
  EXPECT_EQ(static_cast<int64_t>(old_seq.seq.tokens.size()), old_seq.target);
  EXPECT_EQ(static_cast<int64_t>(new_seq.seq.tokens.size()), new_seq.target);
  EXPECT_GT(sim.sched.preemptions(), 0);
  EXPECT_EQ(sim.pool.n_used(), 0);
}

TEST(Scheduler, SharedPrefixIsComputedOnce) {
  Sim sim(64, 4, SchedulerConfig{4, 512});
  auto system = prompt_of(32, 7);
  auto p1 = system, p2 = system;
  p1.insert(p1.end(), {1, 2, 3});
  p2.insert(p2.end(), {4, 5, 6});
  SimSeq& a = sim.add(p1, 2);
  sim.step();
  SimSeq& b = sim.add(p2, 2);
  SchedulerOutput out = sim.step();
  EXPECT_EQ(b.seq.cached_tokens, 32);
  EXPECT_EQ(chunk_of(out, b.seq), 3);
  EXPECT_EQ(a.seq.cached_tokens, 0);
  EXPECT_EQ(sim.sched.prefix_hits(), 32);
}

TEST(Scheduler, WithoutPrefixCachingEveryPromptIsComputed) {
  Sim sim(64, 4, SchedulerConfig{4, 512}, /*prefix_caching=*/false);
  auto p = prompt_of(32, 7);
  sim.add(p, 2);
  sim.step();
  SimSeq& b = sim.add(p, 2);
  SchedulerOutput out = sim.step();
  EXPECT_EQ(chunk_of(out, b.seq), 32);
  EXPECT_EQ(sim.sched.prefix_hits(), 0);
}

TEST(Scheduler, ASequenceWithSeveralChoicesTakesThatManySlots) {
  Sim sim(64, 4, SchedulerConfig{4, 512});
  sim.add(prompt_of(4, 1), 10);
  sim.step();
  SimSeq& wide = sim.add(prompt_of(4, 2), 2);
  wide.seq.slots = 4;  // n = 4: does not fit beside a running sequence with max_running 4
  SchedulerOutput out = sim.step();
  EXPECT_TRUE(out.admitted.empty());
  int steps = 0;
  while (!wide.done && steps++ < 50) sim.step();
  EXPECT_TRUE(wide.done);
}

TEST(Scheduler, RandomWorkloadKeepsInvariants) {
  std::mt19937 rng(42);
  Sim sim(40, 8, SchedulerConfig{6, 96});
  int added = 0;
  for (int step = 0; step < 2000 && (added < 60 || !sim.all_done()); ++step) {
    if (added < 60 && rng() % 3 == 0) {
      // Half the prompts share a 16-token prefix.
      auto p = prompt_of(static_cast<int>(4 + rng() % 100), added);
      if (rng() % 2) std::copy_n(prompt_of(16, 999).begin(), std::min<size_t>(16, p.size()), p.begin());
      sim.add(std::move(p), static_cast<int64_t>(1 + rng() % 60));
      ++added;
    }
    SchedulerOutput out = sim.step();
    EXPECT_LE(out.n_tokens(), 96);
    EXPECT_LE(sim.sched.n_running(), 6);
    EXPECT_LE(sim.pool.n_used(), 40);
  }
  EXPECT_EQ(added, 60);
  EXPECT_TRUE(sim.all_done());
  EXPECT_EQ(sim.pool.n_used(), 0);
  for (const auto& s : sim.seqs) EXPECT_EQ(static_cast<int64_t>(s->seq.tokens.size()), s->target);
}

}  // namespace
}  // namespace liftoff::engine
