// Listener: the accept loop.
#include "liftoff/server/http/listener.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>

#include "liftoff/base/log.h"

namespace liftoff::server::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// A failing accept (out of file descriptors) is retried after this pause, not in a busy loop.
constexpr std::chrono::milliseconds kAcceptRetry{50};

}  // namespace

Listener::Listener(net::io_context& ioc, const SessionContext& context)
    : ioc_(ioc),
      strand_(net::make_strand(ioc)),
      acceptor_(strand_),
      retry_timer_(strand_),
      context_(context) {}

Result<std::shared_ptr<Listener>> Listener::bind(net::io_context& ioc, const std::string& host,
                                                 uint16_t port, const SessionContext& context) {
  boost::system::error_code ec;
  // No name resolution beyond the one name everybody types.
  const auto address = net::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) {
    return Status::invalid_argument("host '" + host + "' is not an IPv4 or IPv6 address");
  }
  std::shared_ptr<Listener> l(new Listener(ioc, context));
  const tcp::endpoint endpoint{address, port};
  const std::string where = host + ":" + std::to_string(port);
  l->acceptor_.open(endpoint.protocol(), ec);
  if (!ec) l->acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) l->acceptor_.bind(endpoint, ec);
  if (!ec) l->acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Status::unavailable("cannot listen on " + where + ": " + ec.message());
  l->port_ = l->acceptor_.local_endpoint(ec).port();
  if (ec) return Status::unavailable("cannot read the bound port: " + ec.message());
  return l;
}

void Listener::start() {
  net::dispatch(strand_, [self = shared_from_this()] { self->accept(); });
}

void Listener::close() {
  net::dispatch(strand_, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->retry_timer_.cancel();
    self->acceptor_.close(ignored);
  });
}

void Listener::accept() {
  if (!acceptor_.is_open()) return;
  // Each connection gets its own strand: its handlers never run concurrently.
  acceptor_.async_accept(net::make_strand(ioc_),
                         [self = shared_from_this()](boost::beast::error_code ec, tcp::socket s) {
                           self->on_accept(ec, std::move(s));
                         });
}

void Listener::on_accept(boost::beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    base::logger("server")->warn("http.accept_failed error={}", ec.message());
    retry_timer_.expires_after(kAcceptRetry);
    retry_timer_.async_wait([self = shared_from_this()](boost::beast::error_code wait_ec) {
      if (!wait_ec) self->accept();
    });
    return;
  }
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);  // SSE chunks are small; do not batch them
  std::make_shared<Session>(std::move(socket), context_)->start();
  accept();
}

}  // namespace liftoff::server::http
