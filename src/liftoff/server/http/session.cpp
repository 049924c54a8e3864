// Session: the per-connection state machine (read -> route -> respond or stream -> read again).
#include "liftoff/server/http/session.h"

#include <sys/socket.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <sstream>
#include <utility>

#include "liftoff/base/log.h"
#include "liftoff/server/http/request_id.h"

namespace liftoff::server::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

constexpr const char* kServerName = "liftoff/0.1.0";
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// How long a connection whose request was not read to its end (413, malformed) is drained
// before closing, so the client sees our response instead of a reset.
constexpr std::chrono::seconds kLingerTimeout{2};

// Boost 1.74's Beast has its own string_view.
std::string_view std_view(beast::string_view s) { return {s.data(), s.size()}; }

bool is_parse_error(beast::error_code ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message &&
         ec != bhttp::error::need_more;
}

bool expects_continue(const Request& req) {
  auto it = req.find(bhttp::field::expect);
  return it != req.end() && beast::iequals(it->value(), "100-continue");
}

template <typename Message>
void set_common_fields(Message& m, const std::string& request_id, bool keep_alive) {
  m.set(bhttp::field::server, kServerName);
  m.set("x-request-id", request_id);
  m.keep_alive(keep_alive);
}

}  // namespace

Session::Session(net::ip::tcp::socket socket, const SessionContext& context)
    : stream_(std::move(socket)), context_(context) {}

void Session::start() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_request(); });
}

void Session::read_request() {
  parser_.emplace();
  parser_->body_limit(context_.config.max_body_bytes);
  parser_->header_limit(context_.config.max_header_bytes);
  stream_.expires_after(context_.config.idle_timeout);
  bhttp::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
}

void Session::on_header(beast::error_code ec) {
  if (ec) return on_read_error(ec);
  if (parser_->is_done()) return on_body({});
  auto read_body = [self = shared_from_this()] {
    bhttp::async_read(self->stream_, self->buffer_, *self->parser_,
                      [self](beast::error_code ec, size_t) { self->on_body(ec); });
  };
  if (!expects_continue(parser_->get())) return read_body();
  net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                   [self = shared_from_this(), read_body](beast::error_code ec, size_t) {
                     if (ec) return self->close();
                     read_body();
                   });
}

void Session::on_body(beast::error_code ec) {
  if (ec) return on_read_error(ec);
  stream_.expires_never();
  begin_exchange();
}

void Session::on_read_error(beast::error_code ec) {
  HttpError error;
  if (ec == bhttp::error::body_limit) {
    error = {HttpErrorKind::kBodyTooLarge, std::to_string(context_.config.max_body_bytes), ""};
  } else if (ec == bhttp::error::header_limit) {
    error = {HttpErrorKind::kHeaderTooLarge, std::to_string(context_.config.max_header_bytes), ""};
  } else if (is_parse_error(ec)) {
    error = {HttpErrorKind::kMalformed, ec.message(), ""};
  } else {
    // Clean close between requests, a timeout, a reset, or EOF in the middle of a request:
    // there is nobody to answer.
    return close();
  }
  base::logger("server")->debug("http.bad_request error={}", ec.message());
  // The rest of the request is unread: answer, then drain and close.
  auto data = std::make_shared<ExchangeData>();
  data->request.version(11);
  data->request_id = request_id_for("");
  data->received = std::chrono::steady_clock::now();
  data_ = std::move(data);
  ++serial_;
  active_ = true;
  context_.state->in_flight.fetch_add(1);
  keep_alive_ = false;
  linger_ = true;
  Response r = context_.render_error(error);
  r.close = true;
  respond(serial_, std::move(r));
}

void Session::begin_exchange() {
  auto data = std::make_shared<ExchangeData>();
  data->request = parser_->release();
  parser_.reset();
  data->received = std::chrono::steady_clock::now();
  auto incoming = data->request.find("x-request-id");
  data->request_id = request_id_for(incoming == data->request.end() ? std::string_view{}
                                                                    : std_view(incoming->value()));
  ++serial_;
  active_ = true;
  context_.state->in_flight.fetch_add(1);
  keep_alive_ = data->request.keep_alive();
  linger_ = false;

  if (context_.state->draining.load()) {
    data_ = std::move(data);
    return respond_now(context_.render_error({HttpErrorKind::kShuttingDown, "", ""}));
  }
  auto routed = context_.router->match(std_view(data->request.method_string()),
                                       std_view(data->request.target()));
  if (auto* error = std::get_if<HttpError>(&routed)) {
    data_ = std::move(data);
    return respond_now(context_.render_error(*error));
  }
  auto& match = std::get<RouteMatch>(routed);
  data->params = std::move(match.params);
  data_ = std::move(data);
  watch_for_hangup();
  const uint64_t serial = serial_;
  try {
    (*match.handler)(Exchange(shared_from_this(), data_, serial));
  } catch (const std::exception& e) {
    // Our code returns Status; this is third-party code (allocation, JSON) failing.
    base::logger("server")->error("http.handler_exception req={} what={}", data_->request_id,
                                  e.what());
    if (is_current(serial)) {
      respond(serial, context_.render_error({HttpErrorKind::kInternal, "", ""}));
    }
  }
}

void Session::respond_now(Response response) { respond(serial_, std::move(response)); }

