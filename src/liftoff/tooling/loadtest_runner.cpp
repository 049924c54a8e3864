// The load generator's event loop: clients, request issue, and turning each finished exchange
// into a RequestRecord.
#include "liftoff/tooling/loadtest_runner.h"

#include <algorithm>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include "liftoff/tooling/loadtest_http.h"
#include "liftoff/tooling/loadtest_response.h"
#include "liftoff/tooling/loadtest_sse.h"

namespace liftoff::tooling {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Non-streamed and error bodies are kept for parsing up to this size; a larger one is malformed
// for our purposes (a 128-token completion is a few KiB).
constexpr size_t kMaxBodyBytes = size_t{64} << 20;

// One simulated client: a connection and the state of the request it has in flight.
struct Client {
  Client(asio::io_context& io, const asio::ip::tcp::resolver::results_type& endpoints, bool chat)
      : conn(io, endpoints), stream(chat) {}

  void reset(bool chat) {
    sse = SseParser();
    stream = StreamAccumulator(chat);
    body.clear();
    body_overflow = false;
    n_events = 0;
  }

  HttpConnection conn;
  size_t index = 0;
  Clock::time_point start;
  SseParser sse;
  StreamAccumulator stream;
  std::vector<SseEvent> events;  // scratch, reused between chunks
  int64_t n_events = 0;
  std::string body;  // non-streamed or error response body
  bool body_overflow = false;
};

}  // namespace

struct LoadRunner::Impl {
  asio::io_context io;
  ServerUrl url;
  asio::ip::tcp::resolver::results_type endpoints;
  RunnerConfig config;
  std::vector<std::unique_ptr<Client>> clients;

  // State of the current run().
  std::string target;
  std::span<const std::string> bodies;
  std::vector<RequestRecord>* records = nullptr;
  size_t next = 0;
  Clock::time_point last_done;

  HttpConnection::Request make_request(http::verb verb, const std::string& request_target,
                                       std::string body) const {
    HttpConnection::Request req{verb, request_target, 11};
    req.set(http::field::host, url.host_header());
    req.set(http::field::user_agent, "liftoff-loadtest");
    if (!config.api_key.empty()) req.set(http::field::authorization, "Bearer " + config.api_key);
    if (verb == http::verb::post) {
      req.set(http::field::content_type, "application/json");
      req.set(http::field::accept, config.stream ? "text/event-stream" : "application/json");
    }
    req.body() = std::move(body);
    return req;
  }

  void issue(Client& c) {
    if (next >= bodies.size()) return;
    c.index = next++;
    c.reset(config.chat);
    c.start = Clock::now();
    const auto deadline = c.start + std::chrono::duration_cast<Clock::duration>(config.timeout);
    c.conn.async_exchange(
        make_request(http::verb::post, target, bodies[c.index]), deadline,
        [this, &c](unsigned status, std::string_view bytes) { on_body(c, status, bytes); },
        [this, &c](const ExchangeOutcome& outcome) { on_done(c, outcome); });
  }

  void on_body(Client& c, unsigned status, std::string_view bytes) {
    if (config.stream && status / 100 == 2) {
      const Clock::time_point now = Clock::now();
      c.sse.feed(bytes, c.events);
      for (const SseEvent& e : c.events) c.stream.on_event(e, now);
      c.n_events += static_cast<int64_t>(c.events.size());
      c.events.clear();
      return;
    }
    if (c.body.size() + bytes.size() > kMaxBodyBytes) {
      c.body_overflow = true;
      return;
    }
    c.body.append(bytes);
  }

  void on_done(Client& c, const ExchangeOutcome& outcome) {
    const Clock::time_point now = Clock::now();
    RequestRecord& r = (*records)[c.index];
    r = finish_record(c, outcome, now);
    last_done = now;
    issue(c);
  }

