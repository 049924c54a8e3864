#include "liftoff/base/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace liftoff::base {
namespace {

TEST(ThreadPool, RunsEveryTaskExactlyOnce) {
  ThreadPool pool(3);
  for (size_t n : {0u, 1u, 2u, 7u, 1000u}) {
    std::vector<std::atomic<int>> hits(n);
    pool.parallel_for(n, [&](size_t task, size_t thread) {
      EXPECT_LT(thread, pool.n_threads());
      hits[task].fetch_add(1);
    });
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(hits[i].load(), 1) << "task " << i;
  }
}

TEST(ThreadPool, ManySmallJobsBackToBack) {
  ThreadPool pool(2);
  std::atomic<long> sum{0};
  for (int job = 0; job < 20000; ++job) {
    pool.parallel_for(4, [&](size_t task, size_t) { sum.fetch_add(static_cast<long>(task)); });
  }
  EXPECT_EQ(sum.load(), 20000L * 6);
}

TEST(ThreadPool, DefaultThreadsIsPositive) { EXPECT_GE(ThreadPool::default_threads(), 1u); }

}  // namespace
}  // namespace liftoff::base