void Session::respond(uint64_t serial, Response response) {
  if (!is_current(serial) || ending_) return;
  if (streaming_) {  // a handler bug: a streamed exchange ends with end_stream()
    base::logger("server")->error("http.respond_after_stream req={}", data_->request_id);
    return end_stream(serial);
  }
  if (response.close || context_.state->draining.load()) keep_alive_ = false;
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(response.status),
                                          data_->request.version()};
  res.set(bhttp::field::content_type, response.content_type);
  set_common_fields(res, data_->request_id, keep_alive_);
  for (auto& [name, value] : response.headers) res.set(name, value);
  res.body() = std::move(response.body);
  res.prepare_payload();
  std::ostringstream os;
  os << res;
  pending_ += os.str();
  ending_ = true;
  write_pending();
}

void Session::start_stream(uint64_t serial, unsigned status, std::string content_type) {
  if (!is_current(serial) || ending_ || streaming_) return;
  streaming_ = true;
  const unsigned version = data_->request.version();
  chunked_ = version >= 11;
  if (!chunked_) keep_alive_ = false;  // HTTP/1.0: the body ends when the connection closes
  if (context_.state->draining.load()) keep_alive_ = false;
  bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(status), version};
  res.set(bhttp::field::content_type, content_type);
  res.set(bhttp::field::cache_control, "no-cache");
  set_common_fields(res, data_->request_id, keep_alive_);
  if (chunked_) res.chunked(true);
  std::ostringstream os;
  os << res.base();
  pending_ += os.str();
  write_pending();
}

void Session::write(uint64_t serial, std::string data) {
  if (!is_current(serial) || ending_ || data.empty()) return;
  if (chunked_) {
    char size_line[24];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", data.size());
    pending_ += size_line;
    pending_ += data;
    pending_ += "\r\n";
  } else {
    pending_ += data;
  }
  write_pending();
}

void Session::end_stream(uint64_t serial) {
  if (!is_current(serial) || ending_) return;
  if (chunked_) pending_ += "0\r\n\r\n";
  ending_ = true;
  write_pending();
  if (!writing_now_ && pending_.empty()) finish_exchange();
}

void Session::set_on_client_gone(uint64_t serial, std::function<void()> callback) {
  if (is_current(serial)) on_client_gone_ = std::move(callback);
}

void Session::write_pending() {
  if (writing_now_ || pending_.empty()) return;
  writing_now_ = true;
  writing_.clear();
  std::swap(writing_, pending_);
  stream_.expires_after(context_.config.write_timeout);
  net::async_write(
      stream_, net::buffer(writing_),
      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_written(ec); });
}

void Session::on_written(beast::error_code ec) {
  writing_now_ = false;
  if (ec) {
    if (active_) return client_gone();
    return close();
  }
  if (!pending_.empty()) return write_pending();
  if (active_ && ending_) finish_exchange();
}

void Session::finish_exchange() {
  active_ = false;
  context_.state->in_flight.fetch_sub(1);
  stop_watching();
  on_client_gone_ = nullptr;
  streaming_ = false;
  chunked_ = false;
  ending_ = false;
  if (linger_) return linger_close();
  if (!keep_alive_) return close();
  read_request();
}

void Session::watch_for_hangup() {
  watching_ = true;
  stream_.socket().async_wait(net::ip::tcp::socket::wait_read,
                              [self = shared_from_this(), serial = serial_](beast::error_code ec) {
                                self->on_readable(ec, serial);
                              });
}

void Session::on_readable(beast::error_code ec, uint64_t serial) {
  if (!is_current(serial) || !watching_) return;
  if (ec == net::error::operation_aborted) return;
  if (ec) return client_gone();
  // Peek, so that a pipelined next request stays in the socket for the next read.
  char byte = 0;
  const ssize_t n = ::recv(stream_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return client_gone();
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return watch_for_hangup();
    return client_gone();
  }
  // The client sent more (a pipelined request): it is still there, and readability would now
  // fire forever, so stop watching for this exchange.
  watching_ = false;
}

void Session::stop_watching() {
  if (!watching_) return;
  watching_ = false;
  beast::error_code ignored;
  stream_.socket().cancel(ignored);
}

void Session::client_gone() {
  if (!active_) return;
  active_ = false;
  context_.state->in_flight.fetch_sub(1);
  watching_ = false;
  auto callback = std::move(on_client_gone_);
  on_client_gone_ = nullptr;
  close();
  if (callback) callback();
}

void Session::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
}

void Session::linger_close() {
  beast::error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTimeout);
  linger_read();
}

void Session::linger_read() {
  stream_.async_read_some(net::buffer(scratch_),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (ec) return self->close();
                            self->linger_read();
                          });
}

// Exchange: forwards to the session that owns the connection.

net::any_io_executor Exchange::executor() const { return session_->stream_.get_executor(); }
void Exchange::respond(Response response) const { session_->respond(serial_, std::move(response)); }
void Exchange::start_stream(unsigned status, std::string content_type) const {
  session_->start_stream(serial_, status, std::move(content_type));
}
void Exchange::write(std::string data) const { session_->write(serial_, std::move(data)); }
void Exchange::end_stream() const { session_->end_stream(serial_); }
void Exchange::on_client_gone(std::function<void()> callback) const {
  session_->set_on_client_gone(serial_, std::move(callback));
}
bool Exchange::active() const { return session_->is_current(serial_); }

}  // namespace liftoff::server::http
