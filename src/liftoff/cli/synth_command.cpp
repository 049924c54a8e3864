// `liftoff synth`: write a GGUF with a real model's shape and vocabulary but random weights, for
// benchmarking liftoff and llama.cpp on the same file. The work is tooling/synth.cpp; this file
// parses flags and finds the vocab file in the shared models folder.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "liftoff/base/thread_pool.h"
#include "liftoff/cli/commands.h"
#include "liftoff/cli/model_source.h"  // report_error
#include "liftoff/kernels/dtype.h"
#include "liftoff/tooling/synth.h"

namespace liftoff::cli {
namespace {

constexpr const char* kTypeNames = "F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K";

struct SynthCliOptions {
  std::string preset;
  std::string type;
  uint64_t seed = 42;
  std::string vocab;
  std::string output;
  size_t threads = 0;
};

std::filesystem::path models_dir() {
  const char* env = std::getenv("LIFTOFF_MODELS_DIR");
  return env != nullptr && *env != '\0' ? env : "../shared/models";
}

std::string visible_presets() {
  std::string out;
  for (const tooling::SynthPreset& p : tooling::synth_presets()) {
    if (p.hidden) continue;
    out += "\n  " + std::string(p.name) + " (" + std::string(p.model_name) + ")";
  }
  return out;
}

// One line per (type used, row length), naming the tensor kinds once instead of once per layer:
// SmolLM-135M in Q4_K has 181 fallback tensors, all for the same reason.
void print_fallbacks(const std::vector<tooling::SynthFallback>& fallbacks) {
  struct Group {
    size_t count = 0;
    std::set<std::string> kinds;
  };
  std::map<std::tuple<std::string, std::string, uint64_t>, Group> groups;
  for (const tooling::SynthFallback& f : fallbacks) {
    std::string kind = f.tensor;
    if (kind.rfind("blk.", 0) == 0) kind = kind.substr(kind.find('.', 4) + 1);
    if (kind.size() > 7 && kind.compare(kind.size() - 7, 7, ".weight") == 0) {
      kind.resize(kind.size() - 7);
    }
    Group& g = groups[{std::string(kernels::dtype_info(f.requested).name),
                       std::string(kernels::dtype_info(f.used).name), f.row_length}];
    ++g.count;
    g.kinds.insert(kind);
  }
  for (const auto& [key, g] : groups) {
    const auto& [requested, used, row_length] = key;
    std::string kinds;
    for (const std::string& k : g.kinds) kinds += (kinds.empty() ? "" : ", ") + k;
    std::fprintf(stderr,
                 "liftoff synth: %zu tensor(s) stored as %s, not %s, as llama-quantize does: "
                 "%s blocks do not divide their rows of %llu (%s)\n",
                 g.count, used.c_str(), requested.c_str(), requested.c_str(),
                 static_cast<unsigned long long>(row_length), kinds.c_str());
  }
}

int synth(const SynthCliOptions& o) {
  std::optional<kernels::DType> dtype = kernels::dtype_from_name(o.type);
  if (!dtype || *dtype == kernels::DType::kQ8_K) {
    return report_error("synth", Status::invalid_argument("unknown --type '" + o.type +
                                                          "' (one of " + kTypeNames + ")"));
  }
  Result<tooling::SynthPreset> preset = tooling::find_synth_preset(o.preset);
  if (!preset.ok()) return report_error("synth", preset.status());

  tooling::SynthOptions options;
  options.preset = o.preset;
  options.dtype = *dtype;
  options.seed = o.seed;
  options.output_path = o.output;
  options.vocab_path =
      o.vocab.empty() ? models_dir() / preset->default_vocab : std::filesystem::path(o.vocab);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(options.vocab_path, ec)) {
    return report_error(
        "synth",
        Status::not_found("vocab file " + options.vocab_path.string() +
                          " not found (pass --vocab FILE.gguf or set LIFTOFF_MODELS_DIR)"));
  }

  base::ThreadPool pool(o.threads);
  const auto start = std::chrono::steady_clock::now();
  Result<tooling::SynthReport> report = tooling::synthesize_model(options, pool);
  if (!report.ok()) return report_error("synth", report.status());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  for (const std::string& note : report->vocab_notes) {
    std::fprintf(stderr, "liftoff synth: vocab: %s\n", note.c_str());
  }
  print_fallbacks(report->fallbacks);
  std::printf(
      "wrote %s: %s shape, %s, %.1f M params, %.2f MiB, seed %llu, %zu fallback "
      "tensor(s), %.1f s on %zu threads\n",
      options.output_path.string().c_str(), std::string(report->preset.model_name).c_str(),
      std::string(kernels::dtype_info(*dtype).name).c_str(), report->n_params / 1e6,
      report->n_tensor_bytes / 1048576.0, static_cast<unsigned long long>(o.seed),
      report->fallbacks.size(), seconds, pool.n_threads());
  return 0;
}

}  // namespace

void add_synth_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<SynthCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "synth", "Write a GGUF with a real model's shape and vocabulary and random weights");
  cmd->footer("Presets:" + visible_presets() +
              "\nMatrices whose rows do not fit a K type's 256-block fall back as llama-quantize "
              "does (Q4_K->Q5_0, Q5_K->Q5_1, Q6_K->Q8_0); each fallback is reported.");
  cmd->add_option("--preset", o->preset, "model shape to copy (see the list below)")->required();
  cmd->add_option("--type", o->type, std::string("weight type: ") + kTypeNames)->required();
  cmd->add_option("--seed", o->seed, "random seed; the same seed gives the same file")
      ->capture_default_str();
  cmd->add_option(
      "--vocab", o->vocab,
      "GGUF (or tokenizer.json) to take the tokenizer from (default: the preset's vocab in "
      "$LIFTOFF_MODELS_DIR or ../shared/models)");
  cmd->add_option("-o,--output", o->output, "GGUF file to write")->required();
  cmd->add_option("-t,--threads", o->threads, "threads (default: physical cores)")
      ->check(CLI::Range(size_t{0}, size_t{1024}));
  cmd->callback([o, &exit_code] { exit_code = synth(*o); });
}

}  // namespace liftoff::cli
