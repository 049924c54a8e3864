// A small blocking HTTP/1.1 client for the integration tests: one keep-alive connection, plain
// requests, raw bytes (for malformed input), and incremental reads of a streamed (SSE) body.
// Every read has a timeout, so a server that hangs fails the test instead of blocking it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace liftoff::testing {

struct HttpResponse {
  unsigned status = 0;                         // 0: no response (connection closed or timed out)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  bool keep_alive = false;

  nlohmann::json json() const;  // the body parsed; null if it is not JSON
  std::string header(const std::string& lower_name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  explicit HttpClient(uint16_t port, int timeout_s = 60);

  HttpResponse request(const std::string& method, const std::string& target,
                       const std::string& body = "", const Headers& headers = {});
  HttpResponse get(const std::string& target) { return request("GET", target); }
  HttpResponse post(const std::string& target, const nlohmann::json& body,
                    const Headers& headers = {}) {
    return request("POST", target, body.dump(), headers);
  }

  // Raw bytes out, one response in.
  void send_raw(const std::string& bytes);
  HttpResponse read_response();

  // Streaming: sends the request and reads the response header; then read_more() appends what
  // arrives to body() until the response is complete (returns false at the end).
  HttpResponse start_stream(const std::string& target, const nlohmann::json& body,
                            const Headers& headers = {});
  bool read_more();
  const std::string& stream_body() const;
  // Reads the streamed response to its end and returns all of it.
  HttpResponse finish_stream();

  // True once the server has closed the connection (reads EOF or an error).
  bool server_closed();
  void close();
  int connects() const { return connects_; }

 private:
  void connect();
  void write(const std::string& bytes);

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  uint16_t port_;
  int timeout_s_;
  int connects_ = 0;
  std::unique_ptr<boost::beast::http::response_parser<boost::beast::http::string_body>> stream_;
};

// The `data:` payloads of an SSE body, in order; `done` is set if `data: [DONE]` was the last.
std::vector<std::string> sse_data(const std::string& body, bool* done = nullptr);

}  // namespace liftoff::testing
