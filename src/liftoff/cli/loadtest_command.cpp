// `liftoff loadtest`: load generator for any OpenAI-compatible server; prints a table or, with
// --json, one JSON object. Exits non-zero when the run could not start or every request failed.
#include <cstdint>  // INT64_MAX
#include <cstdio>
#include <memory>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "liftoff/cli/commands.h"
#include "liftoff/cli/model_source.h"
#include "liftoff/tooling/loadtest.h"
#include "liftoff/tooling/loadtest_report.h"

namespace liftoff::cli {
namespace {

struct LoadtestCliOptions {
  tooling::LoadtestOptions run;
  bool no_ignore_eos = false;
  bool json = false;
  int64_t seed = -1;
};

int loadtest(LoadtestCliOptions& o) {
  o.run.ignore_eos = !o.no_ignore_eos;
  // A fresh seed per run by default: two runs against one server must not send the same prompts,
  // or the second would hit whatever prompt cache the first left behind.
  o.run.seed = o.seed >= 0 ? static_cast<uint64_t>(o.seed)
                           : (uint64_t{std::random_device{}()} << 32) | std::random_device{}();
  auto result = tooling::run_loadtest(o.run);
  if (!result.ok()) return report_error("loadtest", result.status());
  if (o.json) {
    const auto out = tooling::loadtest_json(o.run, *result);
    // replace: error samples quote the server, whose bytes need not be valid UTF-8.
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::fputs(tooling::loadtest_table(o.run, *result).c_str(), stdout);
  }
  if (result->summary.completed == 0) {
    return report_error(
        "loadtest",
        Status::unavailable("all " + std::to_string(result->summary.failed) + " requests failed"));
  }
  return 0;
}

}  // namespace

void add_loadtest_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<LoadtestCliOptions>();
  auto& r = o->run;
  CLI::App* cmd = app.add_subcommand(
      "loadtest", "Load-test an OpenAI-compatible server (liftoff serve, llama-server, vLLM)");
  cmd->add_option("--url", r.url, "server base URL, http://host:port/prefix (e.g. .../v1)")
      ->required();
  cmd->add_option("--model", r.model, "model name to send (default: first id of GET {url}/models)");
  cmd->add_option("--api-key", r.api_key, "sent as 'Authorization: Bearer KEY'")
      ->envname("LIFTOFF_LOADTEST_API_KEY");
  cmd->add_option("-c,--concurrency", r.concurrency, "concurrent clients (keep-alive connections)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  cmd->add_option("-n,--requests", r.requests, "measured requests in total")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100000000}));
  cmd->add_option("--warmup", r.warmup, "requests sent first and not counted")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{100000000}));
  cmd->add_option(
         "--prompt-tokens", r.prompt_tokens,
         "prompt length: words of about one token each, or exact tokens with --tokenizer-model")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{10000000}));
  cmd->add_option("--shared-prefix", r.shared_prefix,
                  "leading prompt words identical in every request (a shared system prompt)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{10000000}));
  cmd->add_option("--tokenizer-model", r.tokenizer_model,
                  "GGUF whose tokenizer makes prompts of exactly --prompt-tokens tokens "
                  "(the served model's, for exact lengths)");
  cmd->add_option("--max-tokens", r.max_tokens, "max_tokens of each request")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{10000000}));
  cmd->add_option("--temperature", r.temperature, "sampling temperature")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_flag("--stream", r.stream, "stream responses (needed for TTFT and TPOT)");
  cmd->add_flag("--chat", r.chat, "use /chat/completions with messages instead of /completions");
  cmd->add_flag("--no-ignore-eos", o->no_ignore_eos,
                "do not send ignore_eos (requests may then stop before max_tokens)");
  cmd->add_option("--timeout", r.timeout_s, "per-request timeout in seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 1e7));
  cmd->add_option("--seed", o->seed, "prompt seed (default: random per run)")
      ->check(CLI::Range(int64_t{0}, INT64_MAX));
  cmd->add_flag("--json", o->json, "print one JSON object (vLLM benchmark_serving field names)");
  cmd->callback([o, &exit_code] { exit_code = loadtest(*o); });
}

}  // namespace liftoff::cli
