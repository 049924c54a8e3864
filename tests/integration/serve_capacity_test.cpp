// One running sequence (--parallel 1) and one queue slot (--max-queue 1): a client that hangs up
// mid-stream or while waiting for a non-streamed answer frees the slot; a full queue answers 503
// with Retry-After. Long requests run until the 4096-token context is full, so they are still
// running when the test acts on them.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "serve_fixture.h"

namespace liftoff::testing {
namespace {

using nlohmann::json;

struct CapacityArgs {
  static std::vector<std::string> args() {
    return {"--parallel", "1", "--max-queue", "1", "--ctx", "4096"};
  }
};
using ServeCapacity = ServeSuite<CapacityArgs>;

const json kLongRequest = {{"prompt", "Once upon a time"}, {"ignore_eos", true}, {"seed", 1}};

json stats(uint16_t port) { return HttpClient(port).get("/stats").json(); }

// Polls /stats until `running` equals `want` (the engine publishes stats once per step).
bool wait_running(uint16_t port, int want) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (stats(port)["running"] == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

// Starts a streamed long request and reads until its first content chunk arrived.
void start_long_stream(HttpClient& c, const std::string& request_id) {
  json body = kLongRequest;
  body["stream"] = true;
  auto head = c.start_stream("/v1/completions", body, {{"x-request-id", request_id}});
  ASSERT_EQ(head.status, 200u) << head.body;
  while (c.stream_body().find("\"text\"") == std::string::npos) ASSERT_TRUE(c.read_more());
}

void expect_quick_request_succeeds(uint16_t port) {
  HttpClient c(port);
  auto r = c.post("/v1/completions",
                  {{"prompt", "Once upon a time"}, {"max_tokens", 8}, {"temperature", 0}});
  EXPECT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json()["choices"][0]["text"], ", there was a little girl");
}

TEST_F(ServeCapacity, AbortedStreamIsCancelledAndFreesTheSlot) {
  {
    HttpClient c(port());
    start_long_stream(c, "abort-stream-1");
    c.close();
  }
  EXPECT_TRUE(
      server().wait_for_log("request.done req=abort-stream-1 route=completions "
                            "status=cancelled"))
      << server().log();
  EXPECT_TRUE(wait_running(port(), 0));
  expect_quick_request_succeeds(port());
  EXPECT_TRUE(wait_running(port(), 0));
  EXPECT_EQ(stats(port())["kv_blocks_used"], 0);
}

TEST_F(ServeCapacity, AbortedNonStreamedRequestIsCancelledAndFreesTheSlot) {
  {
    HttpClient c(port());
    c.send_raw(
        "POST /v1/completions HTTP/1.1\r\nHost: x\r\nx-request-id: abort-wait-1\r\n"
        "Content-Type: application/json\r\nContent-Length: " +
        std::to_string(kLongRequest.dump().size()) + "\r\n\r\n" + kLongRequest.dump());
    ASSERT_TRUE(wait_running(port(), 1));
    c.close();
  }
  EXPECT_TRUE(
      server().wait_for_log("request.done req=abort-wait-1 route=completions "
                            "status=cancelled"))
      << server().log();
  EXPECT_TRUE(wait_running(port(), 0));
  expect_quick_request_succeeds(port());
}

TEST_F(ServeCapacity, FullQueueIs503WithRetryAfter) {
  HttpClient running(port());
  start_long_stream(running, "cap-running");
  // The second request waits for the only slot: its stream opens but nothing is generated.
  HttpClient queued(port());
  json body = kLongRequest;
  body["stream"] = true;
  ASSERT_EQ(queued.start_stream("/v1/completions", body, {{"x-request-id", "cap-queued"}}).status,
            200u);
  // The queue (one slot) is full now: the next request is refused at once.
  HttpClient extra(port());
  HttpResponse refused = extra.start_stream("/v1/completions", body);
  if (refused.status == 503) refused = extra.finish_stream();  // read the error body
  EXPECT_EQ(refused.status, 503u) << refused.body;
  EXPECT_EQ(refused.header("retry-after"), "1");
  EXPECT_EQ(refused.json()["error"]["code"], "server_overloaded");
  EXPECT_EQ(refused.json()["error"]["type"], "server_error");
  running.close();
  queued.close();
  extra.close();
  EXPECT_TRUE(server().wait_for_log("req=cap-running route=completions status=cancelled"));
  EXPECT_TRUE(server().wait_for_log("req=cap-queued route=completions status=cancelled"));
  EXPECT_TRUE(wait_running(port(), 0));
  expect_quick_request_succeeds(port());
}

}  // namespace
}  // namespace liftoff::testing
