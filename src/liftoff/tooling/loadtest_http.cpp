// The load generator's HTTP connection: connect, write, read header, read body piecewise, with
// one absolute deadline per exchange enforced by beast::tcp_stream's timer.
#include "liftoff/tooling/loadtest_http.h"

#include <cstdint>
#include <limits>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace liftoff::tooling {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

bool is_peer_closed(boost::system::error_code ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted ||
         ec == http::error::end_of_stream || ec == http::error::partial_message;
}

}  // namespace

HttpConnection::HttpConnection(asio::io_context& io,
                               asio::ip::tcp::resolver::results_type endpoints)
    : endpoints_(std::move(endpoints)), stream_(io) {}

void HttpConnection::async_exchange(Request request, std::chrono::steady_clock::time_point deadline,
                                    BodyHandler on_body, DoneHandler on_done) {
  request_ = std::move(request);
  request_.keep_alive(true);
  request_.prepare_payload();
  deadline_ = deadline;
  on_body_ = std::move(on_body);
  on_done_ = std::move(on_done);
  retried_ = false;
  if (stream_.socket().is_open()) {
    write();
  } else {
    connect();
  }
}

void HttpConnection::close() {
  boost::system::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
  buffer_.consume(buffer_.size());
  reused_ = false;
}

void HttpConnection::connect() {
  ++n_connects_;
  reused_ = false;
  stream_.expires_at(deadline_);
  stream_.async_connect(
      endpoints_, [this](boost::system::error_code ec, const asio::ip::tcp::endpoint&) {
        if (ec) {
          const bool timeout = ec == beast::error::timeout;
          close();  // a failed range connect can leave the socket open but unconnected
          finish({timeout ? TransportError::kTimeout : TransportError::kConnect, 0, ec.message()});
          return;
        }
        stream_.socket().set_option(asio::ip::tcp::no_delay(true));
        write();
      });
}

void HttpConnection::write() {
  stream_.expires_at(deadline_);
  http::async_write(stream_, request_, [this](boost::system::error_code ec, size_t) {
    if (ec) return on_error(ec, false);
    read_header();
  });
}

void HttpConnection::read_header() {
  parser_.emplace();
  // A streamed completion has no natural size bound. (Not boost::none: Boost 1.74 compares a
  // Content-Length against the empty optional and then rejects every sized body.)
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
  http::async_read_header(stream_, buffer_, *parser_, [this](boost::system::error_code ec, size_t) {
    if (ec) return on_error(ec, parser_->got_some());
    read_body();
  });
}

void HttpConnection::read_body() {
  if (parser_->is_done()) {
    const bool keep_alive = parser_->keep_alive();
    const unsigned status = parser_->get().result_int();
    if (!keep_alive) close();
    reused_ = keep_alive;
    finish({TransportError::kNone, status, ""});
    return;
  }
  auto& body = parser_->get().body();
  body.data = chunk_.data();
  body.size = chunk_.size();
  http::async_read_some(stream_, buffer_, *parser_, [this](boost::system::error_code ec, size_t) {
    // need_buffer only says chunk_ is full; its bytes are delivered below like any others.
    if (ec == http::error::need_buffer) ec = {};
    const size_t n = chunk_.size() - parser_->get().body().size;
    if (n > 0) on_body_(parser_->get().result_int(), std::string_view(chunk_.data(), n));
    if (ec) return on_error(ec, true);
    read_body();
  });
}

void HttpConnection::on_error(boost::system::error_code ec, bool response_started) {
  const unsigned status = parser_ && parser_->is_header_done() ? parser_->get().result_int() : 0;
  const bool stale = reused_ && !retried_ && !response_started && is_peer_closed(ec);
  close();
  if (stale) {
    retried_ = true;
    connect();
    return;
  }
  TransportError kind = TransportError::kBadHttp;
  if (ec == beast::error::timeout) {
    kind = TransportError::kTimeout;
  } else if (is_peer_closed(ec) || ec.category() == asio::error::get_system_category()) {
    kind = TransportError::kDisconnected;
  }
  finish({kind, status, ec.message()});
}

void HttpConnection::finish(ExchangeOutcome outcome) {
  stream_.expires_never();
  parser_.reset();
  DoneHandler done = std::move(on_done_);
  on_body_ = nullptr;
  done(outcome);
}

}  // namespace liftoff::tooling
