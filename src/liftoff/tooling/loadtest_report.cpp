// Table and JSON output of a load test.
#include "liftoff/tooling/loadtest_report.h"

#include <cstdarg>
#include <cstdio>

#include "liftoff/tooling/loadtest_request.h"

namespace liftoff::tooling {
namespace {

void add_distribution(nlohmann::json& out, const std::string& name, const Distribution& d) {
  out["mean_" + name + "_ms"] = d.mean;
  out["median_" + name + "_ms"] = d.median;
  out["std_" + name + "_ms"] = d.stddev;
  out["p90_" + name + "_ms"] = d.p90;
  out["p99_" + name + "_ms"] = d.p99;
  out["min_" + name + "_ms"] = d.min;
  out["max_" + name + "_ms"] = d.max;
  out[name + "_samples"] = d.count;
}

// printf into a std::string.
__attribute__((format(printf, 2, 3))) void appendf(std::string& out, const char* fmt, ...) {
  char buf[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  out += buf;
}

void distribution_row(std::string& out, const char* name, const Distribution& d) {
  if (d.count == 0) {
    appendf(out, "%-6s %10s %10s %10s %10s %10s\n", name, "n/a", "n/a", "n/a", "n/a", "n/a");
    return;
  }
  appendf(out, "%-6s %10.2f %10.2f %10.2f %10.2f %10.2f\n", name, d.mean, d.median, d.p90, d.p99,
          d.max);
}

}  // namespace

nlohmann::json loadtest_json(const LoadtestOptions& o, const LoadtestResult& r) {
  const LoadtestSummary& s = r.summary;
  nlohmann::json out = {
      {"url", r.url},
      {"endpoint", std::string(endpoint_suffix(o.chat))},
      {"model", r.model},
      {"max_concurrency", o.concurrency},
      {"num_prompts", o.requests},
      {"warmup", o.warmup},
      {"prompt_len", o.prompt_tokens},
      {"shared_prefix_len", o.shared_prefix},
      {"prompt_unit", o.tokenizer_model.empty() ? "words" : "tokens"},
      {"max_tokens", o.max_tokens},
      {"temperature", o.temperature},
      {"stream", o.stream},
      {"ignore_eos", o.ignore_eos},
      {"seed", o.seed},
      {"duration", s.duration_s},
      {"completed", s.completed},
      {"failed", s.failed},
      {"errors", s.errors},
      {"error_samples", s.error_samples},
      {"total_input_tokens", s.total_input_tokens},
      {"total_output_tokens", s.total_output_tokens},
      {"mean_prompt_tokens", s.mean_prompt_tokens},
      {"mean_completion_tokens", s.mean_completion_tokens},
      {"requests_without_usage", s.n_without_usage},
      {"request_throughput", s.request_throughput},
      {"output_throughput", s.output_throughput},
      {"input_throughput", s.input_throughput},
      {"total_token_throughput", s.total_token_throughput},
      {"connections", r.n_connections},
  };
  add_distribution(out, "ttft", s.ttft_ms);
  add_distribution(out, "tpot", s.tpot_ms);
  add_distribution(out, "e2el", s.e2el_ms);
  return out;
}

std::string loadtest_table(const LoadtestOptions& o, const LoadtestResult& r) {
  const LoadtestSummary& s = r.summary;
  std::string out;
  appendf(out, "liftoff loadtest: %s%s, model %s\n", r.url.c_str(),
          std::string(endpoint_suffix(o.chat)).c_str(), r.model.c_str());
  appendf(out,
          "concurrency %lld, %lld requests (+%lld warm-up), %lld prompt %s (%lld shared), "
          "max_tokens %lld, %s\n",
          static_cast<long long>(o.concurrency), static_cast<long long>(o.requests),
          static_cast<long long>(o.warmup), static_cast<long long>(o.prompt_tokens),
          o.tokenizer_model.empty() ? "words" : "tokens", static_cast<long long>(o.shared_prefix),
          static_cast<long long>(o.max_tokens),
          o.stream ? "streamed" : "not streamed (TTFT = E2E)");
  appendf(out, "%-34s %lld / %lld\n", "completed / failed requests",
          static_cast<long long>(s.completed), static_cast<long long>(s.failed));
  appendf(out, "%-34s %.3f\n", "duration (s)", s.duration_s);
  appendf(out, "%-34s %.3f\n", "request throughput (req/s)", s.request_throughput);
  appendf(out, "%-34s %.2f\n", "output throughput (tok/s)", s.output_throughput);
  appendf(out, "%-34s %.2f\n", "prompt throughput (tok/s)", s.input_throughput);
  appendf(out, "%-34s %.1f\n", "mean prompt tokens (server usage)", s.mean_prompt_tokens);
  appendf(out, "%-34s %.1f\n", "mean output tokens", s.mean_completion_tokens);
  if (s.n_without_usage > 0) {
    appendf(out, "%-34s %lld\n", "responses without usage",
            static_cast<long long>(s.n_without_usage));
  }
  appendf(out, "%-34s %lld\n", "TCP connections opened", static_cast<long long>(r.n_connections));
  appendf(out, "\n%-6s %10s %10s %10s %10s %10s\n", "ms", "mean", "median", "p90", "p99", "max");
  distribution_row(out, "TTFT", s.ttft_ms);
  distribution_row(out, "TPOT", s.tpot_ms);
  distribution_row(out, "E2E", s.e2el_ms);
  if (!s.errors.empty()) {
    appendf(out, "\nerrors:\n");
    for (const auto& [key, count] : s.errors) {
      auto sample = s.error_samples.find(key);
      appendf(out, "  %-14s %8lld  %s\n", key.c_str(), static_cast<long long>(count),
              sample == s.error_samples.end() ? "" : sample->second.c_str());
    }
  }
  return out;
}

}  // namespace liftoff::tooling
