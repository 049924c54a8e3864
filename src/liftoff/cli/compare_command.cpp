// `liftoff compare`: KL divergence, top-1 agreement and perplexity of two models on one text.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "liftoff/base/thread_pool.h"
#include "liftoff/cli/commands.h"
#include "liftoff/cli/model_source.h"
#include "liftoff/tooling/compare.h"

namespace liftoff::cli {
namespace {

struct CompareCliOptions {
  std::vector<std::string> models;
  std::string text_file;
  tooling::CompareOptions compare;
  size_t threads = 0;
  bool json = false;
};

int compare(const CompareCliOptions& o) {
  const char* cmd = "compare";
  if (o.models.size() != 2) {
    return report_error(cmd, Status::invalid_argument("give exactly two models: -m A -m B (got " +
                                                      std::to_string(o.models.size()) + ")"));
  }
  std::ifstream in(o.text_file, std::ios::binary);
  if (!in) return report_error(cmd, Status::not_found("text file not found: " + o.text_file));
  std::stringstream ss;
  ss << in.rdbuf();
  auto a = load_model(o.models[0], "");
  if (!a.ok()) return report_error(cmd, a.status());
  auto b = load_model(o.models[1], "");
  if (!b.ok()) return report_error(cmd, b.status());
  if (auto st = tooling::check_same_vocab(a->tokenizer, b->tokenizer); !st.is_ok()) {
    return report_error(cmd, st);
  }
  base::ThreadPool pool(o.threads);
  auto r = tooling::compare_models(a->model, b->model, a->tokenizer, ss.str(), o.compare, pool);
  if (!r.ok()) return report_error(cmd, r.status());
  if (o.json) {
    nlohmann::json j = {{"model_a", o.models[0]},    {"model_b", o.models[1]},
                        {"n_ctx", o.compare.n_ctx},  {"n_chunks", r->n_chunks},
                        {"n_scored", r->n_scored},   {"kl_mean", r->kl_mean},
                        {"kl_median", r->kl_median}, {"kl_p99", r->kl_p99},
                        {"kl_max", r->kl_max},       {"top1_agreement", r->top1_agreement},
                        {"ppl_a", r->ppl_a},         {"ppl_b", r->ppl_b}};
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("liftoff compare: A = %s, B = %s\n", o.models[0].c_str(), o.models[1].c_str());
  std::printf("  scored tokens:  %lld (%lld chunks of %lld, second halves)\n",
              static_cast<long long>(r->n_scored), static_cast<long long>(r->n_chunks),
              static_cast<long long>(o.compare.n_ctx));
  std::printf("  KL(A||B):       mean %.6f  median %.6f  P99 %.6f  max %.6f nats\n", r->kl_mean,
              r->kl_median, r->kl_p99, r->kl_max);
  std::printf("  top-1 agree:    %.2f%%\n", 100.0 * r->top1_agreement);
  std::printf("  perplexity:     A %.4f  B %.4f\n", r->ppl_a, r->ppl_b);
  return 0;
}

}  // namespace

void add_compare_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<CompareCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "KL divergence, top-1 agreement and perplexity of model B against model A");
  cmd->add_option("-m,--model", o->models, "a model; give it twice: -m A -m B (A is the reference)")
      ->required();
  cmd->add_option("-f,--file", o->text_file, "text file to score")->required();
  cmd->add_option("-c,--ctx", o->compare.n_ctx, "tokens per chunk (the second half is scored)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{4}, int64_t{1} << 20));
  cmd->add_option("-b,--batch", o->compare.n_batch, "tokens per forward pass")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  cmd->add_option("-t,--threads", o->threads, "compute threads (default: physical cores)")
      ->check(CLI::Range(size_t{0}, size_t{1024}));
  cmd->add_flag("--json", o->json, "print the result as JSON");
  cmd->callback([o, &exit_code] { exit_code = compare(*o); });
}

}  // namespace liftoff::cli
