// The numbers a load test reports, aggregated from its per-request records: throughput, latency
// distributions and error counts. Pure arithmetic; printing is loadtest_report.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "liftoff/tooling/loadtest_record.h"
#include "liftoff/tooling/loadtest_stats.h"

namespace liftoff::tooling {

struct LoadtestSummary {
  int64_t completed = 0;
  int64_t failed = 0;
  std::map<std::string, int64_t> errors;             // error_key -> count, e.g. "http_503" -> 4
  std::map<std::string, std::string> error_samples;  // error_key -> the first message seen
  double duration_s = 0;
  int64_t total_input_tokens = 0;   // sum of usage.prompt_tokens over completed requests
  int64_t total_output_tokens = 0;  // sum of completion tokens over completed requests
  int64_t n_without_usage = 0;      // completed requests whose server reported no usage
  double request_throughput = 0;    // completed requests / s
  double output_throughput = 0;     // output tokens / s
  double input_throughput = 0;      // prompt tokens / s
  double total_token_throughput = 0;
  double mean_prompt_tokens = 0;      // over completed requests that reported prompt_tokens
  double mean_completion_tokens = 0;  // over completed requests
  Distribution ttft_ms;  // streamed: to the first content chunk; otherwise equal to e2el_ms
  Distribution tpot_ms;  // streamed requests with >= 2 output tokens: (e2e - ttft) / (tokens - 1)
  Distribution e2el_ms;
};

// Failed requests count only in failed/errors; every latency and token figure is over completed
// ones. TPOT needs per-token arrival, so it stays empty unless `streamed`.
LoadtestSummary summarize_records(std::span<const RequestRecord> records, double duration_s,
                                  bool streamed);

}  // namespace liftoff::tooling
