// Aggregation of load-test records into the reported numbers.
#include "liftoff/tooling/loadtest_summary.h"

#include <vector>

namespace liftoff::tooling {

LoadtestSummary summarize_records(std::span<const RequestRecord> records, double duration_s,
                                  bool streamed) {
  LoadtestSummary s;
  s.duration_s = duration_s;
  std::vector<double> ttft, tpot, e2el;
  int64_t n_prompt_reported = 0;
  for (const RequestRecord& r : records) {
    if (!r.ok()) {
      ++s.failed;
      const std::string key = error_key(r);
      ++s.errors[key];
      s.error_samples.emplace(key, r.error_message);  // keeps the first
      continue;
    }
    ++s.completed;
    s.total_output_tokens += r.completion_tokens;
    if (!r.usage_reported) ++s.n_without_usage;
    if (r.prompt_tokens >= 0) {
      s.total_input_tokens += r.prompt_tokens;
      ++n_prompt_reported;
    }
    ttft.push_back(r.ttft_s * 1e3);
    e2el.push_back(r.e2e_s * 1e3);
    if (streamed && r.completion_tokens > 1) {
      tpot.push_back((r.e2e_s - r.ttft_s) * 1e3 / static_cast<double>(r.completion_tokens - 1));
    }
  }
  if (duration_s > 0) {
    s.request_throughput = static_cast<double>(s.completed) / duration_s;
    s.output_throughput = static_cast<double>(s.total_output_tokens) / duration_s;
    s.input_throughput = static_cast<double>(s.total_input_tokens) / duration_s;
    s.total_token_throughput = s.input_throughput + s.output_throughput;
  }
  if (n_prompt_reported > 0) {
    s.mean_prompt_tokens =
        static_cast<double>(s.total_input_tokens) / static_cast<double>(n_prompt_reported);
  }
  if (s.completed > 0) {
    s.mean_completion_tokens =
        static_cast<double>(s.total_output_tokens) / static_cast<double>(s.completed);
  }
  s.ttft_ms = summarize(std::move(ttft));
  s.tpot_ms = summarize(std::move(tpot));
  s.e2el_ms = summarize(std::move(e2el));
  return s;
}

}  // namespace liftoff::tooling