  RequestRecord finish_record(Client& c, const ExchangeOutcome& outcome, Clock::time_point now) {
    RequestRecord r;
    r.e2e_s = seconds(now - c.start);
    r.ttft_s = r.e2e_s;
    r.http_status = outcome.status;
    switch (outcome.error) {
      case TransportError::kNone:
        break;
      case TransportError::kConnect:
        r.error = ErrorKind::kConnect;
        break;
      case TransportError::kTimeout:
        r.error = ErrorKind::kTimeout;
        break;
      case TransportError::kDisconnected:
        r.error = ErrorKind::kDisconnected;
        break;
      case TransportError::kBadHttp:
        r.error = ErrorKind::kMalformed;
        break;
    }
    if (!r.ok()) {
      r.error_message = outcome.detail;
      return r;
    }
    if (outcome.status / 100 != 2) {
      r.error = ErrorKind::kHttpStatus;
      r.error_message = error_message_of(c.body);
      return r;
    }
    if (c.body_overflow) {
      r.error = ErrorKind::kMalformed;
      r.error_message = "response body over " + std::to_string(kMaxBodyBytes) + " bytes";
      return r;
    }
    CompletionUsage usage;
    if (config.stream) {
      c.sse.finish(c.events);
      for (const SseEvent& e : c.events) c.stream.on_event(e, now);
      c.n_events += static_cast<int64_t>(c.events.size());
      c.events.clear();
      if (c.stream.problem() != ResponseProblem::kNone) {
        r.error = c.stream.problem() == ResponseProblem::kServerError ? ErrorKind::kServerError
                                                                      : ErrorKind::kMalformed;
        r.error_message = c.stream.problem_message();
        return r;
      }
      if (!c.stream.saw_done()) {
        // No events at all: the server answered, but not with an event stream.
        r.error = c.n_events == 0 ? ErrorKind::kMalformed : ErrorKind::kDisconnected;
        r.error_message = c.n_events == 0 ? "200 response is not an event stream"
                                          : "stream ended before data: [DONE]";
        return r;
      }
      usage = c.stream.usage();
      if (auto first = c.stream.first_content_time()) r.ttft_s = seconds(*first - c.start);
      r.completion_tokens =
          usage.completion_tokens >= 0 ? usage.completion_tokens : c.stream.n_content_chunks();
    } else {
      CompletionResult parsed = parse_completion_body(c.body);
      if (parsed.problem != ResponseProblem::kNone) {
        r.error = parsed.problem == ResponseProblem::kServerError ? ErrorKind::kServerError
                                                                  : ErrorKind::kMalformed;
        r.error_message = parsed.problem_message;
        return r;
      }
      usage = parsed.usage;
      r.completion_tokens = std::max<int64_t>(usage.completion_tokens, 0);
    }
    r.usage_reported = usage.completion_tokens >= 0;
    r.prompt_tokens = usage.prompt_tokens;
    return r;
  }
};

LoadRunner::LoadRunner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LoadRunner::~LoadRunner() = default;

Result<std::unique_ptr<LoadRunner>> LoadRunner::create(const ServerUrl& url, RunnerConfig config) {
  if (config.concurrency < 1) {
    return Status::invalid_argument("concurrency must be at least 1, got " +
                                    std::to_string(config.concurrency));
  }
  auto impl = std::make_unique<Impl>();
  impl->url = url;
  impl->config = std::move(config);
  boost::system::error_code ec;
  asio::ip::tcp::resolver resolver(impl->io);
  impl->endpoints = resolver.resolve(url.host, std::to_string(url.port), ec);
  if (ec) {
    return Status::unavailable("cannot resolve host '" + url.host + "': " + ec.message());
  }
  return std::unique_ptr<LoadRunner>(new LoadRunner(std::move(impl)));
}

int64_t LoadRunner::n_connects() const {
  int64_t n = 0;
  for (const auto& c : impl_->clients) n += c->conn.n_connects();
  return n;
}

Result<std::string> LoadRunner::fetch_first_model_id() {
  Impl& m = *impl_;
  const std::string where = m.url.to_string() + "/models";
  HttpConnection conn(m.io, m.endpoints);
  std::string body;
  ExchangeOutcome result;
  const auto deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(m.config.timeout);
  conn.async_exchange(
      m.make_request(http::verb::get, m.url.target("/models"), ""), deadline,
      [&body](unsigned, std::string_view bytes) {
        if (body.size() + bytes.size() <= kMaxBodyBytes) body.append(bytes);
      },
      [&result](const ExchangeOutcome& outcome) { result = outcome; });
  m.io.restart();
  m.io.run();
  if (result.error != TransportError::kNone) {
    return Status::unavailable("GET " + where + " failed: " + result.detail +
                               " (is the server running? or pass --model)");
  }
  if (result.status != 200) {
    return Status::unavailable("GET " + where + " returned HTTP " + std::to_string(result.status) +
                               ": " + error_message_of(body) + " (pass --model)");
  }
  const auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  const nlohmann::json* first = nullptr;
  if (doc.is_object() && doc.contains("data") && doc["data"].is_array() && !doc["data"].empty()) {
    first = &doc["data"][0];
  }
  if (first == nullptr || !first->is_object() || !first->contains("id") ||
      !(*first)["id"].is_string()) {
    return Status::corrupt_data(
        "GET " + where + " did not list a model as {\"data\": [{\"id\": ...}]}; pass --model");
  }
  return (*first)["id"].get<std::string>();
}

RunResult LoadRunner::run(const std::string& suffix, std::span<const std::string> bodies) {
  Impl& m = *impl_;
  RunResult result;
  result.records.resize(bodies.size());
  if (bodies.empty()) return result;
  m.target = m.url.target(suffix);
  m.bodies = bodies;
  m.records = &result.records;
  m.next = 0;
  const size_t n_clients = std::min(bodies.size(), static_cast<size_t>(m.config.concurrency));
  while (m.clients.size() < n_clients) {
    m.clients.push_back(std::make_unique<Client>(m.io, m.endpoints, m.config.chat));
  }
  const Clock::time_point start = Clock::now();
  m.last_done = start;
  for (size_t i = 0; i < n_clients; ++i) m.issue(*m.clients[i]);
  m.io.restart();
  m.io.run();
  result.duration_s = seconds(m.last_done - start);
  m.records = nullptr;
  m.bodies = {};
  return result;
}

}  // namespace liftoff::tooling
