// One keep-alive HTTP/1.1 client connection for the load generator (Boost.Beast over Asio,
// callback style, on a single io_context thread). Owns the socket and the HTTP framing; knows
// nothing about OpenAI JSON or SSE.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace liftoff::tooling {

// Why an exchange ended without a complete HTTP response.
enum class TransportError {
  kNone,          // a complete response arrived (any status)
  kConnect,       // could not connect
  kTimeout,       // the deadline passed
  kDisconnected,  // the peer closed or reset the connection before the response was complete
  kBadHttp,       // the bytes received are not valid HTTP/1.1
};

struct ExchangeOutcome {
  TransportError error = TransportError::kNone;
  unsigned status = 0;  // HTTP status; 0 when no response header arrived
  std::string detail;   // the system's description of the error, "" when error == kNone
};

class HttpConnection {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  // Called with the response status and each piece of body as it arrives (chunked framing removed).
  using BodyHandler = std::function<void(unsigned status, std::string_view bytes)>;
  // Called once per exchange; may start the next exchange on this connection.
  using DoneHandler = std::function<void(const ExchangeOutcome&)>;

  HttpConnection(boost::asio::io_context& io,
                 boost::asio::ip::tcp::resolver::results_type endpoints);
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends `request` (connecting first if needed) and reads the whole response before `deadline`.
  // At most one exchange at a time. A reused keep-alive connection the server has closed while
  // idle is detected (it fails before any response byte) and the request is retried once on a
  // fresh connection, as HTTP clients do, instead of being reported as an error.
  void async_exchange(Request request, std::chrono::steady_clock::time_point deadline,
                      BodyHandler on_body, DoneHandler on_done);

  void close();
  int64_t n_connects() const { return n_connects_; }  // TCP connections opened so far

 private:
  void connect();
  void write();
  void read_header();
  void read_body();
  void on_error(boost::system::error_code ec, bool response_started);
  void finish(ExchangeOutcome outcome);

  boost::asio::ip::tcp::resolver::results_type endpoints_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::buffer_body>> parser_;
  std::array<char, 16384> chunk_{};  // receives body bytes; handed to on_body_ after each read

  Request request_;
  std::chrono::steady_clock::time_point deadline_;
  BodyHandler on_body_;
  DoneHandler on_done_;
  bool reused_ = false;   // the current connection already carried a complete exchange
  bool retried_ = false;  // the current exchange was already retried once
  int64_t n_connects_ = 0;
};

}  // namespace liftoff::tooling
