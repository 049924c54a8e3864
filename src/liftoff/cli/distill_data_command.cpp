// `liftoff distill-data`: a teacher's completions with top-k logprobs for a JSONL list of prompts.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "liftoff/base/thread_pool.h"
#include "liftoff/cli/commands.h"
#include "liftoff/cli/model_source.h"
#include "liftoff/tooling/distill_data.h"

namespace liftoff::cli {
namespace {

struct DistillCliOptions {
  std::string model;
  std::string tokenizer;
  std::string prompts_file;
  std::string out;
  tooling::DistillOptions distill;
  size_t threads = 0;
};

int distill_data(const DistillCliOptions& o) {
  const char* cmd = "distill-data";
  std::ifstream in(o.prompts_file, std::ios::binary);
  if (!in) return report_error(cmd, Status::not_found("prompts file not found: " + o.prompts_file));
  std::stringstream ss;
  ss << in.rdbuf();
  // Parse every line before loading the model, so a bad line fails in milliseconds.
  auto prompts = tooling::parse_distill_prompts(ss.str());
  if (!prompts.ok()) {
    return report_error(
        cmd, Status::invalid_argument(o.prompts_file + ": " + prompts.status().message()));
  }
  auto loaded = load_model(o.model, o.tokenizer);
  if (!loaded.ok()) return report_error(cmd, loaded.status());
  base::ThreadPool pool(o.threads);
  const size_t n = prompts->size();
  auto st = tooling::write_distill_data(
      loaded->model, loaded->tokenizer, *prompts, o.distill, pool, o.out,
      [n](size_t i) { std::fprintf(stderr, "\rliftoff distill-data: %zu/%zu", i + 1, n); });
  std::fprintf(stderr, "\n");
  if (!st.is_ok()) return report_error(cmd, st);
  std::fprintf(stderr, "liftoff distill-data: wrote %zu lines to %s\n", n, o.out.c_str());
  return 0;
}

}  // namespace

void add_distill_data_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<DistillCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "distill-data",
      "Teacher completions with top-k logprobs per token, as JSONL for distillation");
  cmd->add_option("-m,--model", o->model, "teacher model (default as for run)");
  cmd->add_option("--tokenizer", o->tokenizer,
                  "llama2.c tokenizer .bin (llama2.c checkpoints only)");
  cmd->add_option("-f,--file", o->prompts_file,
                  "JSONL prompts: {\"prompt\": ...} or {\"messages\": [...]} per line")
      ->required();
  cmd->add_option("-o,--output", o->out, "JSONL file to write")->required();
  cmd->add_option("--top-k", o->distill.top_k, "top logprobs recorded per token (1..20)")
      ->capture_default_str()
      ->check(CLI::Range(1, 20));
  cmd->add_option("-n,--n-predict", o->distill.max_tokens, "most tokens generated per prompt")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  cmd->add_option("--temp", o->distill.temperature,
                  "temperature (0 = greedy; else sampling from the full softmax(logits / T))")
      ->capture_default_str()
      ->check(CLI::Range(0.0f, 100.0f));
  cmd->add_option("--seed", o->distill.seed, "sampling seed (prompt i uses seed + i)")
      ->capture_default_str();
  cmd->add_option("-c,--ctx", o->distill.n_ctx, "context size (default: the model's, at most 4096)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("-t,--threads", o->threads, "compute threads (default: physical cores)")
      ->check(CLI::Range(size_t{0}, size_t{1024}));
  cmd->callback([o, &exit_code] { exit_code = distill_data(*o); });
}

}  // namespace liftoff::cli
