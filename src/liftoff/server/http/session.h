// Session: one client connection. Reads a request (header and body limits, Expect:
// 100-continue), routes it, lets the handler answer with a full or a chunked (SSE) response,
// and keeps the connection for the next request (HTTP/1.1 keep-alive). While a handler waits,
// the socket is watched for EOF so a client that hangs up cancels its request. All of a
// session's work runs on its strand.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "liftoff/server/http/exchange.h"
#include "liftoff/server/http/response.h"
#include "liftoff/server/http/router.h"

namespace liftoff::server::http {

struct SessionConfig {
  uint64_t max_body_bytes = 8u << 20;
  uint32_t max_header_bytes = 16u << 10;
  std::chrono::seconds idle_timeout{60};   // to read a request, and between keep-alive requests
  std::chrono::seconds write_timeout{60};  // one write to a client that stops reading
};

// Shared by the listener and every session; outlives them (owned by the server).
struct ConnectionState {
  std::atomic<bool> draining{false};  // new requests get 503 and the connection closes
  std::atomic<int64_t> in_flight{0};  // exchanges between "request read" and "response done"
};

struct SessionContext {
  const Router* router = nullptr;
  ErrorRenderer render_error;
  SessionConfig config;
  ConnectionState* state = nullptr;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `socket` must have been accepted on a strand executor. `context` outlives the session.
  Session(boost::asio::ip::tcp::socket socket, const SessionContext& context);
  void start();

 private:
  friend class Exchange;

  void read_request();
  void on_header(boost::beast::error_code ec);
  void on_body(boost::beast::error_code ec);
  void on_read_error(boost::beast::error_code ec);
  void begin_exchange();
  void respond_now(Response response);  // for errors found before a handler runs

  // Exchange API (serial = the caller's exchange; stale serials are ignored).
  bool is_current(uint64_t serial) const { return active_ && serial == serial_; }
  void respond(uint64_t serial, Response response);
  void start_stream(uint64_t serial, unsigned status, std::string content_type);
  void write(uint64_t serial, std::string data);
  void end_stream(uint64_t serial);
  void set_on_client_gone(uint64_t serial, std::function<void()> callback);

  void write_pending();
  void on_written(boost::beast::error_code ec);
  void finish_exchange();
  void watch_for_hangup();
  void on_readable(boost::beast::error_code ec, uint64_t serial);
  void stop_watching();
  void client_gone();
  void close();
  void linger_close();
  void linger_read();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  const SessionContext& context_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;

  // The current exchange.
  uint64_t serial_ = 0;
  bool active_ = false;
  std::shared_ptr<const ExchangeData> data_;
  std::function<void()> on_client_gone_;
  bool keep_alive_ = false;
  bool streaming_ = false;  // the header of a streamed response is queued or sent
  bool chunked_ = false;    // streamed body uses chunked encoding (HTTP/1.1)
  bool ending_ = false;     // the last bytes of the response are queued
  bool linger_ = false;     // the request was not read to its end: drain before closing
  bool watching_ = false;   // an async_wait for hang-up is pending
  std::string pending_;     // bytes queued for the socket
  std::string writing_;     // bytes being written
  bool writing_now_ = false;
  std::array<char, 4096> scratch_{};  // lingering close discards into this
};

}  // namespace liftoff::server::http
