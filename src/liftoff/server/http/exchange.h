// Exchange: one HTTP request and its response, as a handler sees it. A cheap copyable handle;
// handlers keep it while they wait for the engine. Every method must be called on executor()
// (the connection's strand). Once the exchange has ended (response written, client gone), the
// writing methods do nothing, so a late engine update cannot touch the next request.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "liftoff/server/http/response.h"

namespace liftoff::server::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

class Session;

// What the session read; immutable while the exchange lives.
struct ExchangeData {
  Request request;
  std::string request_id;                          // echoed as x-request-id
  std::vector<std::string> params;                 // the route's `{name}` segments
  std::chrono::steady_clock::time_point received;  // request fully read
};

class Exchange {
 public:
  const Request& request() const { return data_->request; }
  const std::string& request_id() const { return data_->request_id; }
  const std::vector<std::string>& params() const { return data_->params; }
  std::chrono::steady_clock::time_point received() const { return data_->received; }
  boost::asio::any_io_executor executor() const;

  // Writes a complete response and ends the exchange.
  void respond(Response response) const;

  // Sends the header of a streamed response (chunked transfer encoding, Cache-Control:
  // no-cache); write() queues body data, end_stream() finishes the body and ends the exchange.
  void start_stream(unsigned status, std::string content_type) const;
  void write(std::string data) const;
  void end_stream() const;

  // Called once, on executor(), if the client goes away (EOF, reset, a failed or timed-out
  // write) before the exchange ends. Replaces an earlier callback.
  void on_client_gone(std::function<void()> callback) const;

  // False once the response is complete or the client is gone.
  bool active() const;

 private:
  friend class Session;
  Exchange(std::shared_ptr<Session> session, std::shared_ptr<const ExchangeData> data,
           uint64_t serial)
      : session_(std::move(session)), data_(std::move(data)), serial_(serial) {}

  std::shared_ptr<Session> session_;  // keeps the connection alive while a handler waits
  std::shared_ptr<const ExchangeData> data_;
  uint64_t serial_ = 0;  // which exchange of the session this is
};

}  // namespace liftoff::server::http
