// The whole client (HTTP, SSE, records, summary) against the in-process fake server on
// 127.0.0.1: streamed and non-streamed runs, keep-alive reuse, every error class, warm-up, model
// discovery and the JSON report. Counts and orderings only; no timing thresholds.
#include "liftoff/tooling/loadtest_runner.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

#include "liftoff/tooling/loadtest.h"
#include "liftoff/tooling/loadtest_report.h"
#include "liftoff/tooling/loadtest_request.h"
#include "loadtest_fake_server.h"

namespace liftoff::tooling {
namespace {

using testing::FakeOpenAiServer;
using testing::FakeReply;

std::vector<std::string> make_bodies(size_t n, const RequestShape& shape, int64_t words = 8) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back(build_request_body(shape, make_word_prompt({words, 0, 1}, i)));
  return out;
}

std::unique_ptr<LoadRunner> make_runner(const FakeOpenAiServer& server, RunnerConfig config) {
  auto url = parse_server_url(server.url());
  EXPECT_TRUE(url.ok());
  auto runner = LoadRunner::create(*url, std::move(config));
  EXPECT_TRUE(runner.ok()) << runner.status().to_string();
  return std::move(runner).value();
}

TEST(LoadRunner, StreamedRequestsOverKeepAliveConnections) {
  FakeOpenAiServer server;
  RequestShape shape{"fake-model", /*max_tokens=*/6, 0, /*stream=*/true, false, true};
  auto runner = make_runner(server, {"", /*stream=*/true, false, /*concurrency=*/3});
  const RunResult run = runner->run("/completions", make_bodies(20, shape));
  ASSERT_EQ(run.records.size(), 20u);
  for (const RequestRecord& r : run.records) {
    EXPECT_TRUE(r.ok()) << error_key(r) << ": " << r.error_message;
    EXPECT_EQ(r.http_status, 200u);
    EXPECT_EQ(r.completion_tokens, 6);
    EXPECT_TRUE(r.usage_reported);
    EXPECT_EQ(r.prompt_tokens, 8);
    EXPECT_GT(r.ttft_s, 0);
    EXPECT_LT(r.ttft_s, r.e2e_s);
    EXPECT_LE(r.e2e_s, run.duration_s);
  }
  EXPECT_EQ(server.n_connections(), 3);  // keep-alive held: one connection per client
  EXPECT_EQ(runner->n_connects(), 3);
  EXPECT_EQ(server.bodies().size(), 20u);
}

TEST(LoadRunner, NonStreamedTtftIsEndToEnd) {
  FakeOpenAiServer server;
  RequestShape shape{"fake-model", 4, 0, /*stream=*/false, false, true};
  auto runner = make_runner(server, {"", false, false, 2});
  const RunResult run = runner->run("/completions", make_bodies(5, shape, 12));
  for (const RequestRecord& r : run.records) {
    ASSERT_TRUE(r.ok()) << r.error_message;
    EXPECT_EQ(r.ttft_s, r.e2e_s);
    EXPECT_EQ(r.completion_tokens, 4);
    EXPECT_EQ(r.prompt_tokens, 12);
  }
}

TEST(LoadRunner, ChatStreamSkipsTheRoleChunk) {
  FakeOpenAiServer server;
  RequestShape shape{"fake-model", 3, 0, true, /*chat=*/true, true};
  auto runner = make_runner(server, {"", true, /*chat=*/true, 2});
  const RunResult run = runner->run("/chat/completions", make_bodies(4, shape));
  for (const RequestRecord& r : run.records) {
    ASSERT_TRUE(r.ok()) << r.error_message;
    EXPECT_EQ(r.completion_tokens, 3);
    EXPECT_LT(r.ttft_s, r.e2e_s);
  }
}

TEST(LoadRunner, TokensCountedFromChunksWhenUsageIsMissing) {
  FakeOpenAiServer server([](int64_t) { return FakeReply::kNoUsage; });
  RequestShape shape{"fake-model", 5, 0, true, false, true};
  auto runner = make_runner(server, {"", true, false, 1});
  const RunResult run = runner->run("/completions", make_bodies(2, shape));
  for (const RequestRecord& r : run.records) {
    ASSERT_TRUE(r.ok()) << r.error_message;
    EXPECT_FALSE(r.usage_reported);
    EXPECT_EQ(r.completion_tokens, 5);
    EXPECT_EQ(r.prompt_tokens, -1);
  }
}

// Error classes by request number on the server; the counts do not depend on which client sent
// which request, so they are exact.
FakeReply mixed_policy(int64_t n) {
  if (n % 5 == 1) return FakeReply::kStatus503;
  if (n % 7 == 3) return FakeReply::kDropMidStream;
  if (n == 4) return FakeReply::kGarbage;
  if (n == 8) return FakeReply::kErrorEvent;
  return FakeReply::kOk;
}

TEST(LoadRunner, FailuresAreClassifiedAndDoNotStopTheRun) {
  for (bool stream : {true, false}) {
    SCOPED_TRACE(stream ? "streamed" : "not streamed");
    FakeOpenAiServer server(mixed_policy);
    RequestShape shape{"fake-model", 4, 0, stream, false, true};
    auto runner = make_runner(server, {"", stream, false, 4});
    const RunResult run = runner->run("/completions", make_bodies(30, shape));
    const LoadtestSummary s = summarize_records(run.records, run.duration_s, stream);
    // Of 0..29: 503 at 1,6,11,16,21,26; dropped at 3,10,17,24 (not 31); garbage 4; error 8.
    EXPECT_EQ(s.errors.at("http_503"), 6);
    EXPECT_EQ(s.errors.at("disconnected"), 4);
    EXPECT_EQ(s.errors.at("malformed"), 1);
    EXPECT_EQ(s.errors.at("server_error"), 1);
    EXPECT_EQ(s.errors.size(), 4u);
    EXPECT_EQ(s.failed, 12);
    EXPECT_EQ(s.completed, 18);
    EXPECT_EQ(s.total_output_tokens, 18 * 4);
    EXPECT_EQ(s.error_samples.at("http_503"), "server busy");
    EXPECT_EQ(s.error_samples.at("server_error"), "boom");
    EXPECT_EQ(server.bodies().size(), 30u);
    for (const RequestRecord& r : run.records) {
      if (r.error == ErrorKind::kHttpStatus) {
        EXPECT_EQ(r.http_status, 503u);
      }
      if (r.ok()) {
        EXPECT_LE(r.ttft_s, r.e2e_s);
      }
    }
  }
}

TEST(LoadRunner, ServerClosingIdleConnectionsIsNotAnError) {
  // The server closes each connection after replying, while it told the client keep-alive; the
  // client's next request on that connection must be retried on a new one, not counted as failed.
  FakeOpenAiServer server([](int64_t) { return FakeReply::kCloseAfterReply; });
  RequestShape shape{"fake-model", 2, 0, true, false, true};
  auto runner = make_runner(server, {"", true, false, 2});
  const RunResult run = runner->run("/completions", make_bodies(10, shape));
  for (const RequestRecord& r : run.records)
    EXPECT_TRUE(r.ok()) << error_key(r) << " " << r.error_message;
  EXPECT_EQ(server.bodies().size(), 10u);
}

TEST(LoadRunner, TimeoutThenTheClientGoesOn) {
  FakeOpenAiServer server([](int64_t n) { return n == 0 ? FakeReply::kHang : FakeReply::kOk; });
  RequestShape shape{"fake-model", 2, 0, true, false, true};
  RunnerConfig config{"", true, false, 1};
  // 1 s: far above what an answered request takes here even on a loaded 2-core box, so only the
  // hanging one times out.
  config.timeout = std::chrono::duration<double>(1.0);
  auto runner = make_runner(server, config);
  const RunResult run = runner->run("/completions", make_bodies(3, shape));
  EXPECT_EQ(run.records[0].error, ErrorKind::kTimeout);
  EXPECT_TRUE(run.records[1].ok()) << run.records[1].error_message;
  EXPECT_TRUE(run.records[2].ok()) << run.records[2].error_message;
  EXPECT_EQ(server.n_connections(), 2);  // the timed-out connection is not reused
}

TEST(LoadRunner, ConnectionRefused) {
  uint16_t port = 0;
  {  // A port that was just free; nothing listens on it any more.
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  auto url = parse_server_url("http://127.0.0.1:" + std::to_string(port) + "/v1");
  ASSERT_TRUE(url.ok());
  auto runner = LoadRunner::create(*url, {"", true, false, 2});
  ASSERT_TRUE(runner.ok());
  RequestShape shape{"m", 2, 0, true, false, true};
  const RunResult run = (*runner)->run("/completions", make_bodies(5, shape));
  for (const RequestRecord& r : run.records) EXPECT_EQ(r.error, ErrorKind::kConnect);
  const auto model = (*runner)->fetch_first_model_id();
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("/v1/models"), std::string::npos);
}

TEST(LoadRunner, ModelDiscoveryAndAuthorization) {
  FakeOpenAiServer server;
  RunnerConfig config{"secret-key", false, false, 1};
  auto runner = make_runner(server, config);
  auto model = runner->fetch_first_model_id();
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  EXPECT_EQ(*model, "fake-model");
  RequestShape shape{*model, 2, 0, false, false, true};
  runner->run("/completions", make_bodies(1, shape));
  ASSERT_EQ(server.authorizations().size(), 1u);
  EXPECT_EQ(server.authorizations()[0], "Bearer secret-key");
}

TEST(RunLoadtest, EndToEndWithWarmupAndSharedPrefix) {
  FakeOpenAiServer server;
  LoadtestOptions o;
  o.url = server.url();
  o.concurrency = 4;
  o.requests = 12;
  o.warmup = 3;
  o.prompt_tokens = 20;
  o.shared_prefix = 8;
  o.max_tokens = 5;
  o.stream = true;
  o.seed = 42;
  auto result = run_loadtest(o);
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  EXPECT_EQ(result->model, "fake-model");
  const LoadtestSummary& s = result->summary;
  EXPECT_EQ(s.completed, 12);
  EXPECT_EQ(s.failed, 0);
  EXPECT_EQ(s.total_output_tokens, 60);
  EXPECT_DOUBLE_EQ(s.mean_prompt_tokens, 20);
  EXPECT_EQ(s.ttft_ms.count, 12u);
  EXPECT_EQ(s.tpot_ms.count, 12u);
  EXPECT_LT(s.ttft_ms.median, s.e2el_ms.median);
  EXPECT_EQ(result->n_connections, 4);  // warm-up connections are reused for the measurement

  const auto bodies = server.bodies();
  ASSERT_EQ(bodies.size(), 15u);
  std::set<std::string> prompts, prefixes;
  for (const auto& b : bodies) {
    EXPECT_EQ(b["model"], "fake-model");
    EXPECT_EQ(b["stream"], true);
    EXPECT_EQ(b["stream_options"]["include_usage"], true);
    EXPECT_EQ(b["ignore_eos"], true);
    EXPECT_EQ(b["max_tokens"], 5);
    const std::string prompt = b["prompt"];
    prompts.insert(prompt);
    size_t pos = 0;
    for (int i = 0; i < 8; ++i) pos = prompt.find(' ', pos + 1);
    prefixes.insert(prompt.substr(0, pos));
  }
  EXPECT_EQ(prompts.size(), 15u);  // no two requests alike
  EXPECT_EQ(prefixes.size(), 1u);  // but all share the first 8 words

  const auto json = loadtest_json(o, *result);
  EXPECT_EQ(json["completed"], 12);
  EXPECT_EQ(json["failed"], 0);
  EXPECT_EQ(json["num_prompts"], 12);
  EXPECT_EQ(json["max_concurrency"], 4);
  EXPECT_EQ(json["total_output_tokens"], 60);
  for (const char* key : {"request_throughput", "output_throughput", "mean_ttft_ms",
                          "median_ttft_ms", "p90_ttft_ms", "p99_ttft_ms", "mean_tpot_ms",
                          "p99_tpot_ms", "median_e2el_ms", "p99_e2el_ms", "duration"}) {
    EXPECT_TRUE(json.contains(key)) << key;
    EXPECT_GT(json[key].get<double>(), 0) << key;
  }
  const std::string table = loadtest_table(o, *result);
  EXPECT_NE(table.find("TTFT"), std::string::npos);
  EXPECT_NE(table.find("12 / 0"), std::string::npos);
}

TEST(RunLoadtest, ChatNonStreamedWithErrorsReported) {
  FakeOpenAiServer server([](int64_t n) { return n % 2 ? FakeReply::kStatus503 : FakeReply::kOk; });
  LoadtestOptions o;
  o.url = server.url() + "/";
  o.model = "explicit";
  o.chat = true;
  o.requests = 6;
  o.concurrency = 2;
  o.prompt_tokens = 10;
  o.shared_prefix = 4;
  o.ignore_eos = false;
  auto result = run_loadtest(o);
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  EXPECT_EQ(result->summary.completed, 3);
  EXPECT_EQ(result->summary.errors.at("http_503"), 3);
  EXPECT_EQ(result->summary.tpot_ms.count, 0u);
  for (const auto& b : server.bodies()) {
    EXPECT_EQ(b["model"], "explicit");
    EXPECT_FALSE(b.contains("ignore_eos"));
    EXPECT_EQ(b["messages"][0]["role"], "system");
  }
  const auto json = loadtest_json(o, *result);
  EXPECT_EQ(json["errors"]["http_503"], 3);
  EXPECT_EQ(json["error_samples"]["http_503"], "server busy");
  EXPECT_NE(loadtest_table(o, *result).find("http_503"), std::string::npos);
}

TEST(RunLoadtest, InvalidOptionsAndUrls) {
  LoadtestOptions o;
  o.url = "https://example.com/v1";
  auto r = run_loadtest(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("https is not supported"), std::string::npos);

  o.url = "http://127.0.0.1:1/v1";
  o.shared_prefix = 200;
  r = run_loadtest(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--shared-prefix"), std::string::npos);

  o.shared_prefix = 0;
  o.concurrency = 0;
  r = run_loadtest(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--concurrency"), std::string::npos);
}

}  // namespace
}  // namespace liftoff::tooling
