// ThreadPool: generation-counter handoff, atomic task counter, spin-then-wait workers.
#include "liftoff/base/thread_pool.h"

#include <fstream>
#include <set>
#include <string>

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

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::work_on_current_job(size_t thread_index) {
  for (;;) {
    size_t task = next_task_.fetch_add(1, std::memory_order_relaxed);
    if (task >= job_tasks_) break;
    job_fn_(job_ctx_, task, thread_index);
  }
}

void ThreadPool::run(size_t n_tasks, TaskFn fn, void* ctx) {
  job_fn_ = fn;
  job_ctx_ = ctx;
  job_tasks_ = n_tasks;
  next_task_.store(0, std::memory_order_relaxed);
  busy_workers_.store(workers_.size(), std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  work_on_current_job(0);
  // Spin while the workers are likely running; past that, a worker has probably been preempted
  // (more runnable threads than cores), so give the core away instead of burning its quantum.
  for (int spin = 0; busy_workers_.load(std::memory_order_acquire) != 0; ++spin) {
    if (spin < kSpinIterations) {
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }
}

void ThreadPool::worker_loop(size_t thread_index) {
  uint64_t seen = 0;
  for (;;) {
    uint64_t gen = generation_.load(std::memory_order_acquire);
    for (int spin = 0; gen == seen && spin < kSpinIterations; ++spin) {
      cpu_relax();
      gen = generation_.load(std::memory_order_acquire);
    }
    if (gen == seen) {
      generation_.wait(seen, std::memory_order_acquire);
      continue;
    }
    seen = gen;
    if (stop_.load(std::memory_order_acquire)) return;
    work_on_current_job(thread_index);
    busy_workers_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

}  // namespace liftoff::base
