// pp/tg timing loops and their statistics.
#include "liftoff/tooling/bench.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "liftoff/engine/sequence_runner.h"

namespace liftoff::tooling {
namespace {

void summarize(BenchResult& r, int64_t n_tokens) {
  for (double ns : r.samples_ns) r.samples_ts.push_back(1e9 * static_cast<double>(n_tokens) / ns);
  auto mean_std = [](const std::vector<double>& v, double& mean, double& stddev) {
    mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    double sq = 0;
    for (double x : v) sq += (x - mean) * (x - mean);
    stddev = v.size() > 1 ? std::sqrt(sq / static_cast<double>(v.size() - 1)) : 0.0;
  };
  mean_std(r.samples_ts, r.avg_ts, r.stddev_ts);
  mean_std(r.samples_ns, r.avg_ns, r.stddev_ns);
  std::vector<double> sorted = r.samples_ts;
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  r.median_ts = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
}

}  // namespace

Result<std::vector<BenchResult>> run_bench(const model::Model& model, base::ThreadPool& pool,
                                           const BenchOptions& options) {
  if (options.n_prompt < 0 || options.n_gen < 0 || options.reps < 1 || options.n_batch < 1) {
    return Status::invalid_argument("bench needs n_prompt >= 0, n_gen >= 0, reps >= 1, batch >= 1");
  }
  if (options.n_prompt == 0 && options.n_gen == 0) {
    return Status::invalid_argument("nothing to measure: both -p and -n are 0");
  }
  const int64_t n_vocab = model.hparams().n_vocab;
  const int64_t n_ctx = std::max<int64_t>(1, std::max(options.n_prompt, options.n_gen));
  LIFTOFF_ASSIGN_OR_RETURN(auto runner,
                           engine::SequenceRunner::create(model, pool, n_ctx, options.n_batch));
  std::mt19937 rng(options.seed);
  std::uniform_int_distribution<int32_t> random_token(0, static_cast<int32_t>(n_vocab - 1));
  using clock = std::chrono::steady_clock;

  std::vector<BenchResult> results;
  if (options.n_prompt > 0) {
    BenchResult r;
    r.test = "pp" + std::to_string(options.n_prompt);
    r.n_prompt = options.n_prompt;
    r.n_threads = pool.n_threads();
    std::vector<int32_t> prompt(static_cast<size_t>(options.n_prompt));
    for (int64_t rep = -1; rep < options.reps; ++rep) {  // rep -1 is the warm-up
      for (auto& t : prompt) t = random_token(rng);
      runner.reset();
      auto start = clock::now();
      LIFTOFF_RETURN_IF_ERROR(runner.eval(prompt).status());
      auto ns = std::chrono::duration<double, std::nano>(clock::now() - start).count();
      if (rep >= 0) r.samples_ns.push_back(ns);
    }
    summarize(r, options.n_prompt);
    results.push_back(std::move(r));
  }
  if (options.n_gen > 0) {
    BenchResult r;
    r.test = "tg" + std::to_string(options.n_gen);
    r.n_gen = options.n_gen;
    r.n_threads = pool.n_threads();
    for (int64_t rep = -1; rep < options.reps; ++rep) {
      runner.reset();
      const int64_t n = rep < 0 ? 1 : options.n_gen;  // warm-up: one token, as llama-bench
      int32_t token = random_token(rng);
      auto start = clock::now();
      for (int64_t i = 0; i < n; ++i) {
        LIFTOFF_RETURN_IF_ERROR(runner.eval(std::span<const int32_t>(&token, 1)).status());
        token = random_token(rng);
      }
      auto ns = std::chrono::duration<double, std::nano>(clock::now() - start).count();
      if (rep >= 0) r.samples_ns.push_back(ns);
    }
    summarize(r, options.n_gen);
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace liftoff::tooling
