// The fake OpenAI server behind the load generator's tests. Responses are written as raw bytes
// so the tests control the framing: chunk sizes of 1..13 bytes split SSE lines, CRLFs and JSON
// at arbitrary points, and odd-numbered requests use CRLF line ends.
#include "loadtest_fake_server.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

namespace liftoff::testing {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using nlohmann::json;

int64_t count_words(const std::string& text) {
  std::istringstream in(text);
  std::string word;
  int64_t n = 0;
  while (in >> word) ++n;
  return n;
}

int64_t prompt_words(const json& body, bool chat) {
  if (!chat) return count_words(body.value("prompt", ""));
  int64_t n = 0;
  for (const auto& m : body.at("messages")) n += count_words(m.value("content", ""));
  return n;
}

std::string response_head(int status, const char* reason, const std::string& content_type,
                          size_t content_length) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + content_type +
         "\r\nContent-Length: " + std::to_string(content_length) +
         "\r\nConnection: keep-alive\r\n\r\n";
}

bool write_all(tcp::socket& socket, const std::string& bytes) {
  boost::system::error_code ec;
  asio::write(socket, asio::buffer(bytes), ec);
  return !ec;
}

// Writes `payload` as HTTP chunks of 1, 2, ..., 13, 1, 2, ... bytes.
bool write_chunked(tcp::socket& socket, const std::string& payload) {
  size_t size = 1;
  for (size_t pos = 0; pos < payload.size(); pos += size, size = size % 13 + 1) {
    const std::string piece = payload.substr(pos, size);
    char head[16];
    std::snprintf(head, sizeof head, "%zx\r\n", piece.size());
    if (!write_all(socket, head + piece + "\r\n")) return false;
  }
  return true;
}

json choice(bool chat, bool stream, const std::string& text, bool last) {
  json c = {{"index", 0}, {"finish_reason", last ? json("length") : json(nullptr)}};
  if (!chat) {
    c["text"] = text;
  } else {
    c[stream ? "delta" : "message"] = {{"content", text}};
  }
  return c;
}

}  // namespace

FakeOpenAiServer::FakeOpenAiServer(Policy policy)
    : policy_(std::move(policy)),
      acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  accept_thread_ = std::thread([this] { accept_loop(); });
}

FakeOpenAiServer::~FakeOpenAiServer() {
  stopping_ = true;
  stop_cv_.notify_all();
  {  // Wake the blocking accept with a connection of our own.
    boost::system::error_code ec;
    tcp::socket wake(io_);
    wake.connect(acceptor_.local_endpoint(), ec);
  }
  accept_thread_.join();
  {
    std::lock_guard lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : threads_) t.join();  // no new threads appear once accept_thread_ ended
}

std::vector<json> FakeOpenAiServer::bodies() const {
  std::lock_guard lock(mu_);
  return bodies_;
}

std::vector<std::string> FakeOpenAiServer::authorizations() const {
  std::lock_guard lock(mu_);
  return authorizations_;
}

void FakeOpenAiServer::accept_loop() {
  for (;;) {
    tcp::socket socket(io_);
    boost::system::error_code ec;
    acceptor_.accept(socket, ec);
    if (stopping_) return;
    if (ec) continue;
    ++n_connections_;
    std::lock_guard lock(mu_);
    open_fds_.push_back(socket.native_handle());
    threads_.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
  }
}

void FakeOpenAiServer::serve(tcp::socket socket) {
  boost::beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    boost::system::error_code ec;
    http::read(socket, buffer, req, ec);
    if (ec) break;
    const std::string target(req.target());
    if (req.method() == http::verb::get && target == "/v1/models") {
      const std::string body = R"({"object":"list","data":[{"id":"fake-model","object":"model"}]})";
      if (!write_all(socket, response_head(200, "OK", "application/json", body.size()) + body))
        break;
      continue;
    }
    const bool chat = target == "/v1/chat/completions";
    if (req.method() != http::verb::post || (!chat && target != "/v1/completions")) {
      const std::string body = R"({"error":{"message":"no such route"}})";
      if (!write_all(socket,
                     response_head(404, "Not Found", "application/json", body.size()) + body))
        break;
      continue;
    }
    json body = json::parse(req.body(), nullptr, false);
    {
      std::lock_guard lock(mu_);
      bodies_.push_back(body);
      authorizations_.emplace_back(req[http::field::authorization]);
    }
    const int64_t number = n_completions_++;
    const FakeReply reply = policy_ ? policy_(number) : FakeReply::kOk;
    if (!handle_completion(socket, body, chat, number, reply)) break;
    if (reply == FakeReply::kCloseAfterReply) break;
  }
  std::lock_guard lock(mu_);
  open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), socket.native_handle()),
                  open_fds_.end());
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

