// ThreadPool: the one compute pool. The caller's thread takes part in every parallel_for, so a
// pool of N threads starts N-1 workers. Workers spin briefly between jobs (decode issues hundreds
// of small matvecs per token and a futex wake-up per job would dominate), then sleep.
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
  void work_on_current_job(size_t thread_index);

  size_t n_threads_;
  std::vector<std::thread> workers_;

  // The current job; written by the caller before it bumps generation_.
  TaskFn job_fn_ = nullptr;
  void* job_ctx_ = nullptr;
  size_t job_tasks_ = 0;
  alignas(64) std::atomic<size_t> next_task_{0};
  alignas(64) std::atomic<size_t> busy_workers_{0};
  alignas(64) std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace liftoff::base
