// `liftoff perplexity`: llama-perplexity-compatible perplexity of a model on a text file.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "liftoff/base/thread_pool.h"
#include "liftoff/cli/commands.h"
#include "liftoff/cli/model_source.h"
#include "liftoff/tooling/perplexity.h"

namespace liftoff::cli {
namespace {

struct PerplexityCliOptions {
  std::string model;
  std::string tokenizer;
  std::string text_file;
  tooling::PerplexityOptions ppl;
  size_t threads = 0;
  bool json = false;
};

int perplexity(const PerplexityCliOptions& o) {
  std::ifstream in(o.text_file, std::ios::binary);
  if (!in) return report_error("perplexity", Status::not_found("text file not found: " + o.text_file));
  std::stringstream ss;
  ss << in.rdbuf();
  auto loaded = load_model(o.model, o.tokenizer);
  if (!loaded.ok()) return report_error("perplexity", loaded.status());
  base::ThreadPool pool(o.threads);
  auto on_chunk = [&](int64_t chunk, double running) {
    if (!o.json) std::fprintf(stderr, "[%lld]%.4f,", static_cast<long long>(chunk + 1), running);
  };
  auto result = tooling::perplexity(loaded->model, loaded->tokenizer, ss.str(), o.ppl, pool, on_chunk);
  if (!result.ok()) return report_error("perplexity", result.status());
  if (o.json) {
    nlohmann::json out = {{"model", loaded->path.string()}, {"n_ctx", o.ppl.n_ctx},
                          {"stride", o.ppl.stride},         {"n_chunks", result->n_chunks},
                          {"n_scored", result->n_scored},
                          {"ppl", result->ppl},             {"ppl_stderr", result->ppl_stderr},
                          {"chunk_running_ppl", result->chunk_running_ppl}};
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::fprintf(stderr, "\n");
    if (o.ppl.stride > 0) {
      std::printf("Final estimate: PPL = %.4f +/- %.5f (%lld windows of %lld tokens, stride %lld, "
                  "%lld tokens scored)\n",
                  result->ppl, result->ppl_stderr, static_cast<long long>(result->n_chunks),
                  static_cast<long long>(o.ppl.n_ctx), static_cast<long long>(o.ppl.stride),
                  static_cast<long long>(result->n_scored));
    } else {
      std::printf("Final estimate: PPL = %.4f +/- %.5f (%lld chunks of %lld tokens)\n", result->ppl,
                  result->ppl_stderr, static_cast<long long>(result->n_chunks),
                  static_cast<long long>(o.ppl.n_ctx));
    }
  }
  return 0;
}

}  // namespace

void add_perplexity_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<PerplexityCliOptions>();
  CLI::App* cmd = app.add_subcommand("perplexity", "Perplexity of a model on a text (llama-perplexity's method)");
  cmd->add_option("-m,--model", o->model, "GGUF file or llama2.c checkpoint (default as for run)");
  cmd->add_option("--tokenizer", o->tokenizer, "llama2.c tokenizer .bin (llama2.c checkpoints only)");
  cmd->add_option("-f,--file", o->text_file, "text file to score")->required();
  cmd->add_option("-c,--ctx", o->ppl.n_ctx, "tokens per chunk (the second half of each is scored)")
      ->capture_default_str()->check(CLI::Range(int64_t{4}, int64_t{1} << 20));
  cmd->add_option("-b,--batch", o->ppl.n_batch, "tokens per forward pass")
      ->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  cmd->add_option("--stride", o->ppl.stride,
                  "sliding window: a window of --ctx tokens every S tokens, scoring only new "
                  "tokens (Hugging Face's method; llama.cpp has none). 0 = llama.cpp's chunks")
      ->capture_default_str()->check(CLI::Range(int64_t{0}, int64_t{1} << 20));
  cmd->add_option("-t,--threads", o->threads, "compute threads (default: physical cores)")
      ->check(CLI::Range(size_t{0}, size_t{1024}));
  cmd->add_flag("--json", o->json, "print the result as JSON");
  cmd->callback([o, &exit_code] { exit_code = perplexity(*o); });
}

}  // namespace liftoff::cli
