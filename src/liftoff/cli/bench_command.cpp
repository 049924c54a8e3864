// `liftoff bench`: prompt (pp) and generation (tg) throughput, printed like llama-bench so the two
// can be compared line by line; --json uses llama-bench's field names.
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "liftoff/base/thread_pool.h"
#include "liftoff/cli/commands.h"
#include "liftoff/cli/model_source.h"
#include "liftoff/tooling/bench.h"

namespace liftoff::cli {
namespace {

struct BenchCliOptions {
  std::string model;
  std::string tokenizer;
  tooling::BenchOptions bench;
  size_t threads = 0;
  bool json = false;
};

// "Q8_0" when one quantized type dominates the matrices, as llama-bench's model type column.
std::string weight_type_summary(const formats::ModelFile& file) {
  std::map<std::string, uint64_t> bytes_by_type;
  for (const auto& t : file.tensors) {
    if (t.dims.size() >= 2) bytes_by_type[std::string(kernels::dtype_info(t.dtype).name)] += t.n_bytes;
  }
  std::string best = "F32";
  uint64_t best_bytes = 0;
  for (const auto& [name, bytes] : bytes_by_type) {
    if (bytes > best_bytes) best = name, best_bytes = bytes;
  }
  return best;
}

int bench(const BenchCliOptions& o) {
  auto loaded = load_model(o.model, o.tokenizer);
  if (!loaded.ok()) return report_error("bench", loaded.status());
  base::ThreadPool pool(o.threads);
  auto results = tooling::run_bench(loaded->model, pool, o.bench);
  if (!results.ok()) return report_error("bench", results.status());

  const auto& file = loaded->model.file();
  uint64_t n_params = 0;
  for (const auto& t : file.tensors) n_params += t.n_elements();
  const std::string type = weight_type_summary(file);
  const std::string model_type = loaded->model.hparams().arch_name + " " + type;
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : *results) {
      out.push_back({{"model_filename", loaded->path.string()},
                     {"model_type", model_type},
                     {"model_size", file.tensor_bytes()},
                     {"model_n_params", n_params},
                     {"type", type},
                     {"test", r.test},
                     {"n_batch", o.bench.n_batch},
                     {"n_threads", r.n_threads},
                     {"n_prompt", r.n_prompt},
                     {"n_gen", r.n_gen},
                     {"avg_ns", r.avg_ns},
                     {"stddev_ns", r.stddev_ns},
                     {"avg_ts", r.avg_ts},
                     {"stddev_ts", r.stddev_ts},
                     {"median_ts", r.median_ts},
                     {"samples_ns", r.samples_ns},
                     {"samples_ts", r.samples_ts}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("| %-24s | %10s | %7s | %8s | %20s | %12s |\n", "model", "size", "threads", "test",
              "t/s", "median t/s");
  std::printf("| %-24s | %10s | %7s | %8s | %20s | %12s |\n", "------------------------",
              "---------:", "------:", "-------:", "-------------------:", "-----------:");
  for (const auto& r : *results) {
    char size[32], ts[48];
    std::snprintf(size, sizeof size, "%.2f MiB", file.tensor_bytes() / 1048576.0);
    std::snprintf(ts, sizeof ts, "%.2f ± %.2f", r.avg_ts, r.stddev_ts);
    std::printf("| %-24s | %10s | %7zu | %8s | %20s | %12.2f |\n", model_type.c_str(), size,
                r.n_threads, r.test.c_str(), ts, r.median_ts);
  }
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<BenchCliOptions>();
  CLI::App* cmd = app.add_subcommand("bench", "Measure prompt and generation throughput (like llama-bench)");
  cmd->add_option("-m,--model", o->model, "GGUF file or llama2.c checkpoint (default as for run)");
  cmd->add_option("--tokenizer", o->tokenizer, "llama2.c tokenizer .bin (llama2.c checkpoints only)");
  cmd->add_option("-p,--n-prompt", o->bench.n_prompt, "prompt tokens (0 = skip the pp test)")
      ->capture_default_str()->check(CLI::Range(int64_t{0}, int64_t{1} << 20));
  cmd->add_option("-n,--n-gen", o->bench.n_gen, "generated tokens (0 = skip the tg test)")
      ->capture_default_str()->check(CLI::Range(int64_t{0}, int64_t{1} << 20));
  cmd->add_option("-b,--batch", o->bench.n_batch, "prompt tokens per forward pass")
      ->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  cmd->add_option("-t,--threads", o->threads, "compute threads (default: physical cores)")
      ->check(CLI::Range(size_t{0}, size_t{1024}));
  cmd->add_option("-r,--repetitions", o->bench.reps, "repetitions of each test")
      ->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{1000}));
  cmd->add_flag("--json", o->json, "print a JSON list with llama-bench's field names");
  cmd->callback([o, &exit_code] { exit_code = bench(*o); });
}

}  // namespace liftoff::cli