bool FakeOpenAiServer::handle_completion(tcp::socket& socket, const json& body, bool chat,
                                         int64_t number, FakeReply reply) {
  if (reply == FakeReply::kHang) {
    std::unique_lock lock(mu_);
    stop_cv_.wait(lock, [this] { return stopping_.load(); });
    return false;
  }
  if (reply == FakeReply::kStatus503) {
    const std::string err = R"({"error":{"message":"server busy","type":"unavailable"}})";
    return write_all(
        socket, response_head(503, "Service Unavailable", "application/json", err.size()) + err);
  }
  const int64_t n_tokens = body.value("max_tokens", 16);
  const int64_t n_prompt = prompt_words(body, chat);
  const json usage = {{"prompt_tokens", n_prompt},
                      {"completion_tokens", n_tokens},
                      {"total_tokens", n_prompt + n_tokens}};
  const bool with_usage = reply != FakeReply::kNoUsage;

  if (!body.value("stream", false)) {
    std::string text;
    for (int64_t i = 0; i < n_tokens; ++i) text += " t" + std::to_string(i);
    json doc = {{"id", "cmpl-fake"}, {"choices", json::array({choice(chat, false, text, true)})}};
    if (with_usage) doc["usage"] = usage;
    std::string out = doc.dump();
    if (reply == FakeReply::kGarbage) out = "this is not json";
    if (reply == FakeReply::kErrorEvent) out = R"({"error":{"message":"boom"}})";
    const std::string head = response_head(200, "OK", "application/json", out.size());
    if (reply == FakeReply::kDropMidStream) {
      write_all(socket, head + out.substr(0, out.size() / 2));
      return false;
    }
    return write_all(socket, head + out);
  }

  const std::string eol = number % 2 == 1 ? "\r\n" : "\n";
  auto event = [&](const std::string& data) { return "data: " + data + eol + eol; };
  std::string sse = ": ping" + eol + eol;
  if (chat) {  // a role-only first chunk, as real servers send; it carries no token
    sse += event(json{
        {"choices", {{{"index", 0}, {"delta", {{"role", "assistant"}, {"content", nullptr}}}}}}}
                     .dump());
  }
  for (int64_t i = 0; i < n_tokens; ++i) {
    sse += event(json{
        {"choices", json::array({choice(chat, true, " t" + std::to_string(i), i + 1 == n_tokens)})}}
                     .dump());
    if (reply == FakeReply::kErrorEvent) {
      sse += "error: " + json{{"message", "boom"}}.dump() + eol + eol;
      break;
    }
    if (reply == FakeReply::kGarbage) {
      sse += event("not json");
      break;
    }
  }
  const auto opts = body.find("stream_options");
  if (with_usage && opts != body.end() && opts->value("include_usage", false)) {
    sse += event(json{{"choices", json::array()}, {"usage", usage}}.dump());
  }
  if (reply != FakeReply::kErrorEvent) sse += event("[DONE]");

  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
      "Connection: keep-alive\r\n\r\n";
  if (!write_all(socket, head)) return false;
  if (reply == FakeReply::kDropMidStream) {
    const size_t cut = sse.find(eol + eol, sse.find("t1"));  // after the second token's event
    write_chunked(socket, sse.substr(0, cut));
    return false;
  }
  return write_chunked(socket, sse) && write_all(socket, "0\r\n\r\n");
}

}  // namespace liftoff::testing
