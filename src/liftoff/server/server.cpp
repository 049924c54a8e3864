// Server: wiring of io_context, I/O threads, listener, router, handlers and the engine, and the
// order in which they start and stop.
#include "liftoff/server/server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "liftoff/base/log.h"
#include "liftoff/server/handlers/handler_support.h"
#include "liftoff/server/handlers/handlers.h"
#include "liftoff/server/http/listener.h"
#include "liftoff/server/http/router.h"
#include "liftoff/server/http/session.h"
#include "liftoff/server/openai/error_json.h"
#include "liftoff/tokenizer/chat_template.h"

namespace liftoff::server {
namespace {

constexpr int32_t kMaxHttpThreads = 256;
constexpr uint64_t kMinBodyBytes = 1024;
constexpr uint64_t kMaxBodyBytes = uint64_t{1} << 32;
// While draining, how often stop() looks at the in-flight count.
constexpr std::chrono::milliseconds kDrainPoll{10};

// An I/O thread. Our code returns Status; an exception here is third-party code failing inside
// a posted handler (allocation, JSON). Log it and keep the thread serving, rather than letting
// std::terminate take the whole server down.
void run_io(boost::asio::io_context& ioc) {
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      base::logger("server")->error("server.io_exception what={}", e.what());
    }
  }
}

}  // namespace

Status ServerConfig::validate() const {
  if (http_threads < 1 || http_threads > kMaxHttpThreads) {
    return Status::invalid_argument("--http-threads must be between 1 and " +
                                    std::to_string(kMaxHttpThreads) + ", got " +
                                    std::to_string(http_threads));
  }
  if (max_body_bytes < kMinBodyBytes || max_body_bytes > kMaxBodyBytes) {
    return Status::invalid_argument(
        "--max-body-bytes must be between " + std::to_string(kMinBodyBytes) + " and " +
        std::to_string(kMaxBodyBytes) + ", got " + std::to_string(max_body_bytes));
  }
  if (idle_timeout_s < 1) {
    return Status::invalid_argument("--idle-timeout must be at least 1 second, got " +
                                    std::to_string(idle_timeout_s));
  }
  if (shutdown_timeout_s < 0) {
    return Status::invalid_argument("--shutdown-timeout must be 0 or more seconds, got " +
                                    std::to_string(shutdown_timeout_s));
  }
  boost::system::error_code ec;
  boost::asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) {
    return Status::invalid_argument("--host '" + host +
                                    "' is not an IPv4 or IPv6 address (or "
                                    "localhost)");
  }
  return Status::ok();
}

class Server::Impl {
 public:
  // Destruction order matters: members are destroyed bottom-up, so the engine (whose last
  // updates are posted to the io_context) goes before the io_context, and the io_context
  // (whose pending handlers own sessions referencing the context below) before the rest.
  ServerConfig config;
  std::optional<tokenizer::ChatTemplate> chat_template;
  http::ConnectionState connections;
  handlers::ServingContext serving;
  http::Router router;
  http::SessionContext session_context;
  boost::asio::io_context ioc;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::shared_ptr<http::Listener> listener;
  std::unique_ptr<engine::EngineLoop> engine;
  std::vector<std::jthread> threads;
  uint16_t port = 0;
  bool stopped = false;

  void stop();
};

void Server::Impl::stop() {
  if (stopped) return;
  stopped = true;
  auto log = base::logger("server");
  connections.draining.store(true);
  if (listener) listener->close();
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(config.shutdown_timeout_s);
  while (connections.in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(kDrainPoll);
  }
  const int64_t left = connections.in_flight.load();
  log->info("server.drained in_flight_left={}", left);
  work.reset();
  ioc.stop();
  threads.clear();  // joins
  // Requests still queued or running get a final kUnavailable update, posted to the stopped
  // io_context and dropped with it.
  engine.reset();
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() {
  if (impl_) impl_->stop();
}

uint16_t Server::port() const { return impl_->port; }
const std::string& Server::model_id() const { return impl_->serving.model_id; }
void Server::stop() { impl_->stop(); }

Result<std::unique_ptr<Server>> Server::start(const ServerConfig& config,
                                              const std::string& model_name,
                                              const tokenizer::Tokenizer& tokenizer,
                                              std::unique_ptr<engine::EngineLoop> engine) {
  LIFTOFF_RETURN_IF_ERROR(config.validate());
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  LIFTOFF_ASSIGN_OR_RETURN(auto chat_template,
                           tokenizer::ChatTemplate::for_tokenizer(tokenizer, config.chat_template));
  impl->chat_template.emplace(std::move(chat_template));
  impl->engine = std::move(engine);

  handlers::ServingContext& s = impl->serving;
  s.engine = impl->engine.get();
  s.tokenizer = &tokenizer;
  s.chat_template = &*impl->chat_template;
  s.model_id = config.alias.empty() ? model_name : config.alias;
  s.model_created = handlers::unix_seconds();
  s.limits.n_vocab = tokenizer.n_vocab();
  s.limits.max_n = impl->engine->config().max_n;
  s.embedding_window = impl->engine->config().max_running;
  s.connections = &impl->connections;
  handlers::add_routes(impl->router, s);

  http::SessionContext& sc = impl->session_context;
  sc.router = &impl->router;
  sc.render_error = openai::render_http_error;
  sc.config.max_body_bytes = config.max_body_bytes;
  sc.config.idle_timeout = std::chrono::seconds(config.idle_timeout_s);
  sc.config.write_timeout = std::chrono::seconds(config.idle_timeout_s);
  sc.state = &impl->connections;

  LIFTOFF_ASSIGN_OR_RETURN(impl->listener,
                           http::Listener::bind(impl->ioc, config.host, config.port, sc));
  impl->port = impl->listener->port();
  impl->work.emplace(impl->ioc.get_executor());
  impl->listener->start();
  for (int32_t i = 0; i < config.http_threads; ++i) {
    impl->threads.emplace_back([ioc = &impl->ioc] { run_io(*ioc); });
  }
  base::logger("server")->info(
      "server.listening host={} port={} model={} chat_template={} "
      "http_threads={}",
      config.host, impl->port, s.model_id, impl->chat_template->origin(), config.http_threads);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

}  // namespace liftoff::server
