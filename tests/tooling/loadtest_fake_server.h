// An in-process fake OpenAI-compatible server for the load generator's tests: Beast, synchronous,
// one thread per connection, on 127.0.0.1 with an ephemeral port. It "generates" max_tokens
// tokens named "t0", "t1", ... and counts prompt tokens as words, so tests can check every number
// the load generator reports. A policy decides, per completion request, how to misbehave.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>

namespace liftoff::testing {

enum class FakeReply {
  kOk,
  // Status 503 with {"error": {"message": "server busy"}}.
  kStatus503,
  // Headers and two token chunks (not streamed: half the JSON body), then the socket closes.
  kDropMidStream,
  // Never answers until the server is destroyed.
  kHang,
  // Status 200 with a body that is not JSON (streamed: a chunk that is not JSON).
  kGarbage,
  // Streamed: one token, then llama.cpp's "error: {...}" line; not streamed: an error object.
  kErrorEvent,
  // A normal keep-alive reply, then the server closes the idle connection.
  kCloseAfterReply,
  // A normal reply without any usage object.
  kNoUsage,
};

class FakeOpenAiServer {
 public:
  // request_number counts completion requests (0-based) in the order they arrive.
  using Policy = std::function<FakeReply(int64_t request_number)>;

  explicit FakeOpenAiServer(Policy policy = {});
  ~FakeOpenAiServer();  // releases hanging replies, unblocks every connection, joins all threads

  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  int64_t n_connections() const { return n_connections_.load(); }

  // Completion request bodies and Authorization headers, in arrival order.
  std::vector<nlohmann::json> bodies() const;
  std::vector<std::string> authorizations() const;

 private:
  void accept_loop();
  void serve(boost::asio::ip::tcp::socket socket);
  // Returns false when the connection must end.
  // Odd request numbers use CRLF line ends in streams, even ones LF.
  bool handle_completion(boost::asio::ip::tcp::socket& socket, const nlohmann::json& body,
                         bool chat, int64_t number, FakeReply reply);

  Policy policy_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> n_connections_{0};
  std::atomic<int64_t> n_completions_{0};

  mutable std::mutex mu_;
  std::condition_variable stop_cv_;   // wakes kHang replies on shutdown
  std::vector<int> open_fds_;         // shut down on destruction to unblock reads
  std::vector<std::thread> threads_;  // connection threads
  std::vector<nlohmann::json> bodies_;
  std::vector<std::string> authorizations_;
  std::thread accept_thread_;
};

}  // namespace liftoff::testing
