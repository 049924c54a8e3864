// ThreadPool: the one compute pool. The caller's thread takes part in every parallel_for, so a
// pool of N threads starts N-1 workers. Workers spin briefly between jobs (decode issues hundreds
// of small matvecs per token and a futex wake-up per job would dominate), then sleep.
// A job is finished when all its tasks are, not when every worker has checked in: a worker that
// is descheduled (more runnable threads than cores: HTTP threads, another process) and has not
// claimed a task costs the job nothing, because the caller claims the remaining tasks itself.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

namespace liftoff::base {

class ThreadPool {
 public:
  // n_threads == 0 means default_threads(). Not copyable or movable (workers point at it).
  explicit ThreadPool(size_t n_threads = 0);
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool();

  size_t n_threads() const { return n_threads_; }

  // Physical cores of this machine (SMT siblings counted once), at least 1.
  static size_t default_threads();

  // Calls fn(task, thread) for every task in [0, n_tasks), spread over all threads, and returns
  // when all have finished. `thread` is in [0, n_threads()) and unique among concurrent calls, so
  // it can index per-thread scratch. Not reentrant: fn must not call parallel_for.
  template <typename Fn>
  void parallel_for(size_t n_tasks, Fn&& fn) {
    if (n_tasks == 0) return;
    if (n_tasks == 1 || n_threads_ == 1) {
      for (size_t t = 0; t < n_tasks; ++t) fn(t, 0);
      return;
    }
    run(n_tasks, &invoke<std::remove_reference_t<Fn>>, &fn);
  }

 private:
  using TaskFn = void (*)(void* ctx, size_t task, size_t thread);
  template <typename Fn>
  static void invoke(void* ctx, size_t task, size_t thread) {
    (*static_cast<Fn*>(ctx))(task, thread);
  }

  void run(size_t n_tasks, TaskFn fn, void* ctx);
  void worker_loop(size_t thread_index);
  // Claims and runs tasks of generation `gen` until none is left (or a newer job started).
  void work_on_job(uint32_t gen, size_t thread_index);
  static constexpr uint32_t kClosed = 0xffffffffu;

  size_t n_threads_;
  std::vector<std::thread> workers_;

  // The current job's parameters, guarded like a seqlock by claim_: the caller closes the next
  // generation, writes them, then opens it; a worker's claim succeeds only if the generation it
  // read them under is still open, so a worker that wakes up late never runs a task with the
  // parameters of another job.
  std::atomic<TaskFn> job_fn_{nullptr};
  std::atomic<void*> job_ctx_{nullptr};
  std::atomic<size_t> job_tasks_{0};
  // (generation << 32) | next unclaimed task, or kClosed while the parameters are being written.
  alignas(64) std::atomic<uint64_t> claim_{0};
  alignas(64) std::atomic<size_t> completed_{0};
  uint32_t generation_ = 0;  // caller only
  std::atomic<bool> stop_{false};
};

}  // namespace liftoff::base
