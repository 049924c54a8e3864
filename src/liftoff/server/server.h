// Server: the HTTP front of one EngineLoop. Owns the engine, the I/O threads (an Asio
// io_context run by `http_threads` jthreads), the listener and the route table. start() returns
// once the port is bound and requests are being served; stop() drains and shuts down.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "liftoff/base/status.h"
#include "liftoff/engine/engine_loop.h"
#include "liftoff/tokenizer/tokenizer.h"

namespace liftoff::server {

struct ServerConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;       // 0: an ephemeral port (see Server::port())
  int32_t http_threads = 2;   // Asio I/O threads: parse, tokenize, format, write
  std::string alias;          // the model id clients use; "" -> the model file's stem
  std::string chat_template;  // a built-in name or Jinja source; "" -> the model's
  uint64_t max_body_bytes = 8u << 20;
  int32_t idle_timeout_s = 60;      // keep-alive connections idle longer are closed
  int32_t shutdown_timeout_s = 30;  // stop() waits this long for in-flight requests

  // kInvalidArgument naming the option and its accepted range.
  Status validate() const;
};

class Server {
 public:
  // `model_name` is the id when config.alias is empty. `tokenizer` must outlive the server
  // (the engine, which the server owns from now on, references it too). kInvalidArgument for a
  // bad config or chat template, kUnavailable if the address cannot be bound.
  static Result<std::unique_ptr<Server>> start(const ServerConfig& config,
                                               const std::string& model_name,
                                               const tokenizer::Tokenizer& tokenizer,
                                               std::unique_ptr<engine::EngineLoop> engine);
  ~Server();  // stop()

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  uint16_t port() const;
  const std::string& model_id() const;

  // Graceful shutdown: /ready turns 503, the listener closes, requests in flight get up to
  // shutdown_timeout_s to finish, then the I/O threads and the engine stop. Idempotent; call
  // from one thread (not an I/O thread).
  void stop();

  class Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace liftoff::server
