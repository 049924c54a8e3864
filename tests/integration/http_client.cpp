// The integration tests' HTTP client.
#include "http_client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <sstream>

namespace liftoff::testing {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

template <typename Parser>
HttpResponse to_response(const Parser& parser) {
  HttpResponse r;
  const auto& msg = parser.get();
  r.status = msg.result_int();
  for (const auto& field : msg) {
    r.headers[lower(std::string(field.name_string()))] = std::string(field.value());
  }
  r.body = msg.body();
  r.keep_alive = msg.keep_alive();
  return r;
}

}  // namespace

nlohmann::json HttpResponse::json() const { return nlohmann::json::parse(body, nullptr, false); }

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

HttpClient::HttpClient(uint16_t port, int timeout_s)
    : socket_(ioc_), port_(port), timeout_s_(timeout_s) {
  connect();
}

void HttpClient::connect() {
  boost::system::error_code ec;
  socket_.close(ec);
  socket_ = asio::ip::tcp::socket(ioc_);
  socket_.connect({asio::ip::make_address("127.0.0.1"), port_});
  timeval tv{timeout_s_, 0};
  setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  buffer_.clear();
  ++connects_;
}

void HttpClient::write(const std::string& bytes) {
  boost::system::error_code ec;
  asio::write(socket_, asio::buffer(bytes), ec);
}

HttpResponse HttpClient::request(const std::string& method, const std::string& target,
                                 const std::string& body, const Headers& headers) {
  std::ostringstream os;
  os << method << " " << target << " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  bool has_type = false;
  for (const auto& [k, v] : headers) {
    os << k << ": " << v << "\r\n";
    has_type = has_type || lower(k) == "content-type";
  }
  if (!body.empty() && !has_type) os << "Content-Type: application/json\r\n";
  if (!body.empty() || method == "POST") os << "Content-Length: " << body.size() << "\r\n";
  os << "\r\n" << body;
  send_raw(os.str());
  return read_response();
}

void HttpClient::send_raw(const std::string& bytes) { write(bytes); }

HttpResponse HttpClient::read_response() {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(1u << 30);
  boost::system::error_code ec;
  bhttp::read(socket_, buffer_, parser, ec);
  if (ec) return HttpResponse{};
  return to_response(parser);
}

HttpResponse HttpClient::start_stream(const std::string& target, const nlohmann::json& body,
                                      const Headers& headers) {
  std::ostringstream os;
  const std::string text = body.dump();
  os << "POST " << target << " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
  for (const auto& [k, v] : headers) os << k << ": " << v << "\r\n";
  os << "Content-Length: " << text.size() << "\r\n\r\n" << text;
  write(os.str());
  stream_ = std::make_unique<bhttp::response_parser<bhttp::string_body>>();
  stream_->body_limit(1u << 30);
  boost::system::error_code ec;
  bhttp::read_header(socket_, buffer_, *stream_, ec);
  if (ec) return HttpResponse{};
  return to_response(*stream_);
}

bool HttpClient::read_more() {
  if (!stream_ || stream_->is_done()) return false;
  boost::system::error_code ec;
  bhttp::read_some(socket_, buffer_, *stream_, ec);
  if (ec) return false;
  return !stream_->is_done();
}

const std::string& HttpClient::stream_body() const { return stream_->get().body(); }

HttpResponse HttpClient::finish_stream() {
  while (read_more()) {
  }
  return to_response(*stream_);
}

bool HttpClient::server_closed() {
  char byte = 0;
  boost::system::error_code ec;
  const size_t n = socket_.read_some(asio::buffer(&byte, 1), ec);
  return ec || n == 0;
}

void HttpClient::close() {
  boost::system::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

std::vector<std::string> sse_data(const std::string& body, bool* done) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find("\n\n", pos);
    if (end == std::string::npos) break;
    const std::string event = body.substr(pos, end - pos);
    if (event.rfind("data: ", 0) == 0) out.push_back(event.substr(6));
    pos = end + 2;
  }
  if (done != nullptr) *done = !out.empty() && out.back() == "[DONE]";
  return out;
}

}  // namespace liftoff::testing
