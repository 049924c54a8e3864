// `liftoff run`: generate text from a prompt, streaming it to stdout (timings to stderr).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "liftoff/base/thread_pool.h"
#include "liftoff/cli/commands.h"
#include "liftoff/cli/model_source.h"
#include "liftoff/engine/generate.h"

namespace liftoff::cli {
namespace {

constexpr int64_t kDefaultMaxContext = 4096;

struct RunOptions {
  std::string model;
  std::string tokenizer;
  std::string prompt;
  std::string prompt_file;
  int64_t n_predict = 128;
  int64_t ctx = 0;
  int64_t batch = 512;
  size_t threads = 0;
  bool ignore_eos = false;
  bool no_display_prompt = false;
  int64_t seed = -1;
  engine::SamplingParams sampling;
};

int run(const RunOptions& o) {
  std::string prompt = o.prompt;
  if (!o.prompt_file.empty()) {
    std::ifstream in(o.prompt_file, std::ios::binary);
    if (!in) return report_error("run", Status::not_found("prompt file not found: " + o.prompt_file));
    std::stringstream ss;
    ss << in.rdbuf();
    prompt = ss.str();
  }
  auto loaded = load_model(o.model, o.tokenizer);
  if (!loaded.ok()) return report_error("run", loaded.status());
  const auto& hp = loaded->model.hparams();
  // Like llama.cpp, cap the default at 4096: a 128k-context model would otherwise reserve
  // gigabytes of KV cache for a short prompt.
  const int64_t ctx = o.ctx > 0 ? o.ctx : std::min<int64_t>(hp.n_ctx_train, kDefaultMaxContext);

  engine::GenerateOptions gen;
  gen.max_tokens = o.n_predict < 0 ? ctx : o.n_predict;
  gen.ignore_eos = o.ignore_eos;
  gen.sampling = o.sampling;
  gen.sampling.seed = o.seed >= 0 ? static_cast<uint64_t>(o.seed) : std::random_device{}();
  if (auto st = gen.sampling.validate(loaded->tokenizer.n_vocab()); !st.is_ok()) {
    return report_error("run", st);
  }

  std::vector<int32_t> tokens = loaded->tokenizer.encode(prompt, true, true);
  if (tokens.empty()) {
    return report_error("run", Status::invalid_argument("the prompt is empty and the model adds "
                                                        "no BOS token; give a prompt with -p"));
  }
  base::ThreadPool pool(o.threads);
  auto runner = engine::SequenceRunner::create(loaded->model, pool, ctx, o.batch);
  if (!runner.ok()) return report_error("run", runner.status());

  if (!o.no_display_prompt) {
    std::fwrite(prompt.data(), 1, prompt.size(), stdout);
    std::fflush(stdout);
  }
  engine::GenerateCallbacks callbacks;
  callbacks.on_text = [](std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  };
  auto result = engine::generate(*runner, loaded->tokenizer, tokens, gen, callbacks);
  std::fputc('\n', stdout);
  if (!result.ok()) return report_error("run", result.status());
  const auto& r = *result;
  std::fprintf(stderr,
               "\nliftoff run: model %s | seed %llu | threads %zu\n"
               "  prompt:     %5lld tokens in %8.2f ms (%8.2f tok/s)\n"
               "  generation: %5zu tokens in %8.2f ms (%8.2f tok/s), finish: %s\n",
               loaded->path.string().c_str(), static_cast<unsigned long long>(gen.sampling.seed),
               pool.n_threads(), static_cast<long long>(r.prompt_tokens), r.prompt_seconds * 1e3,
               r.prompt_tokens / r.prompt_seconds, r.tokens.size(), r.generate_seconds * 1e3,
               r.generate_seconds > 0 ? r.tokens.size() / r.generate_seconds : 0.0,
               r.finish == engine::FinishReason::kStop ? "stop" : "length");
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Generate text from a prompt and stream it to stdout");
  cmd->add_option("-m,--model", o->model,
                  "GGUF file or llama2.c checkpoint (default: $LIFTOFF_MODEL, then the best model "
                  "in $LIFTOFF_MODELS_DIR or ../shared/models)");
  cmd->add_option("--tokenizer", o->tokenizer, "llama2.c tokenizer .bin (llama2.c checkpoints only)");
  auto* p = cmd->add_option("-p,--prompt", o->prompt, "prompt text");
  cmd->add_option("-f,--file", o->prompt_file, "read the prompt from a file")->excludes(p);
  cmd->add_option("-n,--n-predict", o->n_predict, "tokens to generate (-1: until the context is full)")
      ->capture_default_str()->check(CLI::Range(int64_t{-1}, int64_t{1} << 30));
  cmd->add_option("-c,--ctx", o->ctx, "context size in tokens (default: the model's, at most 4096)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("-b,--batch", o->batch, "prompt tokens per forward pass")
      ->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  cmd->add_option("-t,--threads", o->threads, "compute threads (default: physical cores)")
      ->check(CLI::Range(size_t{0}, size_t{1024}));
  cmd->add_option("--temp", o->sampling.temperature, "temperature (0 = greedy)")->capture_default_str();
  cmd->add_option("--top-k", o->sampling.top_k, "top-k (0 = off)")->capture_default_str();
  cmd->add_option("--top-p", o->sampling.top_p, "top-p (1 = off)")->capture_default_str();
  cmd->add_option("--min-p", o->sampling.min_p, "min-p (0 = off)")->capture_default_str();
  cmd->add_option("--repeat-penalty", o->sampling.repetition_penalty, "repetition penalty (1 = off)")
      ->capture_default_str();
  cmd->add_option("--repeat-last-n", o->sampling.penalty_last_n, "penalty window (-1 = all)")
      ->capture_default_str();
  cmd->add_option("--frequency-penalty", o->sampling.frequency_penalty, "OpenAI frequency penalty")
      ->capture_default_str();
  cmd->add_option("--presence-penalty", o->sampling.presence_penalty, "OpenAI presence penalty")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "sampling seed (-1 = random)")->capture_default_str();
  cmd->add_flag("--ignore-eos", o->ignore_eos, "keep generating past end-of-generation tokens");
  cmd->add_flag("--no-display-prompt", o->no_display_prompt, "do not echo the prompt");
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace liftoff::cli
