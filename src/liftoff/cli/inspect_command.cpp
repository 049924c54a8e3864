// `liftoff inspect MODEL`: flags and the human-readable layout; the facts come from
// tooling/inspect.cpp (which also makes the --json object).
#include <cstdio>
#include <memory>
#include <string>

#include "liftoff/cli/commands.h"
#include "liftoff/cli/model_source.h"  // report_error
#include "liftoff/tooling/inspect.h"

namespace liftoff::cli {
namespace {

struct InspectCliOptions {
  std::string model;
  tooling::InspectOptions inspect;
  bool json = false;
};

std::string mib(uint64_t bytes) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%.2f MiB", bytes / 1048576.0);
  return buf;
}

void print_text(const tooling::InspectReport& r) {
  std::printf("file:            %s (%s, GGUF v%u)\n", r.path.string().c_str(),
              mib(r.file_bytes).c_str(), r.gguf_version);
  std::printf("architecture:    %s%s%s\n", r.architecture.c_str(),
              r.name.empty() ? "" : ", name: ", r.name.c_str());
  if (r.file_type) {
    std::printf("file type:       %lld (%s)\n", static_cast<long long>(*r.file_type),
                r.file_type_name.empty() ? "unknown" : r.file_type_name.c_str());
  }
  std::printf("parameters:      %llu (%.3f M) in %llu tensors\n",
              static_cast<unsigned long long>(r.n_params), r.n_params / 1e6,
              static_cast<unsigned long long>(r.n_tensors));
  std::printf("tensor types:\n");
  for (const auto& [name, u] : r.types) {
    std::printf("  %-6s %5llu tensors %14llu params %12s\n", name.c_str(),
                static_cast<unsigned long long>(u.n_tensors),
                static_cast<unsigned long long>(u.n_elements), mib(u.n_bytes).c_str());
  }
  if (!r.hparams_error.empty()) {
    std::printf("hyper-parameters: not readable by liftoff (%s); no memory plan\n",
                r.hparams_error.c_str());
  } else {
    std::printf("context (train): %lld\n", static_cast<long long>(r.n_ctx_train));
    std::printf(
        "shape:           n_embd %lld, n_ff %lld, n_layer %lld, n_head %lld, n_head_kv %lld, "
        "head_dim %lld\n",
        static_cast<long long>(r.n_embd), static_cast<long long>(r.n_ff),
        static_cast<long long>(r.n_layer), static_cast<long long>(r.n_head),
        static_cast<long long>(r.n_head_kv), static_cast<long long>(r.head_dim));
    std::printf("rope:            %s, %lld dims, freq_base %g, freq_scale %g\n",
                r.rope_mode.c_str(), static_cast<long long>(r.n_rot), r.rope_freq_base,
                r.rope_freq_scale);
  }
  std::printf("vocab:           %lld tokens, tokenizer model '%s', pre '%s'\n",
              static_cast<long long>(r.n_vocab), r.tokenizer_model.c_str(),
              r.tokenizer_pre.c_str());
  for (const tooling::SpecialToken& s : r.special_tokens) {
    std::printf("  %-9s %7lld  '%s'\n", s.role.c_str(), static_cast<long long>(s.id),
                s.text.c_str());
  }
  if (r.has_chat_template) {
    std::printf("chat template:   yes (%zu bytes), first line: %s\n", r.chat_template_bytes,
                r.chat_template_first_line.c_str());
  } else {
    std::printf("chat template:   none in the file (serve picks a built-in one)\n");
  }
  if (r.memory) {
    const tooling::MemoryPlan& m = *r.memory;
    std::printf("memory plan:     ctx %lld x parallel %lld\n", static_cast<long long>(m.n_ctx),
                static_cast<long long>(m.n_parallel));
    std::printf("  weights        %12s  (memory-mapped tensor data)\n",
                mib(m.weights_bytes).c_str());
    std::printf("  KV cache       %12s  (F16 K and V, %lld blocks of %lld tokens)\n",
                mib(m.kv_bytes).c_str(), static_cast<long long>(m.kv_blocks),
                static_cast<long long>(m.kv_block_size));
    std::printf(
        "  scratch        %12s  (estimate: activations of a %lld-token batch, logits, "
        "attention scores)\n",
        mib(m.scratch_bytes).c_str(), static_cast<long long>(m.scratch_batch_tokens));
    std::printf("  RAM needed     %12s  (plus the process, libraries and tokenizer tables)\n",
                mib(m.total_bytes()).c_str());
    std::printf("  GPU            none: liftoff runs on the CPU\n");
  }
}

int inspect(const InspectCliOptions& o) {
  Result<tooling::InspectReport> report = tooling::inspect_model(o.model, o.inspect);
  if (!report.ok()) return report_error("inspect", report.status());
  if (o.json) {
    std::printf("%s\n", tooling::inspect_json(*report).dump(2).c_str());
  } else {
    print_text(*report);
  }
  return 0;
}

}  // namespace

void add_inspect_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<InspectCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "inspect", "Describe a model file and the memory it needs (reads no weights)");
  cmd->add_option("model", o->model, "GGUF file or llama2.c checkpoint")->required();
  cmd->add_option("--ctx", o->inspect.n_ctx,
                  "tokens per sequence for the memory plan (default: the trained context)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 24));
  cmd->add_option("--parallel", o->inspect.n_parallel, "sequences served at once")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 16));
  cmd->add_option("-t,--threads", o->inspect.n_threads,
                  "compute threads for the scratch estimate (default: physical cores)")
      ->check(CLI::Range(int64_t{0}, int64_t{1024}));
  cmd->add_flag("--json", o->json, "print one JSON object");
  cmd->callback([o, &exit_code] { exit_code = inspect(*o); });
}

}  // namespace liftoff::cli
