// ThreadPool: generation-counter handoff, atomic task counter, spin-then-wait workers.
#include "liftoff/base/thread_pool.h"

#include <fstream>
#include <set>
#include <string>

#include "liftoff/base/status.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>  // _mm_pause
#endif

namespace liftoff::base {
namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// How long an idle worker spins before it sleeps on the generation counter. About 0.1-1 ms:
// long enough to bridge the gap between two kernels of one token, short enough not to burn a
// core when the engine is idle.
constexpr int kSpinIterations = 1 << 14;

}  // namespace

size_t ThreadPool::default_threads() {
  std::set<std::string> cores;
  size_t logical = std::thread::hardware_concurrency();
  for (size_t cpu = 0; cpu < logical; ++cpu) {
    std::ifstream in("/sys/devices/system/cpu/cpu" + std::to_string(cpu) +
                     "/topology/thread_siblings_list");
    std::string siblings;
    if (in >> siblings) cores.insert(siblings);
  }
  if (!cores.empty()) return cores.size();
  return logical > 0 ? logical : 1;
}

ThreadPool::ThreadPool(size_t n_threads) : n_threads_(n_threads == 0 ? default_threads() : n_threads) {
  workers_.reserve(n_threads_ - 1);
  for (size_t i = 1; i < n_threads_; ++i) {
    workers_.emplace_back([this, i] { worker_loop(i); });
  }
}

namespace {
constexpr uint64_t pack(uint32_t gen, uint32_t task) { return (static_cast<uint64_t>(gen) << 32) | task; }
constexpr uint32_t gen_of(uint64_t c) { return static_cast<uint32_t>(c >> 32); }
constexpr uint32_t task_of(uint64_t c) { return static_cast<uint32_t>(c); }
}  // namespace

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_release);
  claim_.store(pack(++generation_, 0), std::memory_order_release);
  claim_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::work_on_job(uint32_t gen, size_t thread_index) {
  for (;;) {
    uint64_t c = claim_.load(std::memory_order_acquire);
    if (gen_of(c) != gen) return;
    const uint32_t task = task_of(c);
    if (task == kClosed) {  // the caller is still writing this job's parameters
      cpu_relax();
      continue;
    }
    const TaskFn fn = job_fn_.load(std::memory_order_relaxed);
    void* const ctx = job_ctx_.load(std::memory_order_relaxed);
    const size_t n_tasks = job_tasks_.load(std::memory_order_relaxed);
    if (task >= n_tasks) return;
    // Seqlock read side: if the claim below succeeds, generation `gen` was still open, so the
    // parameters just read are this job's (the caller closes a generation before rewriting).
    std::atomic_thread_fence(std::memory_order_acquire);
    if (!claim_.compare_exchange_strong(c, c + 1, std::memory_order_acq_rel,
                                        std::memory_order_relaxed)) {
      continue;
    }
    fn(ctx, task, thread_index);
    completed_.fetch_add(1, std::memory_order_release);
  }
}

void ThreadPool::run(size_t n_tasks, TaskFn fn, void* ctx) {
  LIFTOFF_CHECK(n_tasks < kClosed);
  const uint32_t gen = ++generation_;
  claim_.store(pack(gen, kClosed), std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  job_fn_.store(fn, std::memory_order_relaxed);
  job_ctx_.store(ctx, std::memory_order_relaxed);
  job_tasks_.store(n_tasks, std::memory_order_relaxed);
  // No late increments can arrive: every task of the previous job was claimed and completed.
  completed_.store(0, std::memory_order_relaxed);
  claim_.store(pack(gen, 0), std::memory_order_release);
  claim_.notify_all();
  work_on_job(gen, 0);
  // Only tasks a worker claimed and has not finished are left. Spin while it is likely running;
  // past that it has probably been preempted, so give the core away instead of burning it.
  for (int spin = 0; completed_.load(std::memory_order_acquire) != n_tasks; ++spin) {
    if (spin < kSpinIterations) {
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }
}

void ThreadPool::worker_loop(size_t thread_index) {
  uint32_t seen = 0;
  for (;;) {
    uint64_t c = claim_.load(std::memory_order_acquire);
    for (int spin = 0; gen_of(c) == seen && spin < kSpinIterations; ++spin) {
      cpu_relax();
      c = claim_.load(std::memory_order_acquire);
    }
    if (gen_of(c) == seen) {
      claim_.wait(c, std::memory_order_acquire);  // returns on any change; the loop rechecks
      continue;
    }
    seen = gen_of(c);
    if (stop_.load(std::memory_order_acquire)) return;
    work_on_job(seen, thread_index);
  }
}

}  // namespace liftoff::base
