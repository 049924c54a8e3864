// Session and Listener over real sockets with test handlers (no engine): keep-alive, chunked
// streaming, body/header limits, malformed requests, draining, pipelining, and the hang-up
// callback that cancels a request whose client went away.
#include "liftoff/server/http/session.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "liftoff/server/http/listener.h"

namespace liftoff::server::http {
namespace {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;

// Renders transport errors as "<kind number>" with a status per kind (the real server uses
// openai::render_http_error; the session must not care).
Response render(const HttpError& e) {
  static const unsigned kStatus[] = {404, 405, 413, 431, 400, 503, 500};
  Response r;
  r.status = kStatus[static_cast<int>(e.kind)];
  r.content_type = "text/plain";
  r.body = "error " + std::to_string(static_cast<int>(e.kind));
  if (!e.allow.empty()) r.headers.emplace_back("Allow", e.allow);
  return r;
}

class TestServer {
 public:
  explicit TestServer(SessionConfig config = {}) {
    context_.router = &router;
    context_.render_error = render;
    context_.config = config;
    context_.state = &state;
    router.add("POST", "/echo", [](Exchange ex) {
      Response r;
      r.content_type = "text/plain";
      r.body = ex.request().body();
      ex.respond(std::move(r));
    });
    router.add("GET", "/stream", [](Exchange ex) {
      ex.start_stream(200, "text/event-stream");
      for (int i = 0; i < 3; ++i) ex.write("data: " + std::to_string(i) + "\n\n");
      ex.end_stream();
    });
    router.add("GET", "/hang", [this](Exchange ex) {
      ex.on_client_gone([this] { gone.set_value(); });
      std::lock_guard lock(mu);
      parked.emplace(std::move(ex));
    });
    router.add("GET", "/park", [this](Exchange ex) {
      std::lock_guard lock(mu);
      parked.emplace(std::move(ex));
    });
    auto l = Listener::bind(ioc_, "127.0.0.1", 0, context_);
    EXPECT_TRUE(l.ok());
    listener_ = *l;
    listener_->start();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~TestServer() {
    listener_->close();
    ioc_.stop();
    thread_.join();
    // A parked exchange owns its session, whose socket must go before the io_context does.
    std::lock_guard lock(mu);
    parked.reset();
  }

  uint16_t port() const { return listener_->port(); }

  // Answers the parked exchange on its strand.
  void answer_parked(std::string body) {
    std::lock_guard lock(mu);
    ASSERT_TRUE(parked.has_value());
    Exchange ex = *parked;
    net::post(ex.executor(), [ex, body] {
      Response r;
      r.body = body;
      ex.respond(std::move(r));
    });
  }

  Router router;
  ConnectionState state;
  std::promise<void> gone;
  std::mutex mu;
  std::optional<Exchange> parked;

 private:
  SessionContext context_;
  net::io_context ioc_;
  std::shared_ptr<Listener> listener_;
  std::thread thread_;
};

struct Reply {
  unsigned status = 0;
  std::string body;
  bool chunked = false;
  bool keep_alive = false;
  std::string allow;
};

class Client {
 public:
  explicit Client(uint16_t port) : socket_(ioc_) {
    socket_.connect({net::ip::make_address("127.0.0.1"), port});
  }
  void send(const std::string& bytes) { net::write(socket_, net::buffer(bytes)); }
  Reply read() {
    bhttp::response_parser<bhttp::string_body> p;
    boost::system::error_code ec;
    bhttp::read(socket_, buffer_, p, ec);
    if (ec) return {};
    const auto& m = p.get();
    return {m.result_int(), m.body(), m.chunked(), m.keep_alive(),
            std::string(m[bhttp::field::allow])};
  }
  bool closed_by_server() {
    char c;
    boost::system::error_code ec;
    return socket_.read_some(net::buffer(&c, 1), ec) == 0 || ec;
  }
  void close() { socket_.close(); }

