// `liftoff prune`: structured pruning of FFN neurons and KV-head groups into a new GGUF, with the
// size, decode speed and perplexity of both models reported side by side.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>

#include "liftoff/base/thread_pool.h"
#include "liftoff/cli/commands.h"
#include "liftoff/cli/model_source.h"
#include "liftoff/tooling/bench.h"
#include "liftoff/tooling/output_path.h"
#include "liftoff/tooling/perplexity.h"
#include "liftoff/tooling/prune.h"

namespace liftoff::cli {
namespace {

struct PruneCliOptions {
  std::string in;
  std::string out;
  double ffn = 0.0;
  double heads = 0.0;
  std::string method = "magnitude";
  std::string calib_file;
  std::string eval_file;
  int64_t ctx = 512;
  int64_t bench_gen = 64;
  int64_t bench_reps = 3;
  size_t threads = 0;
  bool json = false;
};

Result<std::string> read_text(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(std::string(what) + " file not found: " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Measured {
  uint64_t bytes = 0;
  std::optional<double> decode_ts;  // median tok/s
  std::optional<tooling::PerplexityResult> ppl;
};

Result<Measured> measure(const LoadedModel& m, const std::optional<std::string>& eval_text,
                         const PruneCliOptions& o, base::ThreadPool& pool) {
  Measured r;
  std::error_code ec;
  r.bytes = std::filesystem::file_size(m.path, ec);
  if (eval_text) {
    tooling::PerplexityOptions po;
    po.n_ctx = o.ctx;
    po.n_batch = o.ctx;
    LIFTOFF_ASSIGN_OR_RETURN(r.ppl,
                             tooling::perplexity(m.model, m.tokenizer, *eval_text, po, pool));
  }
  if (o.bench_gen > 0) {
    tooling::BenchOptions bo;
    bo.n_prompt = 0;
    bo.n_gen = o.bench_gen;
    bo.reps = o.bench_reps;
    LIFTOFF_ASSIGN_OR_RETURN(auto results, tooling::run_bench(m.model, pool, bo));
    r.decode_ts = results.at(0).median_ts;
  }
  return r;
}

nlohmann::json to_json(const Measured& m) {
  nlohmann::json j = {{"bytes", m.bytes}};
  if (m.decode_ts) j["decode_tok_s"] = *m.decode_ts;
  if (m.ppl) {
    j["ppl"] = m.ppl->ppl;
    j["ppl_stderr"] = m.ppl->ppl_stderr;
    j["n_chunks"] = m.ppl->n_chunks;
  }
  return j;
}

int prune(const PruneCliOptions& o) {
  const char* cmd = "prune";
  auto method = tooling::prune_method_from_name(o.method);
  if (!method) {
    return report_error(cmd, Status::invalid_argument("unknown --method '" + o.method +
                                                      "' (magnitude, activation)"));
  }
  std::optional<std::string> calib, eval;
  if (!o.calib_file.empty()) {
    auto t = read_text(o.calib_file, "calibration");
    if (!t.ok()) return report_error(cmd, t.status());
    calib = std::move(*t);
  }
  if (!o.eval_file.empty()) {
    auto t = read_text(o.eval_file, "evaluation");
    if (!t.ok()) return report_error(cmd, t.status());
    eval = std::move(*t);
  } else {
    eval = calib;
  }
  if (*method == tooling::PruneMethod::kActivation && !calib) {
    return report_error(cmd, Status::invalid_argument("--method activation needs --calib TEXT"));
  }
  if (Status s = tooling::check_output_path(o.out, o.in); !s.is_ok()) {
    return report_error(cmd, s);
  }
  auto loaded = load_model(o.in, "");
  if (!loaded.ok()) return report_error(cmd, loaded.status());
  const model::HParams& hp = loaded->model.hparams();
  tooling::PruneOptions po{o.ffn, o.heads, *method};
  // Validate the fractions before anything slow runs.
  for (auto [f, n, what] : {std::tuple{o.ffn, hp.n_ff, "FFN neurons"},
                            std::tuple{o.heads, hp.n_head_kv, "KV head groups"}}) {
    if (auto r = tooling::units_to_remove(f, n, what); !r.ok())
      return report_error(cmd, r.status());
  }
  base::ThreadPool pool(o.threads);
  auto before = measure(*loaded, eval, o, pool);
  if (!before.ok()) return report_error(cmd, before.status());

  std::optional<tooling::ActivationStats> stats;
  if (*method == tooling::PruneMethod::kActivation) {
    auto s = tooling::collect_activation_stats(loaded->model, loaded->tokenizer, *calib,
                                               std::min(o.ctx, hp.n_ctx_train), pool);
    if (!s.ok()) return report_error(cmd, s.status());
    stats = std::move(*s);
  }
  auto plan = tooling::plan_pruning(loaded->model, po, stats ? &*stats : nullptr);
  if (!plan.ok()) return report_error(cmd, plan.status());
  auto written = tooling::write_pruned_model(loaded->model, *plan, o.out);
  if (!written.ok()) return report_error(cmd, written.status());

  auto pruned = load_model(o.out, "");
  if (!pruned.ok()) {
    return report_error(
        cmd, Status::internal("the pruned file does not load: " + pruned.status().to_string()));
  }
  auto after = measure(*pruned, eval, o, pool);
  if (!after.ok()) return report_error(cmd, after.status());

  const auto& php = pruned->model.hparams();
  if (o.json) {
    nlohmann::json j = {{"input", o.in},
                        {"output", o.out},
                        {"method", o.method},
                        {"ffn_fraction", o.ffn},
                        {"head_fraction", o.heads},
                        {"n_ff", {hp.n_ff, php.n_ff}},
                        {"n_head", {hp.n_head, php.n_head}},
                        {"n_head_kv", {hp.n_head_kv, php.n_head_kv}},
                        {"notes", plan->notes},
                        {"fallbacks", written->fallbacks},
                        {"before", to_json(*before)},
                        {"after", to_json(*after)}};
    if (stats) j["calib_tokens"] = stats->n_tokens;
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("liftoff prune: %s -> %s (%s)\n", o.in.c_str(), o.out.c_str(), o.method.c_str());
  std::printf("  ffn neurons per layer: %lld -> %lld\n", static_cast<long long>(hp.n_ff),
              static_cast<long long>(php.n_ff));
  std::printf("  heads per layer (q/kv): %lld/%lld -> %lld/%lld\n",
              static_cast<long long>(hp.n_head), static_cast<long long>(hp.n_head_kv),
              static_cast<long long>(php.n_head), static_cast<long long>(php.n_head_kv));
  for (const auto& n : plan->notes) std::printf("  note: %s\n", n.c_str());
  for (const auto& f : written->fallbacks) std::printf("  fallback: %s\n", f.c_str());
  std::printf("  size:       %10.1f KiB -> %10.1f KiB (%.1f%%)\n", before->bytes / 1024.0,
              after->bytes / 1024.0, 100.0 * after->bytes / std::max<uint64_t>(before->bytes, 1));
  if (before->decode_ts && after->decode_ts) {
    std::printf("  decode:     %10.1f tok/s -> %10.1f tok/s (tg%lld, median of %lld)\n",
                *before->decode_ts, *after->decode_ts, static_cast<long long>(o.bench_gen),
                static_cast<long long>(o.bench_reps));
  }
  if (before->ppl && after->ppl) {
    std::printf("  perplexity: %10.4f -> %10.4f (%lld chunks of %lld tokens)\n", before->ppl->ppl,
                after->ppl->ppl, static_cast<long long>(after->ppl->n_chunks),
                static_cast<long long>(o.ctx));
  } else {
    std::printf("  perplexity: not measured (pass --eval TEXT or --calib TEXT)\n");
  }
  return 0;
}

}  // namespace

void add_prune_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<PruneCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "prune", "Structured pruning: drop FFN neurons and KV-head groups, write a smaller GGUF");
  cmd->add_option("input", o->in, "GGUF model to prune")->required();
  cmd->add_option("output", o->out, "GGUF file to write")->required();
  cmd->add_option("--ffn", o->ffn, "fraction of FFN neurons to remove per layer, in [0, 1)")
      ->capture_default_str();
  cmd->add_option("--heads", o->heads,
                  "fraction of KV-head groups (a KV head and its query heads) to remove per layer")
      ->capture_default_str();
  cmd->add_option("--method", o->method, "importance: magnitude (weights) or activation (--calib)")
      ->capture_default_str();
  cmd->add_option("--calib", o->calib_file,
                  "calibration text (activation importance; also the "
                  "perplexity text unless --eval is given)");
  cmd->add_option("--eval", o->eval_file, "text to measure perplexity on before and after");
  cmd->add_option("-c,--ctx", o->ctx, "perplexity chunk / calibration window in tokens")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{4}, int64_t{1} << 20));
  cmd->add_option("--bench-gen", o->bench_gen, "decode tokens per speed measurement (0 = skip)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 16));
  cmd->add_option("-r,--repetitions", o->bench_reps, "speed measurement repetitions")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100}));
  cmd->add_option("-t,--threads", o->threads, "compute threads (default: physical cores)")
      ->check(CLI::Range(size_t{0}, size_t{1024}));
  cmd->add_flag("--json", o->json, "print the report as JSON");
  cmd->callback([o, &exit_code] { exit_code = prune(*o); });
}

}  // namespace liftoff::cli
