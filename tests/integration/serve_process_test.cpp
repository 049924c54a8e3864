// Process-level behaviour of `liftoff serve`: graceful shutdown on SIGTERM (ready turns 503,
// in-flight requests finish, exit 0) and startup errors (one line on stderr, non-zero exit).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "serve_fixture.h"
#include "test_data.h"

namespace liftoff::testing {
namespace {

using nlohmann::json;

bool wait_running(uint16_t port, int want) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (HttpClient(port).get("/stats").json()["running"] == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

TEST(ServeProcess, SigtermDrainsInFlightRequestsAndExitsZero) {
  ServerProcess server({"--parallel", "1", "--ctx", "4096"});
  ASSERT_NE(server.port(), 0);
  HttpClient idle(server.port());  // a keep-alive connection that asks /ready during the drain
  ASSERT_EQ(idle.get("/ready").status, 200u);
  HttpClient busy(server.port());
  const json body = {{"prompt", "Once upon a time"},
                     {"ignore_eos", true},
                     {"max_tokens", 3000},
                     {"temperature", 0}};
  busy.send_raw(
      "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.dump().size()) + "\r\n\r\n" + body.dump());
  ASSERT_TRUE(wait_running(server.port(), 1));
  kill(server.pid(), SIGTERM);
  // Draining: the idle connection is told 503 and closed; the running request still completes.
  HttpResponse ready = idle.get("/ready");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (ready.status == 200 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // the signal is not handled yet
    ready = idle.get("/ready");
  }
  // Either answer means "draining": 503 + Retry-After if the request got in before the server
  // closed its idle keep-alive connections, or the connection closed (status 0) if it did not.
  EXPECT_TRUE(ready.status == 503u || ready.status == 0u) << ready.status << " " << ready.body;
  if (ready.status == 503u) EXPECT_EQ(ready.header("retry-after"), "1");
  auto answer = busy.read_response();
  EXPECT_EQ(answer.status, 200u);
  EXPECT_EQ(answer.json()["usage"]["completion_tokens"], 3000);
  EXPECT_EQ(server.stop(), 0) << server.log();
}

struct Exit {
  int code = -1;
  std::string err;
};

// Runs `liftoff serve ARGS` to completion (it must fail before listening).
Exit run_serve(const std::string& args) {
  const auto err_path = std::filesystem::temp_directory_path() /
                        ("liftoff_serve_err_" + std::to_string(getpid()) + ".txt");
  const bool has_model = args.rfind("-m ", 0) == 0;
  const std::string model = has_model ? "" : " -m " + stories_model().string();
  // `timeout` ends a server that unexpectedly started (exit 124 fails the test, not hangs it).
  const std::string cmd = "timeout 60 " + std::string(LIFTOFF_BINARY) + " serve" + model +
                          " --port 0 " + args + " > /dev/null 2> " + err_path.string() +
                          " < /dev/null";
  const int status = std::system(cmd.c_str());
  Exit e;
  e.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  e.err = read_file(err_path);
  std::filesystem::remove(err_path);
  return e;
}

TEST(ServeProcess, StartupErrorsExitNonZeroWithOneLine) {
  struct Case {
    const char* args;
    const char* expect;  // in stderr
  };
  for (const Case& c :
       {Case{"--chat-template '{% if %}'", "liftoff serve:"},
        Case{"--host not-an-address", "is not an IPv4 or IPv6 address"},
        Case{"--port 70000", "--port"}, Case{"--parallel 0", "--parallel"},
        Case{"--max-body-bytes 10", "--max-body-bytes"}, Case{"--kv-blocks 1", "kv_blocks"},
        Case{"-m /nonexistent/model.gguf", "liftoff serve:"}}) {
    const Exit e = run_serve(c.args);
    EXPECT_NE(e.code, 0) << c.args;
    EXPECT_NE(e.err.find(c.expect), std::string::npos) << c.args << ": " << e.err;
  }
}

}  // namespace
}  // namespace liftoff::testing
