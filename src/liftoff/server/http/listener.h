// Listener: accepts TCP connections and starts a Session for each, on its own strand. Stops
// accepting when closed; sessions already running are not touched.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <memory>
#include <string>

#include "liftoff/base/status.h"
#include "liftoff/server/http/session.h"

namespace liftoff::server::http {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds and listens on host:port (port 0: an ephemeral port). kInvalidArgument for a host that
  // is neither an IP address nor "localhost", kUnavailable if the address cannot be bound.
  static Result<std::shared_ptr<Listener>> bind(boost::asio::io_context& ioc,
                                                const std::string& host, uint16_t port,
                                                const SessionContext& context);

  void start();  // begins accepting (thread-safe)
  void close();  // stops accepting (thread-safe)
  uint16_t port() const { return port_; }

 private:
  Listener(boost::asio::io_context& ioc, const SessionContext& context);
  void accept();
  void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;  // after EMFILE and similar: try again shortly
  const SessionContext& context_;
  uint16_t port_ = 0;
};

}  // namespace liftoff::server::http
