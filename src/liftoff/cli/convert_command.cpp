// `liftoff convert`: a llama2.c checkpoint, a Hugging Face folder or a safetensors / torch.save
// weights file -> GGUF. The work is tooling/convert.cpp; this file parses flags and prints.
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "liftoff/cli/commands.h"
#include "liftoff/cli/model_source.h"  // report_error
#include "liftoff/kernels/dtype.h"
#include "liftoff/tooling/convert.h"

namespace liftoff::cli {
namespace {

struct ConvertCliOptions {
  std::string input;
  std::string output;
  std::string type = "f32";
  std::string config;
  std::string tokenizer;
};

int convert(const ConvertCliOptions& o) {
  const std::optional<kernels::DType> dtype = kernels::dtype_from_name(o.type);
  if (!dtype || (*dtype != kernels::DType::kF32 && *dtype != kernels::DType::kF16 &&
                 *dtype != kernels::DType::kBF16 && *dtype != kernels::DType::kQ8_0)) {
    return report_error("convert", Status::invalid_argument("unknown --type '" + o.type +
                                                            "' (one of f32, f16, bf16, q8_0)"));
  }
  tooling::ConvertOptions options;
  options.input = o.input;
  options.output = o.output;
  options.config = o.config;
  options.tokenizer = o.tokenizer;
  options.dtype = *dtype;
  const auto start = std::chrono::steady_clock::now();
  Result<tooling::ConvertReport> report = tooling::convert_model(options);
  if (!report.ok()) return report_error("convert", report.status());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  for (const std::string& note : report->notes) {
    std::fprintf(stderr, "liftoff convert: %s\n", note.c_str());
  }
  // One line per row length, not one per layer.
  std::map<uint64_t, size_t> fallback_rows;
  for (const tooling::ConvertFallback& f : report->fallbacks) ++fallback_rows[f.row_length];
  for (const auto& [row_length, count] : fallback_rows) {
    std::fprintf(stderr,
                 "liftoff convert: %zu tensor(s) stored as F16, not %s: rows of %llu do not fill "
                 "whole %zu-element blocks\n",
                 count, std::string(kernels::dtype_info(*dtype).name).c_str(),
                 static_cast<unsigned long long>(row_length),
                 kernels::dtype_info(*dtype).block_elems);
  }
  std::printf("wrote %s: %s from %s, %s, %llu tensors, %.2f M params, %.2f MiB, %.1f s\n",
              o.output.c_str(), report->arch.c_str(), report->source.c_str(),
              std::string(kernels::dtype_info(*dtype).name).c_str(),
              static_cast<unsigned long long>(report->n_tensors), report->n_params / 1e6,
              report->n_tensor_bytes / 1048576.0, seconds);
  return 0;
}

}  // namespace

void add_convert_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ConvertCliOptions>();
  CLI::App* cmd =
      app.add_subcommand("convert",
                         "Convert a llama2.c checkpoint or a Hugging Face model (safetensors or "
                         "torch.save) to GGUF");
  cmd->add_option("input", o->input,
                  "llama2.c checkpoint .bin, Hugging Face model folder, .safetensors file, or "
                  "torch.save file (.pt/.pth/.bin)")
      ->required();
  cmd->add_option("-o,--output", o->output, "GGUF file to write")->required();
  cmd->add_option("--type", o->type,
                  "type of 2-D weights: f32, f16, bf16, q8_0 (norms and "
                  "biases stay f32)")
      ->capture_default_str();
  cmd->add_option("--config", o->config,
                  "Hugging Face config.json (default: config.json beside the weights)");
  cmd->add_option("--tokenizer", o->tokenizer,
                  "tokenizer.json for Hugging Face weights, or the llama2.c tokenizer .bin "
                  "(default: beside the input)");
  cmd->footer(
      "A Hugging Face folder holds config.json, tokenizer.json (+ tokenizer_config.json) and "
      "model.safetensors, sharded *.safetensors with model.safetensors.index.json, or a "
      "torch.save pytorch_model.bin / *.pt. Supported: LlamaForCausalLM, Qwen2ForCausalLM.");
  cmd->callback([o, &exit_code] { exit_code = convert(*o); });
}

}  // namespace liftoff::cli
