// `liftoff quantize IN OUT --type T`: flags and the per-tensor report; the work is in
// tooling/quantize.cpp and the type decisions in tooling/quantize_plan.cpp.
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "liftoff/base/thread_pool.h"
#include "liftoff/cli/commands.h"
#include "liftoff/cli/model_source.h"  // report_error
#include "liftoff/kernels/dtype.h"
#include "liftoff/tooling/quantize.h"

namespace liftoff::cli {
namespace {

struct QuantizeCliOptions {
  std::string input;
  std::string output;
  std::string type;
  std::vector<std::string> keep;
  size_t threads = 0;
};

std::string shape_text(const std::vector<uint64_t>& dims) {
  std::string s;
  for (uint64_t d : dims) s += (s.empty() ? "" : " x ") + std::to_string(d);
  return s;
}

std::string size_text(uint64_t bytes) {
  char buf[32];
  if (bytes < 10 * 1024) {
    std::snprintf(buf, sizeof(buf), "%llu B", static_cast<unsigned long long>(bytes));
  } else if (bytes < 10ull * 1024 * 1024) {
    std::snprintf(buf, sizeof(buf), "%.1f KiB", bytes / 1024.0);
  } else {
    std::snprintf(buf, sizeof(buf), "%.1f MiB", bytes / 1048576.0);
  }
  return buf;
}

std::string_view type_name(kernels::DType t) { return kernels::dtype_info(t).name; }

int quantize(const QuantizeCliOptions& o) {
  std::optional<tooling::QuantRecipe> recipe = tooling::find_quant_recipe(o.type);
  if (!recipe) {
    return report_error("quantize",
                        Status::invalid_argument("unknown --type '" + o.type + "' (one of " +
                                                 tooling::quant_recipe_names() + ")"));
  }
  tooling::QuantizeOptions options;
  options.input = o.input;
  options.output = o.output;
  options.recipe = *recipe;
  for (const std::string& k : o.keep) {
    Result<tooling::KeepRule> rule = tooling::parse_keep_rule(k);
    if (!rule.ok()) return report_error("quantize", rule.status());
    options.keep.push_back(std::move(*rule));
  }

  base::ThreadPool pool(o.threads);
  const auto start = std::chrono::steady_clock::now();
  auto on_tensor = [&](size_t i, const tooling::TensorQuantPlan& p) {
    std::string why(tooling::type_reason_name(p.reason));
    if (p.wanted) {
      why = "fallback: " + std::string(type_name(*p.wanted)) + " blocks do not divide rows of " +
            std::to_string(p.dims[0]);
    }
    std::printf("[%4zu] %-32s %-14s %5s -> %-5s %10s -> %-10s (%s)\n", i + 1, p.name.c_str(),
                shape_text(p.dims).c_str(), std::string(type_name(p.from)).c_str(),
                std::string(type_name(p.to)).c_str(), size_text(p.bytes_in).c_str(),
                size_text(p.bytes_out).c_str(), why.c_str());
  };
  Result<tooling::QuantizeReport> report = tooling::quantize_model(options, pool, on_tensor);
  if (!report.ok()) return report_error("quantize", report.status());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  size_t n_fallback = 0;
  for (const tooling::TensorQuantPlan& p : report->tensors) n_fallback += p.wanted ? 1 : 0;
  if (report->n_requantized > 0) {
    std::fprintf(stderr,
                 "liftoff quantize: warning: %zu tensor(s) were already quantized and were "
                 "decoded and quantized again; quality is worse than quantizing the F32/F16 "
                 "original\n",
                 report->n_requantized);
  }
  if (n_fallback > 0) {
    std::fprintf(stderr,
                 "liftoff quantize: %zu tensor(s) used a fallback type because their rows do not "
                 "fit the block (see the list above)\n",
                 n_fallback);
  }
  const double bpw = report->n_params ? 8.0 * report->bytes_out / report->n_params : 0.0;
  std::printf(
      "wrote %s: %s, %.3f M params, tensors %s -> %s (%.2f bits per weight), %.1f s on "
      "%zu threads\n",
      o.output.c_str(), std::string(recipe->name).c_str(), report->n_params / 1e6,
      size_text(report->bytes_in).c_str(), size_text(report->bytes_out).c_str(), bpw, seconds,
      pool.n_threads());
  return 0;
}

}  // namespace

void add_quantize_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<QuantizeCliOptions>();
  CLI::App* cmd =
      app.add_subcommand("quantize", "Write a copy of a model with quantized weight matrices");
  cmd->footer(
      "Only 2-D weight matrices are quantized (norms and biases stay as they are). output.weight "
      "(token_embd when tied) gets Q6_K, or Q8_0 for Q8_0 and when the base block does not fit; "
      "Q4_K/Q5_K are llama-quantize's Q4_K_M/Q5_K_M mixes. Rows a block does not divide fall "
      "back: Q4_K->Q5_0, Q5_K->Q5_1, Q6_K->Q8_0, then F16.");
  cmd->add_option("input", o->input, "model to read (GGUF F32/F16/BF16 or quantized)")->required();
  cmd->add_option("output", o->output, "GGUF file to write")->required();
  cmd->add_option("--type", o->type, "quantization: " + tooling::quant_recipe_names())->required();
  cmd->add_option("--keep", o->keep,
                  "TYPE:name1,name2 keeps the named tensors in TYPE (names match a whole "
                  "dotted prefix or suffix: output, token_embd, ffn_down, blk.0); repeatable");
  cmd->add_option("-t,--threads", o->threads, "threads (default: physical cores)")
      ->check(CLI::Range(size_t{0}, size_t{1024}));
  cmd->callback([o, &exit_code] { exit_code = quantize(*o); });
}

}  // namespace liftoff::cli