 private:
  net::io_context ioc_;
  net::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

std::string post(const std::string& target, const std::string& body) {
  return "POST " + target +
         " HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         body;
}

bool wait_until(const std::function<bool()>& cond) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

TEST(Session, KeepAliveServesSeveralRequests) {
  TestServer server;
  Client c(server.port());
  for (const std::string body : {"one", "two", "three"}) {
    c.send(post("/echo", body));
    Reply r = c.read();
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, body);
    EXPECT_TRUE(r.keep_alive);
  }
  EXPECT_TRUE(wait_until([&] { return server.state.in_flight.load() == 0; }));
}

TEST(Session, ConnectionCloseIsHonoured) {
  TestServer server;
  Client c(server.port());
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi");
  Reply r = c.read();
  EXPECT_EQ(r.body, "hi");
  EXPECT_FALSE(r.keep_alive);
  EXPECT_TRUE(c.closed_by_server());
}

TEST(Session, StreamsChunkedAndKeepsTheConnection) {
  TestServer server;
  Client c(server.port());
  c.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
  Reply r = c.read();
  EXPECT_EQ(r.status, 200u);
  EXPECT_TRUE(r.chunked);
  EXPECT_EQ(r.body, "data: 0\n\ndata: 1\n\ndata: 2\n\n");
  c.send(post("/echo", "after"));
  EXPECT_EQ(c.read().body, "after");
}

TEST(Session, Http10StreamEndsWithTheConnection) {
  TestServer server;
  Client c(server.port());
  c.send("GET /stream HTTP/1.0\r\n\r\n");
  Reply r = c.read();
  EXPECT_EQ(r.status, 200u);
  EXPECT_FALSE(r.chunked);
  EXPECT_EQ(r.body, "data: 0\n\ndata: 1\n\ndata: 2\n\n");
}

TEST(Session, RoutingErrorsGoThroughTheRenderer) {
  TestServer server;
  Client c(server.port());
  c.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.read().status, 404u);
  c.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
  Reply r = c.read();
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(r.allow, "POST");
  c.send(post("/echo", "still here"));
  EXPECT_EQ(c.read().body, "still here");
}

TEST(Session, BodyLimitIs413ThenClose) {
  SessionConfig config;
  config.max_body_bytes = 1024;
  TestServer server(config);
  {
    Client c(server.port());
    c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" +
           std::string(5000, 'a'));
    EXPECT_EQ(c.read().status, 413u);
    EXPECT_TRUE(c.closed_by_server());
  }
  {
    Client c(server.port());
    c.send(post("/echo", std::string(1024, 'b')));
    EXPECT_EQ(c.read().body.size(), 1024u);
  }
}

TEST(Session, HeaderLimitIs431) {
  SessionConfig config;
  config.max_header_bytes = 1024;
  TestServer server(config);
  Client c(server.port());
  c.send("GET /stream HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'h') + "\r\n\r\n");
  EXPECT_EQ(c.read().status, 431u);
}

TEST(Session, MalformedRequestIs400ThenClose) {
  TestServer server;
  Client c(server.port());
  c.send("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(c.read().status, 400u);
  EXPECT_TRUE(c.closed_by_server());
  EXPECT_TRUE(wait_until([&] { return server.state.in_flight.load() == 0; }));
}

TEST(Session, HangUpWhileWaitingCallsTheCallbackOnce) {
  TestServer server;
  auto gone = server.gone.get_future();
  {
    Client c(server.port());
    c.send("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(wait_until([&] { return server.state.in_flight.load() == 1; }));
    c.close();
  }
  EXPECT_EQ(gone.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(wait_until([&] { return server.state.in_flight.load() == 0; }));
  // A late answer to the abandoned exchange is ignored.
  server.answer_parked("too late");
  std::lock_guard lock(server.mu);
  Exchange ex = *server.parked;
  std::promise<bool> active;
  net::post(ex.executor(), [&] { active.set_value(ex.active()); });
  EXPECT_FALSE(active.get_future().get());
}

TEST(Session, PipelinedRequestIsNotConsumedByTheHangUpWatch) {
  TestServer server;
  Client c(server.port());
  c.send("GET /park HTTP/1.1\r\nHost: x\r\n\r\n" + post("/echo", "second"));
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lock(server.mu);
    return server.parked.has_value();
  }));
  server.answer_parked("first");
  EXPECT_EQ(c.read().body, "first");
  EXPECT_EQ(c.read().body, "second");
}

TEST(Session, DrainingAnswers503AndCloses) {
  TestServer server;
  Client c(server.port());
  c.send(post("/echo", "before"));
  EXPECT_EQ(c.read().status, 200u);
  server.state.draining.store(true);
  c.send(post("/echo", "after"));
  Reply r = c.read();
  EXPECT_EQ(r.status, 503u);
  EXPECT_FALSE(r.keep_alive);
  EXPECT_TRUE(c.closed_by_server());
}

TEST(Listener, RejectsHostsThatAreNotAddresses) {
  net::io_context ioc;
  SessionContext context;
  EXPECT_EQ(Listener::bind(ioc, "not a host", 0, context).status().code(),
            StatusCode::kInvalidArgument);
  auto local = Listener::bind(ioc, "localhost", 0, context);
  ASSERT_TRUE(local.ok());
  EXPECT_NE((*local)->port(), 0);
  // The port is taken now: binding it again fails with kUnavailable.
  EXPECT_EQ(Listener::bind(ioc, "127.0.0.1", (*local)->port(), context).status().code(),
            StatusCode::kUnavailable);
}

}  // namespace
}  // namespace liftoff::server::http
