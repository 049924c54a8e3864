// Throughput benchmark of prompt processing (pp) and token generation (tg), measured the way
// llama-bench does so the two tools can be compared line by line: pp evaluates n_prompt random
// tokens from an empty cache in batches; tg decodes n_gen tokens one at a time; each test runs
// once to warm up, then `reps` times.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/base/thread_pool.h"
#include "liftoff/model/model.h"

namespace liftoff::tooling {

struct BenchOptions {
  int64_t n_prompt = 128;  // 0 skips the pp test
  int64_t n_gen = 128;     // 0 skips the tg test
  int64_t n_batch = 512;
  int64_t reps = 5;
  uint32_t seed = 1234;    // for the random token ids
};

struct BenchResult {
  std::string test;        // "pp128", "tg128"
  int64_t n_prompt = 0;
  int64_t n_gen = 0;
  size_t n_threads = 0;
  std::vector<double> samples_ns;
  std::vector<double> samples_ts;  // tokens per second of each repetition
  double avg_ts = 0, stddev_ts = 0, median_ts = 0;
  double avg_ns = 0, stddev_ns = 0;
};

Result<std::vector<BenchResult>> run_bench(const model::Model& model, base::ThreadPool& pool,
                                           const BenchOptions& options);

}  // namespace liftoff::tooling
