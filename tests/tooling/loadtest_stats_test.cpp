// Percentiles and summaries against values numpy gives (numpy.percentile's default linear
// method, numpy.std's population deviation), and the aggregation of request records.
#include "liftoff/tooling/loadtest_stats.h"

#include <gtest/gtest.h>

#include <vector>

#include "liftoff/tooling/loadtest_summary.h"

namespace liftoff::tooling {
namespace {

TEST(Percentile, InterpolatesLinearlyBetweenRanks) {
  const std::vector<double> v = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(percentile(v, 0), 1);
  EXPECT_DOUBLE_EQ(percentile(v, 50), 2.5);   // numpy.percentile([1,2,3,4], 50)
  EXPECT_DOUBLE_EQ(percentile(v, 90), 3.7);   // rank 2.7
  EXPECT_DOUBLE_EQ(percentile(v, 99), 3.97);  // rank 2.97
  EXPECT_DOUBLE_EQ(percentile(v, 100), 4);
}

TEST(Percentile, OneValueIsEveryPercentile) {
  const std::vector<double> v = {7.5};
  for (double p : {0.0, 50.0, 90.0, 99.0, 100.0}) EXPECT_DOUBLE_EQ(percentile(v, p), 7.5);
}

TEST(Percentile, HundredValues) {
  std::vector<double> v;
  for (int i = 1; i <= 100; ++i) v.push_back(i);
  EXPECT_DOUBLE_EQ(percentile(v, 50), 50.5);
  EXPECT_DOUBLE_EQ(percentile(v, 90), 90.1);
  EXPECT_DOUBLE_EQ(percentile(v, 99), 99.01);
}

TEST(Summarize, SortsAndComputesMoments) {
  const Distribution d = summarize({4, 1, 3, 2});
  EXPECT_EQ(d.count, 4u);
  EXPECT_DOUBLE_EQ(d.mean, 2.5);
  EXPECT_DOUBLE_EQ(d.stddev, 1.118033988749895);  // numpy.std([1,2,3,4])
  EXPECT_DOUBLE_EQ(d.min, 1);
  EXPECT_DOUBLE_EQ(d.max, 4);
  EXPECT_DOUBLE_EQ(d.median, 2.5);
  EXPECT_DOUBLE_EQ(d.p90, 3.7);
  EXPECT_DOUBLE_EQ(d.p99, 3.97);
}

TEST(Summarize, EmptyIsAllZero) {
  const Distribution d = summarize({});
  EXPECT_EQ(d.count, 0u);
  EXPECT_EQ(d.mean, 0);
  EXPECT_EQ(d.p99, 0);
}

RequestRecord ok_record(double ttft_s, double e2e_s, int64_t prompt, int64_t completion) {
  RequestRecord r;
  r.ttft_s = ttft_s;
  r.e2e_s = e2e_s;
  r.prompt_tokens = prompt;
  r.completion_tokens = completion;
  r.usage_reported = true;
  return r;
}

RequestRecord failed_record(ErrorKind kind, unsigned status, std::string message) {
  RequestRecord r;
  r.error = kind;
  r.http_status = status;
  r.error_message = std::move(message);
  r.e2e_s = 1;
  return r;
}

TEST(SummarizeRecords, ThroughputLatencyAndErrors) {
  const std::vector<RequestRecord> records = {
      ok_record(0.1, 1.1, 10, 11),  // TPOT (1.1 - 0.1) / 10 = 100 ms
      ok_record(0.3, 2.3, 30, 21),  // TPOT 2.0 / 20 = 100 ms
      ok_record(0.2, 0.2, -1, 1),   // no prompt usage; one token: no TPOT sample
      failed_record(ErrorKind::kHttpStatus, 503, "busy"),
      failed_record(ErrorKind::kHttpStatus, 503, "busier"),
      failed_record(ErrorKind::kHttpStatus, 429, "slow down"),
      failed_record(ErrorKind::kTimeout, 0, "timed out"),
  };
  const LoadtestSummary s = summarize_records(records, /*duration_s=*/2.0, /*streamed=*/true);
  EXPECT_EQ(s.completed, 3);
  EXPECT_EQ(s.failed, 4);
  EXPECT_EQ(s.errors.at("http_503"), 2);
  EXPECT_EQ(s.errors.at("http_429"), 1);
  EXPECT_EQ(s.errors.at("timeout"), 1);
  EXPECT_EQ(s.error_samples.at("http_503"), "busy");  // the first one seen
  EXPECT_EQ(s.total_input_tokens, 40);
  EXPECT_EQ(s.total_output_tokens, 33);
  EXPECT_DOUBLE_EQ(s.mean_prompt_tokens, 20);  // over the two that reported it
  EXPECT_DOUBLE_EQ(s.mean_completion_tokens, 11);
  EXPECT_DOUBLE_EQ(s.request_throughput, 1.5);
  EXPECT_DOUBLE_EQ(s.output_throughput, 16.5);
  EXPECT_DOUBLE_EQ(s.input_throughput, 20);
  EXPECT_DOUBLE_EQ(s.total_token_throughput, 36.5);
  EXPECT_EQ(s.ttft_ms.count, 3u);
  EXPECT_DOUBLE_EQ(s.ttft_ms.median, 200);
  EXPECT_EQ(s.tpot_ms.count, 2u);
  EXPECT_NEAR(s.tpot_ms.mean, 100, 1e-9);
  EXPECT_DOUBLE_EQ(s.e2el_ms.max, 2300);
}

TEST(SummarizeRecords, NoTpotWithoutStreaming) {
  const std::vector<RequestRecord> records = {ok_record(1.0, 1.0, 5, 8)};
  const LoadtestSummary s = summarize_records(records, 1.0, /*streamed=*/false);
  EXPECT_EQ(s.tpot_ms.count, 0u);
  EXPECT_EQ(s.ttft_ms.count, 1u);
}

TEST(SummarizeRecords, AllFailed) {
  const std::vector<RequestRecord> records = {failed_record(ErrorKind::kConnect, 0, "refused")};
  const LoadtestSummary s = summarize_records(records, 0.5, true);
  EXPECT_EQ(s.completed, 0);
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(s.errors.at("connect"), 1);
  EXPECT_EQ(s.request_throughput, 0);
  EXPECT_EQ(s.e2el_ms.count, 0u);
}

}  // namespace
}  // namespace liftoff::tooling
